// xapi_snapshot_schedule, pure: the plan from config (real validation and defaults) against hand-built
// pools — words of the note, boundaries, licence, claims, moves out of unmanaged schedules, setter
// order, drift, deletion outside xsnap, destroy — and the resolution of leftover intents.
import { buildDesiredStack } from "../../src/config";
import { planStack } from "../../src/engine/planner";
import { asAddress, formatDiagnostic, type Change, type DesiredStack, type Plan } from "../../src/model";
import type { IntentRecord } from "../../src/resources/kind";
import { dataSnapshot } from "../../src/resources/data-snapshot";
import { snapshotSchedule } from "../../src/resources/schedule";
import { stepSchema, type ScheduleState } from "../../src/resources/schedule-steps";
import { scheduleNote, whenWords } from "../../src/resources/schedule-words";
import type { VmRecord, VmssRecord } from "../../src/xapi/records";
import type { OpaqueRef, Uuid } from "../../src/xapi/types";
import { demoLikePool } from "../helpers/demo-like-pool";
import type { PoolBuilder } from "../helpers/pool-view";

const STACK = "ops";
const NIGHTLY = "xapi_snapshot_schedule.nightly";
let n = 0;

function addVmss(b: PoolBuilder, a: Partial<Omit<VmssRecord, "VMs">> & { name_label: string; vms?: VmRecord[] }): VmssRecord {
  const id = (++n).toString(16).padStart(12, "0");
  const ref = `OpaqueRef:vmss-t${id}` as OpaqueRef;
  const rec = {
    ref, uuid: `99999999-0000-4000-8000-${id}` as Uuid, name_label: a.name_label, name_description: a.name_description ?? "",
    enabled: a.enabled ?? true, type: a.type ?? "snapshot", retained_snapshots: a.retained_snapshots ?? 7, frequency: a.frequency ?? "daily",
    schedule: a.schedule ?? { hour: "2", min: "30" }, last_run_time: a.last_run_time ?? new Date(0), VMs: (a.vms ?? []).map((v) => v.ref),
  };
  b.vmss.set(ref, rec);
  for (const vm of a.vms ?? []) b.edit(vm, { snapshot_schedule: ref });
  return rec;
}

const register = (b: PoolBuilder, address: string, uuid: string, applied?: ScheduleState): void => {
  b.pool.other_config = { ...b.pool.other_config, [`xsnap.vmss/${STACK}/${address}`]: JSON.stringify({ uuid, ...(applied ? { applied } : {}) }) };
};

const nightly = (extra: Record<string, unknown> = {}) => ({
  name_label: "nightly", type: "snapshot", frequency: "daily", schedule: { hour: 2, min: 30 }, retained_snapshots: 7, vms: ["web-01", "db-01"], ...extra,
});

function stackOf(schedules: Record<string, Record<string, unknown>>, data: Record<string, unknown> = {}): DesiredStack {
  const result = buildDesiredStack({ provider: { xapi: [{}] }, resource: { xapi_snapshot_schedule: schedules }, ...(Object.keys(data).length ? { data } : {}) }, STACK);
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  return result.value;
}

const configProblems = (schedule: Record<string, unknown>): string[] => {
  const result = buildDesiredStack({ provider: { xapi: [{}] }, resource: { xapi_snapshot_schedule: { nightly: schedule } } }, STACK);
  return result.ok ? [] : result.diagnostics.map(formatDiagnostic);
};

function plan(b: PoolBuilder, stack: DesiredStack): Plan {
  const view = b.build();
  return planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "p", url: "http://x", xapi_version: view.xapiVersion, insecure: false } });
}

const at = (p: Plan, address = NIGHTLY): Change => {
  const c = p.changes.find((x) => x.address === address);
  if (!c) throw new Error(`no change for ${address}: ${p.diagnostics.map(formatDiagnostic).join("; ")}`);
  return c;
};
const errors = (p: Plan): string[] => p.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic);
const warnings = (p: Plan): string[] => p.diagnostics.filter((d) => d.severity === "warning").map(formatDiagnostic);
const step = (c: Change) => stepSchema.parse(c.private);

