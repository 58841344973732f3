import { spawn } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startSimulator } from "../../src/sim";
import { failureOf, login, rawCall, refByName, rpc, useSimulator } from "../helpers/sim";

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

describe("simulator control endpoints (DESIGN §7)", () => {
  const sim = useSimulator();

  it("counts calls per method and mutating calls in GET /sim/stats, and POST /sim/reset restores the fixture", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    await rpc(sim(), "VM.snapshot", s, web, "counted");
    const stats = (await (await fetch(`${sim().url}/sim/stats`)).json()) as { calls: Record<string, number>; mutating_calls: number };
    expect(stats.calls["VM.snapshot"]).toBe(1);
    expect(stats.calls["VM.get_by_name_label"]).toBe(1);
    expect(stats.mutating_calls).toBe(1);
    expect((await postJson(`${sim().url}/sim/reset`, {})).status).toBe(200);
    expect(await rpc<string[]>(sim(), "VM.get_by_name_label", s, "counted")).toEqual([]);
    const after = (await (await fetch(`${sim().url}/sim/stats`)).json()) as { calls: Record<string, number>; mutating_calls: number };
    expect(after.mutating_calls).toBe(0);
    expect(await refByName(sim(), s, "VM", "web-01")).toBe(web);
  });

  it("injects an error after N calls for M times, also into Async tasks", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const res = await postJson(`${sim().url}/sim/faults`, [{ method: "VM.snapshot", error: ["OTHER_OPERATION_IN_PROGRESS", "VM", web, "snapshot", "OpaqueRef:t"], times: 2, after: 1 }]);
    expect(res.status).toBe(200);
    await rpc(sim(), "VM.snapshot", s, web, "passes");
    expect((await failureOf(sim(), "VM.snapshot", s, web, "fails"))[0]).toBe("OTHER_OPERATION_IN_PROGRESS");
    const task = await rpc<string>(sim(), "Async.VM.snapshot", s, web, "fails in task");
    for (;;) {
      const rec = await rpc<Record<string, unknown>>(sim(), "task.get_record", s, task);
      if (rec.status === "pending") continue;
      expect((rec.error_info as string[])[0]).toBe("OTHER_OPERATION_IN_PROGRESS");
      break;
    }
    await rpc(sim(), "VM.snapshot", s, web, "passes again");
  });

  it("drops the connection or hangs on request", async () => {
    const s = await login(sim());
    await postJson(`${sim().url}/sim/faults`, [{ method: "pool.get_all", error: "drop" }, { method: "host.get_all", error: "hang" }]);
    await expect(rawCall(sim().url, "pool.get_all", [s])).rejects.toThrow();
    const hung = await Promise.race([
      rawCall(sim().url, "host.get_all", [s], "/").then(() => "answered", () => "error"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 300)),
    ]);
    expect(hung).toBe("still waiting");
  });

  it("runs the call and then drops the connection with drop-after: the change is made, the answer is lost", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    await postJson(`${sim().url}/sim/faults`, [{ method: "VM.set_name_description", error: "drop-after" }, { method: "VM.snapshot", error: "drop-after" }]);
    await expect(rawCall(sim().url, "VM.set_name_description", [s, web, "changed, unanswered"])).rejects.toThrow();
    expect(await rpc(sim(), "VM.get_name_description", s, web)).toBe("changed, unanswered");
    await expect(rawCall(sim().url, "Async.VM.snapshot", [s, web, "snapshot, unanswered"])).rejects.toThrow();
    for (let i = 0; (await rpc<string[]>(sim(), "VM.get_by_name_label", s, "snapshot, unanswered")).length === 0; i++) {
      expect(i).toBeLessThan(500);   // the task runs on: the snapshot appears
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it("answers session-check codes on an Async call directly, with no task, and names itself as the master in a bare HOST_IS_SLAVE", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const tasks = (await rpc<string[]>(sim(), "task.get_all", s)).length;
    await postJson(`${sim().url}/sim/faults`, [{ method: "VM.snapshot", error: ["HOST_IS_SLAVE"] }, { method: "VM.snapshot", error: ["SESSION_INVALID", s] }]);
    expect(await failureOf(sim(), "Async.VM.snapshot", s, web, "refused")).toEqual(["HOST_IS_SLAVE", `127.0.0.1:${sim().port}`]);
    expect(await failureOf(sim(), "Async.VM.snapshot", s, web, "refused")).toEqual(["SESSION_INVALID", s]);
    expect((await rpc<string[]>(sim(), "task.get_all", s)).length).toBe(tasks);
    expect(await rpc<string[]>(sim(), "VM.get_by_name_label", s, "refused")).toEqual([]);
  });

  it("refuses malformed fault lists with HTTP 400", async () => {
    expect((await postJson(`${sim().url}/sim/faults`, [{ method: "VM.snapshot", error: "explode" }])).status).toBe(400);
    expect((await postJson(`${sim().url}/sim/faults`, { latency_ms: -1 })).status).toBe(400);
  });
});

describe("simulator persistence and CLI", () => {
  it("keeps the pool and sessions across a restart with the same state file", async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), "xsnap-sim-")), "pool.json");
    const first = await startSimulator({ statePath });
    const s = await login(first);
    const web = await refByName(first, s, "VM", "web-01");
    const snap = await rpc<string>(first, "VM.snapshot", s, web, "survives restart");
    await first.close();
    expect(existsSync(statePath)).toBe(true);
    const second = await startSimulator({ statePath });
    try {
      expect(await rpc(second, "VM.get_name_label", s, snap)).toBe("survives restart");
      expect(await rpc(second, "VM.get_snapshot_time", s, snap)).toBeInstanceOf(Date);
    } finally {
      await second.close();
    }
  });

  it("xsnap sim prints 'xapi-sim listening on URL' first and serves until SIGTERM", async () => {
    const bin = join(__dirname, "..", "..", "bin", "xsnap.js");
    const child = spawn(process.execPath, [bin, "sim", "--fixture", "demo", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once("line", resolve);
      child.once("exit", (code) => reject(new Error(`xsnap sim exited with ${String(code)}`)));
    });
    const match = /^xapi-sim listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine);
    expect(match).not.toBeNull();
    const res = await rawCall(match?.[1] ?? "", "system.listMethods", []);
    expect(res.status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });
});
