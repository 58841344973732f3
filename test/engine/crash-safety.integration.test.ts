/**
 * DESIGN §8 "Kill -9 at any point of an apply, rerun: converged, nothing duplicated, nothing
 * orphaned", against the simulator. The process "dies" at every XAPI call of an apply in turn, either
 * before the call reaches the pool or right after it took effect; then a fresh plan + apply must
 * leave exactly the configured state: one snapshot (or none), no leftover disk, no intent record.
 */
import { connect } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { simCallCount, untilNoTaskPending } from "../helpers/sim";
import { applyPlan } from "../../src/engine/applier";
import { planStack } from "../../src/engine/planner";
import { hasBlockingIntents, type Plan, type DesiredStack } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import type { PoolView } from "../../src/xapi/records";
import { dyingAt } from "../helpers/dying-client";
import { stackOf } from "../helpers/stack";

let sim: RunningSimulator;
let client: XapiClient;
/** Kill points tried per case, each converged (asserted where it is counted). */
const tried = new Map<string, number>();
const converged = (what: string): void => void tried.set(what, (tried.get(what) ?? 0) + 1);

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 0 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  const total = [...tried.values()].reduce((a, b) => a + b, 0);
  console.log(`crash suite (single kinds): ${total} kill points, all converged (${[...tried].map(([what, n]) => `${what} ${n}`).join(", ")})`);
});

async function planNow(stack: DesiredStack): Promise<Plan> {
  const view = await client.readPoolView();
  return planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "", url: sim.url, xapi_version: view.xapiVersion, insecure: false } });
}

const named = (view: PoolView, name: string): string[] => [...view.vms.values()].filter((v) => v.is_a_snapshot && v.name_label === name).map((v) => v.uuid);
const pending = (view: PoolView): string[] => Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"));

const reverts = (): Promise<number> => simCallCount(sim, "Async.VM.revert");
const tasksEnded = (): Promise<void> => untilNoTaskPending(client);

const WEB = stackOf({ address: "xapi_snapshot.web", attrs: { vm: "web-01", name_label: "crash test" } });
const CHECKPOINT = stackOf({ address: "xapi_checkpoint.web", attrs: { vm: "web-01", name_label: "crash test" } });
const NONE = stackOf();

