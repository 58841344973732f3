/**
 * The client against the real simulator on loopback (DESIGN §7): login, calls, errors, async tasks
 * with progress, the PoolView of the demo fixture.
 */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { Readable } from "stream";
import { connect, isTransportError, isXapiError, XapiError, type XapiClient } from "../../src/xapi";

let sim: RunningSimulator;
let client: XapiClient;

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", taskMs: 300, authFailureDelayMs: 10 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

const vmRef = async (name: string): Promise<string> => {
  const refs = await client.call("VM.get_by_name_label", [name]);
  if (!Array.isArray(refs) || typeof refs[0] !== "string") throw new Error(`no VM ${name}`);
  return refs[0];
};

describe("XAPI client against the simulator", () => {
  it("logs in with version and originator xsnap and makes calls", async () => {
    expect(client.url).toBe(sim.url);
    expect(await client.call("VM.get_name_label", [await vmRef("web-01")])).toBe("web-01");
  });

  it("fails a wrong password with SESSION_AUTHENTICATION_FAILED and a one-line hint", async () => {
    const error = await connect({ url: sim.url, username: "root", password: "wrong" }).catch((e: unknown) => e);
    expect(isXapiError(error, "SESSION_AUTHENTICATION_FAILED")).toBe(true);
    expect((error as XapiError).describe()).toMatch(/^SESSION_AUTHENTICATION_FAILED\(root, .*\) from session\.login_with_password: the user name or password is wrong/);
    expect((error as XapiError).describe()).not.toContain("\n");
    expect((error as XapiError).message).not.toContain("wrong\"");
  });

  it("turns an XAPI failure into XapiError with code, params and method", async () => {
    const error = await client.call("VM.checkpoint", [await vmRef("batch-01"), "x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XapiError);
    expect(error).toMatchObject({ code: "VM_BAD_POWER_STATE", method: "VM.checkpoint" });
  });

  it("runs an async call to completion, reporting progress and returning the decoded result", async () => {
    const progress: number[] = [];
    const tasks: string[] = [];
    const snapshot = await client.callAsync("VM.snapshot", [await vmRef("web-01"), "client-test"], {
      onProgress: (f) => progress.push(f),
      onTask: (t) => tasks.push(t),
    });
    expect(typeof snapshot).toBe("string");
    expect(await client.call("VM.get_is_a_snapshot", [snapshot])).toBe(true);
    expect(progress[progress.length - 1]).toBe(1);
    expect(tasks).toHaveLength(1);
  });

  it("destroys the task of an async call (close waits for that)", async () => {
    const own = await connect({ url: sim.url, username: "root", password: "xsnap" });
    const tasks: string[] = [];
    await own.callAsync("VM.snapshot", [await vmRef("web-01"), "client-test-destroy"], { onTask: (t) => tasks.push(t) });
    await own.close();
    expect(tasks).toHaveLength(1);
    await expect(client.call("task.get_status", [tasks[0] ?? ""])).rejects.toMatchObject({ code: "HANDLE_INVALID" });
  });

  it("turns a failed task's error_info into XapiError", async () => {
    const tasks: string[] = [];
    const error = await client.callAsync("VM.checkpoint", [await vmRef("batch-01"), "x"], { onTask: (t) => tasks.push(t) }).catch((e: unknown) => e);
    expect(tasks).toHaveLength(1); // the failure came through the task, not the Async call
    expect(error).toMatchObject({ code: "VM_BAD_POWER_STATE", method: "VM.checkpoint" });
  });
});

describe("XAPI client HTTP transfers", () => {
  it("exports a snapshot over GET /export with the session added, and imports it back over PUT /import", async () => {
    const [snapshot] = (await client.call("VM.get_by_name_label", ["web-01 manual"])) as string[];
    const exported = await client.httpGet("/export", { ref: snapshot ?? "" });
    const chunks: Buffer[] = [];
    for await (const chunk of exported) chunks.push(chunk as Buffer);
    const xva = Buffer.concat(chunks);
    expect(xva.subarray(0, 7).toString("latin1")).toBe("ova.xml"); // the first tar member (reference §3.13)

    const [sr] = (await client.call("SR.get_by_name_label", ["NFS store"])) as string[];
    const before = ((await client.call("VM.get_all")) as string[]).length;
    await client.httpPut("/import", { sr_id: sr ?? "" }, () => Readable.from([xva]), { length: xva.length });
    expect(((await client.call("VM.get_all")) as string[]).length).toBe(before + 1);
  });

  it("reports an HTTP failure of a transfer as HTTP_STATUS with the status", async () => {
    const error = await client.httpGet("/export", { ref: "OpaqueRef:missing" }).catch((e: unknown) => e);
    expect(isTransportError(error, "HTTP_STATUS")).toBe(true);
  });
});

describe("XAPI client HTTP transfers after the session expired", () => {
  it("logs in again when an export answers 401 for an expired session", async () => {
    const other = await connect({ url: sim.url, username: "root", password: "xsnap" });
    try {
      await other.call("session.logout");
      const [snapshot] = (await other.call("VM.get_by_name_label", ["web-01 manual"])) as string[];
      await other.call("session.logout"); // expire the session the re-login above created
      const exported = await other.httpGet("/export", { ref: snapshot ?? "" });
      exported.resume();
      expect(exported.statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });
});
