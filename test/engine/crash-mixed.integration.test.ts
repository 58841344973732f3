/**
 * Kill -9 anywhere in a mixed apply (issue 12): a snapshot, a template made from it, a revert of its
 * VM to it and a snapshot schedule, planned together. The process dies at every XAPI call in turn — before the call
 * reaches the pool, or right after it took effect — and stays dead; then plan + apply converge:
 * each object exactly once, no orphan disk, no intent left, and VM.revert ran exactly once.
 */
import { connect } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { applyPlan } from "../../src/engine/applier";
import { planStack } from "../../src/engine/planner";
import { asAddress, hasBlockingIntents, type DesiredStack, type Plan } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import type { PoolView } from "../../src/xapi/records";
import { dyingAt } from "../helpers/dying-client";
import { stackOf } from "../helpers/stack";

let sim: RunningSimulator;
let client: XapiClient;

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 0 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});

async function planNow(stack: DesiredStack): Promise<Plan> {
  const view = await client.readPoolView();
  return planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "", url: sim.url, xapi_version: view.xapiVersion, insecure: false } });
}

const ref = (address: string) => ({ ref: { address: asAddress(address), attribute: "uuid" } });
const MIXED = stackOf(
  { address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "crash base" } },
  { address: "xapi_template.gold", attrs: { source: ref("xapi_snapshot.base"), name_label: "crash gold", sr: "NFS store" }, dependsOn: ["xapi_snapshot.base"] },
  { address: "xapi_vm_revert.back", attrs: { vm: "web-01", snapshot: ref("xapi_snapshot.base"), revert_token: "t1" }, dependsOn: ["xapi_snapshot.base"] },
  { address: "xapi_snapshot_schedule.nightly", attrs: { name_label: "crash nightly", name_description: "", type: "snapshot", frequency: "daily",
    schedule: { hour: 2, min: 30 }, retained_snapshots: 7, enabled: true, vms: ["db-01"] } },
);

const reverts = async (): Promise<number> => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls["Async.VM.revert"] ?? 0;
const count = (view: PoolView, name: string): number => [...view.vms.values()].filter((v) => v.name_label === name).length;
const pending = (view: PoolView): string[] => Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"));

async function converge(stack: DesiredStack): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const plan = await planNow(stack);
    expect({ blocking: hasBlockingIntents(plan) ? plan.intents : false, errors: plan.diagnostics.filter((d) => d.severity === "error") }).toEqual({ blocking: false, errors: [] });
    if (plan.changes.every((c) => c.action === "no-op") && (plan.intents ?? []).length === 0) return;
    expect((await applyPlan({ plan, client, parallelism: 1 })).failed).toEqual([]);
  }
  throw new Error("did not converge in 3 rounds");
}

describe("a mixed apply (snapshot, template, revert, schedule) killed at any point converges", () => {
  it("before and after every XAPI call", async () => {   // ~35 s alone on 2 cores; more when the machine is shared
    sim.reset();
    const counting = dyingAt(client, Number.MAX_SAFE_INTEGER, "before", { staysDead: true });
    await applyPlan({ plan: await planNow(MIXED), client: counting, parallelism: 1 });
    const total = counting.calls();
    const expected = await client.readPoolView();
    const shape = (v: PoolView) => {
      const schedules = [...v.vmss.values()].filter((s) => s.name_label === "crash nightly");
      const db = [...v.vms.values()].find((x) => x.name_label === "db-01");
      return { base: count(v, "crash base"), gold: count(v, "crash gold"), schedules: schedules.length, dbInSchedule: db?.snapshot_schedule === schedules[0]?.ref,
        pending: pending(v), vdis: v.vdis.size };
    };
    expect(shape(expected)).toEqual({ base: 1, gold: 1, schedules: 1, dbInSchedule: true, pending: [], vdis: expect.any(Number) });
    const want = shape(expected);
    let tried = 0;
    for (let at = 1; at <= total; at++) {
      for (const when of ["before", "after"] as const) {
        sim.reset();
        const revertsBefore = await reverts();
        await applyPlan({ plan: await planNow(MIXED), client: dyingAt(client, at, when, { staysDead: true }), parallelism: 1 });
        await converge(MIXED);
        const view = await client.readPoolView();
        const why = `killed ${when} call ${at} of ${total}`;
        expect({ why, ...shape(view), reverts: (await reverts()) - revertsBefore }).toEqual({ why, ...want, reverts: 1 });
        tried++;
      }
    }
    expect(tried).toBe(2 * total);
    console.log(`mixed crash suite: ${total} XAPI calls, ${tried} kill points, all converged`);
  }, 300_000);
});
