/**
 * The simulator's compact storage (records from per-class constructors, shared frozen empties,
 * snapshot_metadata as interned pieces): the shared values are never written into (the wire
 * encoders are compared with the generic paths in record-bytes.test.ts).
 */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { PieceText } from "../../src/sim/schema";
import { recordToSexpr, sexprToRecord } from "../../src/sim/sexpr";

describe("simulator record storage", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ vms: 12, snapshotsPerVm: 3, seed: 3, authFailureDelayMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("keeps snapshot_metadata as pieces that read back as the S-expression of the source VM", () => {
    const db = sim.sim.db;
    const snap = [...db.table("VM").values()].find((r) => r.is_a_snapshot === true);
    expect(snap?.snapshot_metadata).toBeInstanceOf(PieceText);
    const text = String(snap?.snapshot_metadata);
    expect(text.length).toBeGreaterThan(3000);
    expect(JSON.parse(JSON.stringify({ m: snap?.snapshot_metadata })).m).toBe(text); // state file form
    const source = db.require("VM", String(snap?.snapshot_of));
    expect(sexprToRecord("VM", text)).toMatchObject({ name_label: source.name_label, memory_static_max: source.memory_static_max });
  });

  it("never lets a shared empty set or map change under another record", () => {
    const db = sim.sim.db;
    const [a, b] = [...db.table("VM").entries()].filter(([, r]) => r.is_a_snapshot !== true && r.is_control_domain !== true && (r.tags as string[]).length === 0);
    expect(a && b).toBeTruthy();
    if (!a || !b) return;
    expect(Object.isFrozen(a[1].tags)).toBe(true);
    db.set("VM", a[0], "tags", ["x"]);
    expect(b[1].tags).toEqual([]);
    // A reverse-relation set starts as the shared empty and becomes a fresh array on the first member.
    const vmss = db.create("VMSS", { name_label: "s", type: "snapshot", frequency: "daily" });
    const other = db.create("VMSS", { name_label: "t", type: "snapshot", frequency: "daily" });
    db.set("VM", a[0], "snapshot_schedule", vmss);
    expect(db.require("VMSS", vmss).VMs).toEqual([a[0]]);
    expect(db.require("VMSS", other).VMs).toEqual([]);
  });

  it("gives a changed source VM's next snapshot the changed values (no stale cached piece)", () => {
    const rec = { ...sim.sim.db.require("VM", [...sim.sim.db.table("VM").keys()][0] as string) };
    const before = String(recordToSexpr("VM", "OpaqueRef:x", rec));
    const changed = String(recordToSexpr("VM", "OpaqueRef:x", { ...rec, name_label: "renamed", snapshots: ["OpaqueRef:s1"] }));
    expect(changed).not.toBe(before);
    expect(changed).toContain("('name__label' 'renamed')");
    expect(changed).toContain("('snapshots' '(\\'OpaqueRef:s1\\')')");
  });
});
