/**
 * The simulator seen through the Vates `xen-api` client (a real XAPI client nobody here wrote), run in a
 * child process because it is ESM.
 */
import { runXenApiDriver, useSimulator } from "../helpers/sim";

type Rec = Record<string, unknown>;

describe("simulator through the Vates xen-api client", () => {
  const sim = useSimulator({ taskMs: 20 });

  it("connects over XML-RPC with events, lists the demo VMs, snapshots, checkpoints and reverts via Async tasks", async () => {
    const out = await runXenApiDriver({
      url: sim().url,
      watchEvents: true,
      steps: [
        { op: "objects", type: "VM" },
        { op: "call", method: "VM.get_by_name_label", args: ["web-01"], save: "web" },
        { op: "callAsync", method: "VM.snapshot", args: ["$web.0", "via xen-api"], save: "snap" },
        { op: "call", method: "VM.get_record", args: ["$snap"] },
        { op: "callAsync", method: "VM.checkpoint", args: ["$web.0", "cp via xen-api"], save: "cp" },
        { op: "callAsync", method: "VM.revert", args: ["$cp"] },
        { op: "call", method: "VM.get_power_state", args: ["$web.0"] },
        { op: "call", method: "VM.get_by_name_label", args: ["batch-01"], save: "batch" },
        { op: "callAsync", method: "VM.checkpoint", args: ["$batch.0", "must fail"] },
        { op: "call", method: "VM.snapshot_with_quiesce", args: ["$web.0", "vss"] },
      ],
    });
    expect(out.connectError).toBeUndefined();
    const [objects, , snap, snapRecord, cp, revert, power, , halted, quiesce] = out.results;
    const names = ((objects as { value: Rec[] }).value).map((o) => o.name_label);
    expect(names).toEqual(expect.arrayContaining(["web-01", "db-01", "win-app-01", "batch-01", "legacy-raw", "paused-01", "bigmem-01", "app", "web-01 manual"]));
    expect(snap).toMatchObject({ ok: true, value: expect.stringMatching(/^OpaqueRef:/) });
    expect(snapRecord).toMatchObject({ ok: true, value: { is_a_snapshot: true, is_a_template: true, name_label: "via xen-api", memory_static_max: "2147483648" } });
    expect(cp).toMatchObject({ ok: true });
    expect(revert).toMatchObject({ ok: true });
    expect(power).toEqual({ ok: true, value: "Suspended" });
    expect(halted).toMatchObject({ ok: false, code: "VM_BAD_POWER_STATE", params: [expect.stringMatching(/^OpaqueRef:/), "paused, suspended, running", "halted"] });
    expect(quiesce).toMatchObject({ ok: false, code: "MESSAGE_REMOVED" });
  });

  it("fails to connect with the wrong password with SESSION_AUTHENTICATION_FAILED", async () => {
    const out = await runXenApiDriver({ url: sim().url, password: "nope", steps: [] });
    expect(out.connected).toBe(false);
    expect(out.connectError?.code).toBe("SESSION_AUTHENTICATION_FAILED");
  });

  it("connects with the default auto transport through /jsonrpc", async () => {
    const out = await runXenApiDriver({ url: sim().url, transport: "auto", steps: [{ op: "call", method: "VM.get_by_name_label", args: ["app"] }] });
    expect(out.connected).toBe(true);
    expect((out.results[0] as { value: string[] }).value).toHaveLength(2);
  });

  it("exports a halted snapshot over HTTP with a task, and refuses a running VM", async () => {
    const out = await runXenApiDriver({
      url: sim().url,
      steps: [
        { op: "call", method: "VM.get_by_name_label", args: ["web-01 manual"], save: "snap" },
        { op: "getResource", path: "/export", query: { ref: "$snap.0" } },
        { op: "call", method: "VM.get_by_name_label", args: ["db-01"], save: "db" },
        { op: "getResource", path: "/export", query: { ref: "$db.0" } },
      ],
    });
    const exported = out.results[1] as { ok: true; value: { status: number; bytes: number } };
    expect(exported.ok).toBe(true);
    expect(exported.value.status).toBe(200);
    expect(exported.value.bytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(out.results[3]).toMatchObject({ ok: false });
  });
});
