/**
 * xapi_vm_revert through the engine against the real simulator: a snapshot and a revert to it in one
 * apply (the snapshot's uuid known only after apply), exactly one VM.revert per token, safety
 * snapshots, power state, removal, and an interrupted revert that is never run twice.
 */
import { connect } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { simCallCount, untilNoTaskPending } from "../helpers/sim";
import { applyPlan } from "../../src/engine/applier";
import { planStack } from "../../src/engine/planner";
import { isUnknown, type DesiredStack, type Plan } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import type { PoolView, VmRecord } from "../../src/xapi/records";
import { changeAt, stackOf } from "../helpers/stack";

let sim: RunningSimulator;
let client: XapiClient;

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 5 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});
beforeEach(() => sim.reset());

async function planNow(stack: DesiredStack): Promise<Plan> {
  const view = await client.readPoolView();
  return planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "", url: sim.url, xapi_version: view.xapiVersion, insecure: false } });
}

async function apply(stack: DesiredStack): Promise<Plan> {
  const plan = await planNow(stack);
  expect(plan.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const report = await applyPlan({ plan, client });
  expect(report.failed).toEqual([]);
  return plan;
}

const revertCalls = (): Promise<number> => simCallCount(sim, "Async.VM.revert");
const powerCalls = async (): Promise<{ start: number; resume: number }> => ({ start: await simCallCount(sim, "Async.VM.start"), resume: await simCallCount(sim, "Async.VM.resume") });
const tasksEnded = (): Promise<void> => untilNoTaskPending(client);
const vmNamed = (view: PoolView, name: string): VmRecord => {
  const vm = [...view.vms.values()].find((v) => v.name_label === name && !v.is_a_snapshot && !v.is_a_template);
  if (!vm) throw new Error(`no VM ${name}`);
  return vm;
};
const snapshotsOf = (view: PoolView, name: string): VmRecord[] =>
  (view.snapshotsOf.get(vmNamed(view, name).ref) ?? []).map((r) => view.vms.get(r)).filter((v): v is VmRecord => v !== undefined);

const BASE = "xapi_snapshot.base";
const REVERT = "xapi_vm_revert.rollback";
const stack = (token: string, extra: Record<string, boolean> = {}): DesiredStack => stackOf(
  { address: BASE, attrs: { vm: "web-01", name_label: "web-01 base" } },
  { address: REVERT, attrs: { vm: "web-01", snapshot: { ref: { address: BASE as never, attribute: "uuid" } }, revert_token: token, ...extra }, dependsOn: [BASE] },
);

describe("xapi_vm_revert against the simulator", () => {
  it("snapshots and reverts to it in one apply, once; a second plan shows no changes", async () => {
    const plan = await planNow(stack("t1"));
    const revert = changeAt(plan, REVERT);
    expect(revert?.action).toBe("revert");
    expect(isUnknown(revert?.after?.snapshot)).toBe(true);
    expect(revert?.deferred).toEqual({ snapshot: { ref: { address: BASE, attribute: "uuid" } } });
    expect(revert?.notes.join("\n")).toMatch(/reverts web-01 to the snapshot this apply creates: VM state written after it is lost/);
    const report = await applyPlan({ plan, client });
    expect(report).toEqual({ applied: [{ address: BASE, action: "create" }, { address: REVERT, action: "revert" }], failed: [], skipped: [] });
    expect(await revertCalls()).toBe(1);
    const view = await client.readPoolView();
    const web = vmNamed(view, "web-01");
    const base = snapshotsOf(view, "web-01").find((s) => s.name_label === "web-01 base");
    expect(web.parent).toBe(base?.ref);
    expect(web.power_state).toBe("Halted");   // a disk-only snapshot: revert leaves the VM Halted
    const again = await planNow(stack("t1"));
    expect(again.changes.map((c) => [c.address, c.action])).toEqual([[BASE, "no-op"], [REVERT, "no-op"]]);
  });

  it("a new token reverts again exactly once, with a safety snapshot, and restores the power state", async () => {
    await apply(stack("t1"));
    const view = await client.readPoolView();
    await client.call("VM.start", [vmNamed(view, "web-01").ref, false, false]);
    const plan = await planNow(stack("t2", { safety_snapshot: true, restore_power_state: true }));
    const revert = changeAt(plan, REVERT);
    expect(revert).toMatchObject({ action: "revert", reason: "revert_token_changed" });
    expect(revert?.notes.join("\n")).toMatch(/safety snapshot "web-01 before revert t2"/);
    expect(revert?.notes.join("\n")).toMatch(/then starts web-01: the snapshot was taken while it was Running/);
    const report = await applyPlan({ plan, client });
    expect(report.failed).toEqual([]);
    expect(await revertCalls()).toBe(2);
    const after = await client.readPoolView();
    expect(vmNamed(after, "web-01").power_state).toBe("Running");
    const safety = snapshotsOf(after, "web-01").filter((s) => s.name_label === "web-01 before revert t2");
    expect(safety).toHaveLength(1);
    expect(safety[0]?.other_config["xsnap.address"]).toBe(REVERT);
    const again = await planNow(stack("t2", { safety_snapshot: true, restore_power_state: true }));
    expect(again.changes.filter((c) => c.action !== "no-op")).toEqual([]);
  });

  it("refuses at plan time a snapshot of another VM, naming the address", async () => {
    const view = await client.readPoolView();
    const manual = [...view.vms.values()].find((v) => v.name_label === "web-01 manual");
    const plan = await planNow(stackOf({ address: REVERT, attrs: { vm: "db-01", snapshot: manual?.uuid ?? "", revert_token: "x" } }));
    expect(plan.diagnostics).toEqual([expect.objectContaining({ severity: "error", address: REVERT, summary: expect.stringMatching(/is not a snapshot of VM "db-01"/) })]);
    const byName = await planNow(stackOf({ address: REVERT, attrs: { vm: "web-01", snapshot: "web-01 manual", revert_token: "x" } }));
    expect(byName.diagnostics).toEqual([]);
    expect(changeAt(byName, REVERT)?.after?.snapshot).toBe(manual?.uuid);
  });

  it("removing the revert undoes nothing on the VM, uninstalls its safety snapshots and forgets its record", async () => {
    await apply(stack("t1", { safety_snapshot: true }));
    const before = await client.readPoolView();
    const safety = snapshotsOf(before, "web-01").find((s) => s.name_label === "web-01 before revert t1");
    expect(safety).toBeDefined();
    const plan = await planNow(stackOf({ address: BASE, attrs: { vm: "web-01", name_label: "web-01 base" } }));
    const gone = changeAt(plan, REVERT);
    expect(gone?.action).toBe("destroy");
    expect(gone?.notes.join("\n")).toMatch(/removing a revert undoes nothing on web-01/);
    expect(gone?.notes.join("\n")).toContain(safety?.uuid ?? "?");
    expect((await applyPlan({ plan, client })).failed).toEqual([]);
    const after = await client.readPoolView();
    expect(after.byUuid.has(safety?.uuid as never)).toBe(false);
    expect(Object.keys(after.pool.other_config).filter((k) => k.startsWith("xsnap.revert/"))).toEqual([]);
    expect(await revertCalls()).toBe(1);
  });

  it("a revert that ran but was not recorded (killed right after VM.revert) is recorded, never run again", async () => {
    await apply(stackOf({ address: BASE, attrs: { vm: "web-01", name_label: "web-01 base" } }));
    const plan = await planNow(stack("t1"));
    // Kill after VM.revert: the registry write fails as if the process died there.
    const dying: XapiClient = Object.create(client, {
      call: { value: (m: string, p: never[]) => (m === "pool.add_to_other_config" && String(p[1]).startsWith("xsnap.revert/") ? Promise.reject(new Error("killed")) : client.call(m, p)) },
    });
    const report = await applyPlan({ plan, client: dying });
    expect(report.failed.map((f) => f.address)).toEqual([REVERT]);
    expect(await revertCalls()).toBe(1);
    const next = await planNow(stack("t1"));
    expect(next.intents?.map((i) => i.status)).toEqual(["adopt"]);
    expect(changeAt(next, REVERT)).toMatchObject({ action: "update" });
    expect((await applyPlan({ plan: next, client })).failed).toEqual([]);
    expect(await revertCalls()).toBe(1);
    const settled = await planNow(stack("t1"));
    expect(settled.changes.filter((c) => c.action !== "no-op")).toEqual([]);
    expect(settled.intents).toEqual([]);
  });

  // The answer to VM.revert is lost after the pool ran it (/sim/faults "drop-after"). Observe already
  // sees the address (by its marked safety snapshot, or by the record of an earlier token); the
  // intent's adoption must still win, or the next apply reverts the VM a second time.
  it.each([
    ["with a safety snapshot", { safety_snapshot: true }, undefined],
    ["with a safety snapshot, restoring the power state", { safety_snapshot: true, restore_power_state: true }, undefined],
    ["for a new token, after an earlier one was recorded", {}, "t0"],
  ] as [string, Record<string, boolean>, string | undefined][])("a revert whose answer was lost (%s) is recorded by the next apply, never run again", async (_what, extra, earlier) => {
    await apply(stackOf({ address: BASE, attrs: { vm: "web-01", name_label: "web-01 base" } }));
    if (earlier) await apply(stack(earlier));
    const before = await revertCalls();
    const powerBefore = await powerCalls();
    expect((await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([{ method: "VM.revert", error: "drop-after", times: 1 }]) })).status).toBe(200);
    const report = await applyPlan({ plan: await planNow(stack("t1", extra)), client });
    expect(report.failed.map((f) => f.address)).toEqual([REVERT]);
    expect(await revertCalls()).toBe(before + 1);
    await tasksEnded();   // the revert's task runs on in the pool: its answer, with the task's ref, was lost
    const next = await planNow(stack("t1", extra));
    expect(next.intents?.map((i) => i.status)).toEqual(["adopt"]);
    const change = changeAt(next, REVERT);
    expect(change).toMatchObject({ action: "update", resolvesIntent: next.intents?.[0]?.id });
    expect(change?.notes.join("\n")).toMatch(/already reverted web-01 for token "t1": this records it; the VM is not reverted again/);
    const restores = extra.restore_power_state === true;
    // The interrupted apply never reached the power step: the adopting change takes it (a disk-only
    // snapshot of a Running VM: the revert left it Halted, so it is started), or nothing when not asked.
    expect(change?.notes.some((n) => /then starts web-01, as restore_power_state asks, which the interrupted apply did not reach/.test(n))).toBe(restores);
    expect(vmNamed(await client.readPoolView(), "web-01").power_state).toBe("Halted");
    expect((await applyPlan({ plan: next, client })).failed).toEqual([]);
    expect(await revertCalls()).toBe(before + 1);
    expect(await powerCalls()).toEqual({ start: powerBefore.start + (restores ? 1 : 0), resume: powerBefore.resume });
    const view = await client.readPoolView();
    expect(vmNamed(view, "web-01").power_state).toBe(restores ? "Running" : "Halted");
    const safety = snapshotsOf(view, "web-01").filter((s) => s.name_label === "web-01 before revert t1");
    expect(safety.map((s) => s.other_config["xsnap.address"])).toEqual(extra.safety_snapshot === true ? [REVERT] : []);
    expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
    expect(JSON.parse(view.pool.other_config[`xsnap.revert/demo/${REVERT}`] ?? "{}")).toMatchObject({ token: "t1" });
    const settled = await planNow(stack("t1", extra));
    expect(settled.changes.filter((c) => c.action !== "no-op")).toEqual([]);
    expect(settled.intents).toEqual([]);
    expect(await powerCalls()).toEqual({ start: powerBefore.start + (restores ? 1 : 0), resume: powerBefore.resume });
  });

  // A checkpoint: the revert leaves the VM Suspended, and the power step is a resume.
  const CP = "xapi_checkpoint.base";
  const cpStack = (token: string, extra: Record<string, boolean> = {}): DesiredStack => stackOf(
    { address: CP, attrs: { vm: "web-01", name_label: "web-01 checkpoint" } },
    { address: REVERT, attrs: { vm: "web-01", snapshot: { ref: { address: CP as never, attribute: "uuid" } }, revert_token: token, ...extra }, dependsOn: [CP] },
  );
  const dropRevert = async (stackNow: DesiredStack): Promise<void> => {
    expect((await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([{ method: "VM.revert", error: "drop-after", times: 1 }]) })).status).toBe(200);
    const report = await applyPlan({ plan: await planNow(stackNow), client });
    expect(report.failed.map((f) => f.address)).toEqual([REVERT]);
    await tasksEnded();
  };

  it("a checkpoint revert whose answer was lost is recorded and the VM resumed once by the next apply", async () => {
    await apply(stackOf({ address: CP, attrs: { vm: "web-01", name_label: "web-01 checkpoint" } }));
    const extra = { restore_power_state: true };
    await dropRevert(cpStack("c1", extra));
    expect(vmNamed(await client.readPoolView(), "web-01").power_state).toBe("Suspended");
    const next = await planNow(cpStack("c1", extra));
    expect(next.intents?.map((i) => [i.status, i.detail])).toEqual([["adopt", expect.stringMatching(/the next apply records it \(no second revert\), then resumes it/)]]);
    const change = changeAt(next, REVERT);
    expect(change).toMatchObject({ action: "update", resolvesIntent: next.intents?.[0]?.id });
    expect(change?.notes.join("\n")).toMatch(/then resumes web-01, as restore_power_state asks, which the interrupted apply did not reach/);
    expect((await applyPlan({ plan: next, client })).failed).toEqual([]);
    expect({ reverts: await revertCalls(), power: await powerCalls() }).toEqual({ reverts: 1, power: { start: 0, resume: 1 } });
    const view = await client.readPoolView();
    expect(vmNamed(view, "web-01").power_state).toBe("Running");
    expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
    const settled = await planNow(cpStack("c1", extra));
    expect(settled.changes.filter((c) => c.action !== "no-op")).toEqual([]);
    expect(settled.intents).toEqual([]);
  });

  it("killed between the record and the power step: the next apply resumes the VM, once; never a VM the user shut down since", async () => {
    for (const userHalts of [false, true]) {
      sim.reset();
      await apply(stackOf({ address: CP, attrs: { vm: "web-01", name_label: "web-01 checkpoint" } }));
      const extra = { restore_power_state: true };
      // Killed right after the record: the power step's first call fails as if the process died there.
      const dying: XapiClient = Object.create(client, {
        call: { value: (m: string, p: never[]) => (m === "VM.get_power_state" ? Promise.reject(new Error("killed")) : client.call(m, p)) },
      });
      const report = await applyPlan({ plan: await planNow(cpStack("c1", extra)), client: dying });
      expect(report.failed.map((f) => f.address)).toEqual([REVERT]);
      const web = vmNamed(await client.readPoolView(), "web-01");
      expect(web.power_state).toBe("Suspended");
      if (userHalts) await client.call("VM.hard_shutdown", [web.ref]);
      const next = await planNow(cpStack("c1", extra));
      expect(next.intents?.map((i) => i.status)).toEqual([userHalts ? "done" : "adopt"]);
      expect(changeAt(next, REVERT)?.action).toBe(userHalts ? "no-op" : "update");
      expect((await applyPlan({ plan: next, client })).failed).toEqual([]);
      expect({ reverts: await revertCalls(), power: await powerCalls() }).toEqual({ reverts: 1, power: { start: 0, resume: userHalts ? 0 : 1 } });
      const view = await client.readPoolView();
      expect(vmNamed(view, "web-01").power_state).toBe(userHalts ? "Halted" : "Running");
      expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
      const settled = await planNow(cpStack("c1", extra));
      expect(settled.changes.filter((c) => c.action !== "no-op")).toEqual([]);
      expect(settled.intents).toEqual([]);
    }
  });
});