describe("the schedule in words", () => {
  it.each([
    ["hourly", { min: 15 }, "hourly at :15"],
    ["hourly", { min: 0 }, "hourly at :00"],
    ["daily", { hour: 2, min: 30 }, "daily at 02:30"],
    ["weekly", { hour: 4, min: 0, days: ["Saturday", "Wednesday"] }, "weekly on Wednesday and Saturday at 04:00"],
    ["weekly", { hour: 23, min: 45, days: ["Friday", "Monday", "Wednesday"] }, "weekly on Monday, Wednesday and Friday at 23:45"],
    ["weekly", { hour: 0, min: 0, days: ["Sunday"] }, "weekly on Sunday at 00:00"],
  ] as const)("%s %j reads %s", (frequency, schedule, words) => {
    expect(whenWords(frequency, schedule)).toBe(words);
  });

  it("says what it takes, how many it keeps, of which VMs, and when it is disabled", () => {
    expect(scheduleNote({ type: "snapshot", frequency: "daily", schedule: { hour: 2, min: 30 }, retained: 7, enabled: true, vms: ["web-01", "db-01"] }))
      .toBe("(daily at 02:30, keeps 7; snapshots web-01, db-01)");
    expect(scheduleNote({ type: "checkpoint", frequency: "weekly", schedule: { hour: 4, min: 0, days: ["Wednesday", "Saturday"] }, retained: 4, enabled: false, vms: ["db-01"] }))
      .toBe("(weekly on Wednesday and Saturday at 04:00, keeps 4, disabled; checkpoints db-01)");
    expect(scheduleNote({ type: "snapshot", frequency: "hourly", schedule: { min: 15 }, retained: 1, enabled: true, vms: [] }))
      .toBe("(hourly at :15, keeps 1; snapshots no VM yet)");
  });
});

describe("create", () => {
  it("plans VMSS.create with XAPI's schedule map and the VMs by uuid; the note reads at a glance", () => {
    const { b, vms } = demoLikePool();
    const c = at(plan(b, stackOf({ nightly: nightly() })));
    expect(c.action).toBe("create");
    expect(c.notes[0]).toBe("(daily at 02:30, keeps 7; snapshots web-01, db-01)");
    expect(c.after).toMatchObject({ name_label: "nightly", frequency: "daily", schedule: { hour: 2, min: 30 }, retained_snapshots: 7, enabled: true,
      vms: ["db-01", "web-01"], uuid: { unknown: true }, last_run_time: { unknown: true } });
    const s = step(c);
    expect(s.op === "create" && s.state).toEqual({ name_label: "nightly", name_description: "", type: "snapshot", frequency: "daily",
      schedule: { hour: "2", min: "30" }, retained_snapshots: 7, enabled: true, vms: [vms.web.uuid, vms.db.uuid].sort() });
    expect(snapshotSchedule.serialKeys(c, {})).toEqual(expect.arrayContaining([vms.web.uuid, vms.db.uuid]));
  });

  it("takes VMs by name, uuid and data-source uuid mixed in one list, or a data.xapi_vms list whole", () => {
    const { b, vms } = demoLikePool();
    b.edit(vms.paused, { tags: ["nightly"] });
    b.edit(vms.batch, { tags: ["nightly"] });
    const mixed = stackOf({ nightly: nightly({ vms: ["web-01", vms.db.uuid, "${data.xapi_vm.batch.uuid}"] }) }, { xapi_vm: { batch: { name_label: "batch-01" } } });
    const s1 = step(at(plan(b, mixed)));
    expect(s1.op === "create" && s1.state.vms).toEqual([vms.web.uuid, vms.db.uuid, vms.batch.uuid].sort());
    const whole = stackOf({ nightly: nightly({ vms: "${data.xapi_vms.tagged.uuids}" }) }, { xapi_vms: { tagged: { tags: ["nightly"] } } });
    const s2 = step(at(plan(b, whole)));
    expect(s2.op === "create" && s2.state.vms).toEqual([vms.paused.uuid, vms.batch.uuid].sort());
  });

  it("refuses a VM name that matches several VMs, listing them", () => {
    const { b } = demoLikePool();
    const p = plan(b, stackOf({ nightly: nightly({ vms: ["app"] }) }));
    expect(errors(p).join("\n")).toContain(`${NIGHTLY}: vms[0] "app" matches 2 VMs`);
  });

  it.each([[1, true], [10, true], [0, false], [11, false]])("retained_snapshots = %d is %s", (retained, ok) => {
    const problems = configProblems(nightly({ retained_snapshots: retained }));
    if (ok) {
      expect(problems).toEqual([]);
      const { b } = demoLikePool();
      expect(step(at(plan(b, stackOf({ nightly: nightly({ retained_snapshots: retained }) })))).op).toBe("create");
    } else {
      expect(problems.join("\n")).toMatch(/xapi_snapshot_schedule\.nightly: .*retained_snapshots/);
    }
  });

  it("refuses at plan time on a pool whose licence restricts VMSS", () => {
    const { b } = demoLikePool();
    b.pool.restrictions = { restrict_vmss: "true" };
    expect(errors(plan(b, stackOf({ nightly: nightly() })))).toEqual([expect.stringContaining(`${NIGHTLY}: the pool's licence does not include snapshot schedules (pool.restrictions restrict_vmss=true)`)]);
  });

  it("refuses quiesced schedules where quiesce was removed", () => {
    const { b } = demoLikePool();
    expect(errors(plan(b, stackOf({ nightly: nightly({ type: "snapshot_with_quiesce" }) }))).join("\n")).toContain('type "snapshot_with_quiesce" is not available on this pool');
  });

  it("a VM claimed by two schedules of the stack is an error naming both addresses", () => {
    const { b, vms } = demoLikePool();
    // One by name, one by uuid: the config check cannot see it, the plan does.
    const p = plan(b, stackOf({ nightly: nightly({ vms: ["web-01"] }), other: nightly({ name_label: "other", vms: [vms.web.uuid] }) }));
    expect(errors(p).join("\n")).toMatch(/VM "web-01" is claimed by xapi_snapshot_schedule\.(nightly|other) and xapi_snapshot_schedule\.(nightly|other)/);
  });

  it("warns when a VM would be moved out of an unmanaged schedule, naming it", () => {
    const { b, vms } = demoLikePool();
    const legacy = addVmss(b, { name_label: "legacy-hourly", frequency: "hourly", schedule: { min: "0" }, vms: [vms.batch] });
    const p = plan(b, stackOf({ nightly: nightly({ vms: ["batch-01"] }) }));
    expect(warnings(p)).toEqual([expect.stringContaining(`${NIGHTLY}: VM "batch-01" is in the unmanaged schedule "legacy-hourly" (uuid ${legacy.uuid}); applying moves it`)]);
    expect(at(p).notes).toContain('(moves batch-01 out of the unmanaged schedule "legacy-hourly")');
    expect(errors(p)).toEqual([]);
  });
});