/** Plans and applies until the plan has nothing left to do (at most 3 rounds). */
async function converge(stack: DesiredStack): Promise<Plan> {
  for (let round = 0; round < 3; round++) {
    const plan = await planNow(stack);
    expect(hasBlockingIntents(plan)).toBe(false);
    expect(plan.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    if (plan.changes.every((c) => c.action === "no-op") && (plan.intents ?? []).length === 0 && !(plan.forgotten ?? []).length) return plan;
    const report = await applyPlan({ plan, client });
    expect(report.failed).toEqual([]);
  }
  throw new Error("did not converge in 3 rounds");
}

/** Number of calls an undisturbed apply of `stack` makes from the current state. */
async function callsOf(stack: DesiredStack): Promise<number> {
  const counting = dyingAt(client, Number.MAX_SAFE_INTEGER, "before");
  await applyPlan({ plan: await planNow(stack), client: counting });
  return counting.calls();
}

describe("an apply killed at any point converges on the next apply", () => {
  it.each([["a snapshot", WEB], ["a checkpoint", CHECKPOINT]])("while creating %s", async (what, STACK) => {
    sim.reset();
    const baselineVdis = (await client.readPoolView()).vdis.size;
    const total = await callsOf(STACK);
    const expectedVdis = (await client.readPoolView()).vdis.size;
    expect(expectedVdis).toBeGreaterThan(baselineVdis);
    for (let at = 1; at <= total; at++) {
      for (const when of ["before", "after"] as const) {
        sim.reset();
        await applyPlan({ plan: await planNow(STACK), client: dyingAt(client, at, when) });
        await converge(STACK);
        const view = await client.readPoolView();
        const why = `killed ${when} call ${at} of ${total}`;
        expect({ why, snapshots: named(view, "crash test").length, pending: pending(view), vdis: view.vdis.size })
          .toEqual({ why, snapshots: 1, pending: [], vdis: expectedVdis });
        converged(`creating ${what}`);
      }
    }
  });

  it.each([["a snapshot", WEB], ["a checkpoint", CHECKPOINT]])("while uninstalling %s with its disks", async (what, STACK) => {
    sim.reset();
    const baselineVdis = (await client.readPoolView()).vdis.size;
    await converge(STACK);
    const total = await callsOf(NONE);
    for (let at = 1; at <= total; at++) {
      for (const when of ["before", "after"] as const) {
        sim.reset();
        await converge(STACK);
        await applyPlan({ plan: await planNow(NONE), client: dyingAt(client, at, when) });
        await converge(NONE);
        const view = await client.readPoolView();
        const why = `killed ${when} call ${at} of ${total}`;
        expect({ why, snapshots: named(view, "crash test").length, pending: pending(view), vdis: view.vdis.size })
          .toEqual({ why, snapshots: 0, pending: [], vdis: baselineVdis });
        converged(`uninstalling ${what}`);
      }
    }
  });

  // A disk-only snapshot of the Running VM (the revert leaves it Halted: VM.start) and a checkpoint
  // (left Suspended: VM.resume). Wherever the kill, the power step is taken once and the VM ends Running.
  it.each([
    ["xapi_snapshot.web", "Async.VM.start"],
    ["xapi_checkpoint.web", "Async.VM.resume"],
  ] as const)("while reverting a VM to %s with a safety snapshot and its power state restored: one VM.revert, one safety snapshot, Running", async (target, powerCall) => {
    const BASE = stackOf({ address: target, attrs: { vm: "web-01", name_label: "crash test" } });
    const REVERT = stackOf(
      { address: target, attrs: { vm: "web-01", name_label: "crash test" } },
      { address: "xapi_vm_revert.back", attrs: { vm: "web-01", snapshot: { ref: { address: target as never, attribute: "uuid" } }, revert_token: "t1",
        safety_snapshot: true, restore_power_state: true }, dependsOn: [target] },
    );
    sim.reset();
    await converge(BASE);
    const total = await callsOf(REVERT);
    for (let at = 1; at <= total; at++) {
      for (const when of ["before", "after"] as const) {
        sim.reset();
        await converge(BASE);
        const before = await reverts();
        const powerBefore = await simCallCount(sim, powerCall);
        await applyPlan({ plan: await planNow(REVERT), client: dyingAt(client, at, when, { staysDead: true }) });
        await tasksEnded();   // a killed process's task runs on in the pool
        await converge(REVERT);
        const view = await client.readPoolView();
        const why = `killed ${when} call ${at} of ${total}`;
        const record = JSON.parse(view.pool.other_config["xsnap.revert/demo/xapi_vm_revert.back"] ?? "{}") as { token?: string };
        const power = view.vms.get([...view.vms.values()].find((v) => v.name_label === "web-01" && !v.is_a_snapshot)?.ref as never)?.power_state;
        expect({ why, reverts: (await reverts()) - before, safety: named(view, "web-01 before revert t1").length, token: record.token, pending: pending(view),
          power, powerCalls: (await simCallCount(sim, powerCall)) - powerBefore })
          .toEqual({ why, reverts: 1, safety: 1, token: "t1", pending: [], power: "Running", powerCalls: 1 });
        converged(`reverting to ${target} with a safety snapshot`);
      }
    }
  });

  it("while replacing a snapshot (create before destroy)", async () => {
    const RETAKEN = stackOf({ address: "xapi_snapshot.web", attrs: { vm: "web-01", name_label: "crash test", retake_token: "2" } });
    sim.reset();
    await converge(WEB);
    const expectedVdis = (await client.readPoolView()).vdis.size;
    const total = await callsOf(RETAKEN);
    for (let at = 1; at <= total; at++) {
      for (const when of ["before", "after"] as const) {
        sim.reset();
        await converge(WEB);
        await applyPlan({ plan: await planNow(RETAKEN), client: dyingAt(client, at, when) });
        await converge(RETAKEN);
        const view = await client.readPoolView();
        const why = `killed ${when} call ${at} of ${total}`;
        expect({ why, snapshots: named(view, "crash test").length, pending: pending(view), vdis: view.vdis.size })
          .toEqual({ why, snapshots: 1, pending: [], vdis: expectedVdis });
        converged("replacing a snapshot");
      }
    }
  });
});
