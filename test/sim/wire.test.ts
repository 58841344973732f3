import { envelope, failureOf, login, rawCall, refByName, rpc, useSimulator } from "../helpers/sim";
import { parseMethodResponse } from "../../src/sim/xmlrpc-parse";

describe("simulator wire protocol (reference §1)", () => {
  const sim = useSimulator();

  it.each(["/", "/RPC2", "/xmlrpc", "/some/unknown/path"])("answers XML-RPC on POST %s with HTTP 200 text/xml", async (path) => {
    const res = await rawCall(sim().url, "system.listMethods", [], path);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/xml");
    expect(res.body.startsWith('<?xml version="1.0"?><methodResponse>')).toBe(true);
  });

  it("answers failures with HTTP 200 and {Status: Failure, ErrorDescription: [code, ...params]}", async () => {
    const res = await rawCall(sim().url, "VM.get_all", ["OpaqueRef:not-a-session"]);
    expect(res.status).toBe(200);
    expect(await parseMethodResponse(res.body)).toEqual({ Status: "Failure", ErrorDescription: ["SESSION_INVALID", "OpaqueRef:not-a-session"] });
  });

  it("sends int64 fields as untyped strings, booleans as <boolean>1/0 and dates as YYYYMMDDTHH:MM:SSZ", async () => {
    const session = await login(sim());
    const vm = await refByName(sim(), session, "VM", "db-01");
    const raw = await rawCall(sim().url, "VM.get_record", [session, vm]);
    expect(raw.body).toContain("<member><name>memory_static_max</name><value>8589934592</value></member>");
    expect(raw.body).toContain("<member><name>is_a_template</name><value><boolean>0</boolean></value></member>");
    expect(raw.body).toContain("<member><name>snapshot_time</name><value><dateTime.iso8601>19700101T00:00:00Z</dateTime.iso8601></value></member>");
    expect(raw.body).toContain("<member><name>HVM_shadow_multiplier</name><value><double>1</double></value></member>");
    expect(raw.body).not.toContain("<string>");
    expect(raw.body).not.toContain("<i4>");
  });

  it("entity-escapes strings and never uses CDATA", async () => {
    const session = await login(sim());
    const vm = await refByName(sim(), session, "VM", "batch-01");
    await rpc(sim(), "VM.set_name_description", session, vm, 'a <b> & "c"');
    const raw = await rawCall(sim().url, "VM.get_name_description", [session, vm]);
    expect(raw.body).toContain("<value>a &lt;b&gt; &amp; &quot;c&quot;</value>");
    expect(raw.body).not.toContain("CDATA");
    expect(await rpc(sim(), "VM.get_name_description", session, vm)).toBe('a <b> & "c"');
  });

  it("accepts typed <string> and <int> parameters as well as untyped ones", async () => {
    const session = await login(sim());
    const vm = await refByName(sim(), session, "VM", "batch-01");
    const env = await envelope(sim().url, "VM.set_user_version", { xml: `<value><string>${session}</string></value>` }, vm, { xml: "<value><int>7</int></value>" });
    expect(env.Status).toBe("Success");
    expect(await rpc(sim(), "VM.get_user_version", session, vm)).toBe("7");
  });

  it("rejects a string where a bool is required", async () => {
    const session = await login(sim());
    const vm = await refByName(sim(), session, "VM", "batch-01");
    const err = await failureOf(sim(), "VM.set_is_a_template", session, vm, "true");
    expect(err[0]).toBe("INTERNAL_ERROR");
  });

  it("checks credentials: SESSION_AUTHENTICATION_FAILED [user, message]", async () => {
    const err = await failureOf(sim(), "session.login_with_password", "root", "wrong");
    expect(err.slice(0, 2)).toEqual(["SESSION_AUTHENTICATION_FAILED", "root"]);
  });

  it("accepts login with version and originator, and a logged-out session becomes SESSION_INVALID", async () => {
    const session = await rpc<string>(sim(), "session.login_with_password", "root", "xsnap", "1.1", "xsnap-test");
    expect(session).toMatch(/^OpaqueRef:/);
    await rpc(sim(), "session.logout", session);
    expect(await failureOf(sim(), "pool.get_all", session)).toEqual(["SESSION_INVALID", session]);
  });

  it("reports MESSAGE_METHOD_UNKNOWN with the method name", async () => {
    const session = await login(sim());
    expect(await failureOf(sim(), "VM.frobnicate", session)).toEqual(["MESSAGE_METHOD_UNKNOWN", "VM.frobnicate"]);
  });

  it("reports MESSAGE_PARAMETER_COUNT_MISMATCH [method, expected, received] without counting the session", async () => {
    const session = await login(sim());
    expect(await failureOf(sim(), "VM.get_record", session)).toEqual(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "0"]);
  });

  it("reports HANDLE_INVALID [class, ref] for a bad ref and UUID_INVALID [class, uuid] for a bad uuid", async () => {
    const session = await login(sim());
    expect(await failureOf(sim(), "VM.get_record", session, "OpaqueRef:NULL")).toEqual(["HANDLE_INVALID", "VM", "OpaqueRef:NULL"]);
    expect(await failureOf(sim(), "SR.get_by_uuid", session, "00000000-0000-0000-0000-000000000000")).toEqual([
      "UUID_INVALID", "SR", "00000000-0000-0000-0000-000000000000",
    ]);
  });

  it("refuses Async on a sync-only call with a Fault", async () => {
    const session = await login(sim());
    const err = await failureOf(sim(), "Async.VM.get_all", session);
    expect(err).toEqual(["Fault", "No async mode for this operation (rpc: Async.VM.get_all)"]);
  });

  it("answers a body that is not XML-RPC with HTTP 500", async () => {
    const res = await fetch(`${sim().url}/`, { method: "POST", body: "not xml at all" });
    expect(res.status).toBe(500);
  });

  it("lists methods, including generated getters and get_all_records of every class", async () => {
    const methods = await rpc<string[]>(sim(), "system.listMethods");
    for (const m of ["VM.snapshot", "VM.get_all_records", "VMSS.create", "pool.add_to_other_config", "VM.add_tags", "event.from", "task.cancel"]) {
      expect(methods).toContain(m);
    }
  });

  it("serves JSON-RPC 2.0 on /jsonrpc with application/json and error objects", async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${sim().url}/jsonrpc`, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
      return { type: res.headers.get("content-type"), json: (await res.json()) as Record<string, unknown> };
    };
    const login2 = await post({ jsonrpc: "2.0", method: "session.login_with_password", params: ["root", "xsnap"], id: 1 });
    expect(login2.type).toBe("application/json");
    const session = login2.json.result as string;
    const vms = await post({ jsonrpc: "2.0", method: "VM.get_all_records", params: [session], id: 2 });
    const records = Object.values(vms.json.result as Record<string, Record<string, unknown>>);
    const db = records.find((r) => r.name_label === "db-01");
    expect(db?.memory_static_max).toBe(8589934592);
    expect(db?.snapshot_time).toBe("19700101T00:00:00Z");
    const bad = await post({ jsonrpc: "2.0", method: "VM.get_record", params: [session, "OpaqueRef:NULL"], id: 3 });
    expect(bad.json).toEqual({ jsonrpc: "2.0", error: { code: 1, message: "HANDLE_INVALID", data: ["VM", "OpaqueRef:NULL"] }, id: 3 });
    const v1 = await post({ method: "VM.get_record", params: [session, "OpaqueRef:NULL"], id: 4 });
    expect(v1.json).toEqual({ result: null, error: ["HANDLE_INVALID", "VM", "OpaqueRef:NULL"], id: 4 });
  });

  it("sends the CORS headers XAPI sends", async () => {
    const res = await fetch(`${sim().url}/`, { method: "POST", body: '<?xml version="1.0"?><methodCall><methodName>system.listMethods</methodName><params></params></methodCall>' });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