describe("update in place", () => {
  const applied = (vms: readonly VmRecord[], extra: Partial<ScheduleState> = {}): ScheduleState => ({
    name_label: "nightly", name_description: "", type: "snapshot", frequency: "daily", schedule: { hour: "2", min: "30" },
    retained_snapshots: 7, enabled: true, vms: vms.map((v) => v.uuid as string).sort(), ...extra,
  });

  function managedPool() {
    const { b, vms } = demoLikePool();
    const vmss = addVmss(b, { name_label: "nightly", vms: [vms.web, vms.db] });
    register(b, NIGHTLY, vmss.uuid, applied([vms.web, vms.db]));
    return { b, vms, vmss };
  }

  it("no changes when the VMSS is as configured and recorded", () => {
    const { b } = managedPool();
    const p = plan(b, stackOf({ nightly: nightly() }));
    expect(at(p).action).toBe("no-op");
    expect(p.drift).toEqual([]);
  });

  it("frequency and schedule together: set_frequency first, then the whole map", () => {
    const { b, vmss } = managedPool();
    const c = at(plan(b, stackOf({ nightly: nightly({ frequency: "weekly", schedule: { hour: 4, min: 0, days: ["Wednesday", "Saturday"] } }) })));
    expect(c.action).toBe("update");
    expect(step(c)).toMatchObject({ op: "update", vmss: vmss.uuid, frequency: "weekly", schedule: { hour: "4", min: "0", days: "Wednesday,Saturday" }, remove_keys: [] });
    expect(c.notes[0]).toBe("(weekly on Wednesday and Saturday at 04:00, keeps 7; snapshots web-01, db-01)");
  });

  it("daily to hourly: the map is rewritten to the hourly keys", () => {
    const { b } = managedPool();
    expect(step(at(plan(b, stackOf({ nightly: nightly({ frequency: "hourly", schedule: { min: 15 } }) }))))).toMatchObject({ frequency: "hourly", schedule: { min: "15" } });
  });

  it("a stray key (added outside) is removed when the frequency stays", () => {
    const { b, vmss } = managedPool();
    b.edit(vmss, { schedule: { hour: "2", min: "30", days: "Monday" } });
    expect(step(at(plan(b, stackOf({ nightly: nightly() }))))).toMatchObject({ remove_keys: ["days"] });
  });

  it("an hour stored as \"02\" is the same hour", () => {
    const { b, vmss } = managedPool();
    b.edit(vmss, { schedule: { hour: "02", min: "30" } });
    expect(at(plan(b, stackOf({ nightly: nightly() }))).action).toBe("no-op");
  });

  it("plain setters and membership: only what differs", () => {
    const { b, vms } = managedPool();
    const c = at(plan(b, stackOf({ nightly: nightly({ name_label: "nightly-2", retained_snapshots: 3, enabled: false, type: "checkpoint", name_description: "d", vms: ["web-01", "paused-01"] }) })));
    expect(step(c)).toMatchObject({ set: { name_label: "nightly-2", name_description: "d", type: "checkpoint", retained_snapshots: 3, enabled: false }, attach: [vms.paused.uuid], detach: [vms.db.uuid] });
    expect(c.notes).toContain("(detaches db-01: the snapshots the schedule took of it stay)");
    expect(snapshotSchedule.serialKeys(c, {})).toEqual(expect.arrayContaining([vms.web.uuid, vms.paused.uuid, vms.db.uuid]));
  });

  it("an edit made outside xsnap is drift (before as applied, after as found) and is planned back", () => {
    const { b, vmss } = managedPool();
    b.edit(vmss, { retained_snapshots: 2, enabled: false });
    const p = plan(b, stackOf({ nightly: nightly() }));
    expect(p.drift).toEqual([expect.objectContaining({ address: NIGHTLY, kind: "changed", before: { retained_snapshots: 7, enabled: true }, after: { retained_snapshots: 2, enabled: false } })]);
    expect(step(at(p))).toMatchObject({ set: { retained_snapshots: 7, enabled: true } });
  });

  it("a VMSS deleted outside xsnap is drift and created again", () => {
    const { b, vmss } = managedPool();
    b.vmss.delete(vmss.ref);
    const p = plan(b, stackOf({ nightly: nightly() }));
    expect(at(p)).toMatchObject({ action: "create", reason: "deleted_outside" });
    expect(p.drift).toEqual([expect.objectContaining({ address: NIGHTLY, kind: "deleted" })]);
  });

  it("removed from the configuration: detach the VMs, then destroy; the snapshots it took stay", () => {
    const { b, vms, vmss } = managedPool();
    b.snapshot(vms.web, { name_label: "web-01-nightly-1", is_vmss_snapshot: true });
    const c = at(plan(b, stackOf({})));
    expect(c.action).toBe("destroy");
    expect(step(c)).toEqual({ op: "destroy", vmss: vmss.uuid, vms: [vms.web.uuid, vms.db.uuid] });
    expect(c.notes).toEqual(['(detaches web-01, db-01, then destroys the schedule "nightly")', "(the 1 snapshot it took stay in the pool, unmanaged)"]);
  });
});

describe("resolveIntent", () => {
  const intent = (extra: Partial<IntentRecord>): IntentRecord => ({
    id: "op-1", op: "create", address: asAddress(NIGHTLY), type: "xapi_snapshot_schedule", started: "2026-11-25T00:00:00Z", expected_name: "nightly", existing: [], ...extra,
  });

  it("a create that ran and was recorded is done", () => {
    const { b } = demoLikePool();
    const vmss = addVmss(b, { name_label: "nightly" });
    const registry = new Map([[asAddress(NIGHTLY), JSON.stringify({ uuid: vmss.uuid })]]);
    expect(snapshotSchedule.resolveIntent(b.build(), intent({}), registry).status).toBe("done");
  });

  it("a create that ran but was not recorded is adopted: the new VMSS by name, unclaimed, not there before", () => {
    const { b } = demoLikePool();
    const before = addVmss(b, { name_label: "nightly" });
    const claimed = addVmss(b, { name_label: "nightly" });
    register(b, "xapi_snapshot_schedule.other", claimed.uuid);
    const created = addVmss(b, { name_label: "nightly" });
    const r = snapshotSchedule.resolveIntent(b.build(), intent({ existing: [before.uuid] }), new Map());
    expect(r).toMatchObject({ status: "adopt", live: { uuid: created.uuid, adoptedFrom: "op-1" } });
  });

  it("a create that never ran is discarded; two candidates are ambiguous", () => {
    const { b } = demoLikePool();
    expect(snapshotSchedule.resolveIntent(b.build(), intent({}), new Map()).status).toBe("discard");
    addVmss(b, { name_label: "nightly" });
    addVmss(b, { name_label: "nightly" });
    expect(snapshotSchedule.resolveIntent(b.build(), intent({}), new Map()).status).toBe("ambiguous");
  });

  it("a destroy whose VMSS is gone is done; an update is decided again by the plan", () => {
    const { b } = demoLikePool();
    const vmss = addVmss(b, { name_label: "nightly" });
    expect(snapshotSchedule.resolveIntent(b.build(), intent({ op: "destroy", object: "00000000-dead-4000-8000-000000000000" as Uuid }), new Map()).status).toBe("done");
    expect(snapshotSchedule.resolveIntent(b.build(), intent({ op: "destroy", object: vmss.uuid }), new Map()).status).toBe("discard");
    expect(snapshotSchedule.resolveIntent(b.build(), intent({ op: "update", object: vmss.uuid }), new Map()).status).toBe("discard");
  });

  it("an adopted VMSS is recorded (and its VMs attached) by the next plan", () => {
    const { b, vms } = demoLikePool();
    const created = addVmss(b, { name_label: "nightly" });
    b.pool.other_config = { [`xsnap.pending/${STACK}/op-1`]: JSON.stringify(intent({})) };
    const c = at(plan(b, stackOf({ nightly: nightly() })));
    expect(c).toMatchObject({ action: "update", resolvesIntent: "op-1" });
    expect(step(c)).toMatchObject({ vmss: created.uuid, attach: expect.arrayContaining([vms.web.uuid, vms.db.uuid]) });
  });
});

describe("import", () => {
  it("refuses a snapshot a schedule took, and a VMSS another address manages", () => {
    const { b, vms } = demoLikePool();
    const vmss = addVmss(b, { name_label: "nightly", vms: [vms.web] });
    const taken = b.snapshot(vms.web, { name_label: "web-01-nightly", is_vmss_snapshot: true });
    expect(snapshotSchedule.unadoptable(b.build(), taken.uuid, "ops")).toContain("is a snapshot a schedule took");
    expect(snapshotSchedule.unadoptable(b.build(), vmss.uuid, "ops")).toBeUndefined();
    register(b, NIGHTLY, vmss.uuid);
    expect(snapshotSchedule.unadoptable(b.build(), vmss.uuid, "ops")).toContain(`already managed as ${NIGHTLY} in stack "ops"`);
  });
});

describe("data.xapi_snapshot by schedule", () => {
  const address = asAddress("data.xapi_snapshot.latest");
  it("the newest snapshot the VM's schedule took; nothing taken yet names the VM and the schedule; several without most_recent are listed", () => {
    const { b, vms } = demoLikePool();
    addVmss(b, { name_label: "nightly", vms: [vms.web] });
    expect(dataSnapshot.read({ address, spec: { vm: "web-01", schedule: "nightly" }, view: b.build() }).diagnostics.map(formatDiagnostic))
      .toEqual([expect.stringContaining('data.xapi_snapshot.latest: no snapshot of VM "web-01" taken by schedule "nightly"')]);
    b.snapshot(vms.web, { name_label: "web-01-nightly-1", is_vmss_snapshot: true });
    const newest = b.snapshot(vms.web, { name_label: "web-01-nightly-2", is_vmss_snapshot: true });
    expect(dataSnapshot.read({ address, spec: { vm: "web-01", schedule: "nightly", most_recent: true }, view: b.build() }).attrs?.uuid).toBe(newest.uuid);
    const several = dataSnapshot.read({ address, spec: { vm: "web-01", schedule: "nightly", most_recent: false }, view: b.build() }).diagnostics[0];
    expect(several?.summary).toContain('2 snapshots of VM "web-01" match (taken by schedule "nightly") and most_recent is false');
    expect(several?.detail).toContain("web-01-nightly-1");
    expect(several?.detail).toContain("web-01-nightly-2");
  });
});
