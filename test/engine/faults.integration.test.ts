/**
 * Fault suite (issue 12) on the simulator's `/sim/faults`, the engine driven directly with the real
 * client and a retry policy that does not wait: each transient code on each mutating method the kinds
 * call is retried to success (seen as a retry event, or as a second login for SESSION_INVALID);
 * dropped connections and hangs on creating calls never duplicate an object (the next plan settles
 * the intent); a session that expires mid-apply is renewed. Permanent codes and concurrent applies
 * go through the CLI in test/cli/faults.test.ts.
 */
import { connect, RetryPolicy } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { applyPlan } from "../../src/engine/applier";
import { planStack } from "../../src/engine/planner";
import { asAddress, hasBlockingIntents, type ApplyEvent, type ApplyReport, type ConfigValue, type DesiredStack, type Plan } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import type { PoolView } from "../../src/xapi/records";
import { stackOf } from "../helpers/stack";

jest.setTimeout(60_000);

let sim: RunningSimulator;
let client: XapiClient;
const instant = new RetryPolicy({ sleep: () => Promise.resolve() });
/** Every fault injected (code or kind, method, how many) and what became of it, for the summary line. */
const tally: { what: string; method: string; times: number; outcome: "retried" | "settled" }[] = [];
let injectedNow: { what: string; method: string; times: number }[] = [];
/** The faults this test injected ended so: retried to success within the apply, or settled by the next plan. */
function outcome(kind: "retried" | "settled"): void {
  tally.push(...injectedNow.map((f) => ({ ...f, outcome: kind })));
  injectedNow = [];
}
function summary(): string {
  const byWhat = new Map<string, { faults: number; methods: Set<string>; retried: number; settled: number }>();
  for (const t of tally) {
    const row = byWhat.get(t.what) ?? { faults: 0, methods: new Set<string>(), retried: 0, settled: 0 };
    row.faults += t.times;
    row.methods.add(t.method);
    row[t.outcome] += t.times;
    byWhat.set(t.what, row);
  }
  const rows = [...byWhat].map(([what, r]) => `${what} ×${r.faults} on ${r.methods.size} method(s): ${[r.retried ? `${r.retried} retried` : "", r.settled ? `${r.settled} settled` : ""].filter(Boolean).join(", ")}`);
  const total = tally.reduce((n, t) => n + t.times, 0);
  return `fault suite (engine): ${total} faults injected, ${tally.filter((t) => t.outcome === "retried").reduce((n, t) => n + t.times, 0)} retried to success within the apply, ${tally.filter((t) => t.outcome === "settled").reduce((n, t) => n + t.times, 0)} settled by the next plan (no duplicate, no orphan) — ${rows.join("; ")}`;
}

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 0, authFailureDelayMs: 0 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  console.log(summary());
});

type Fault = { method: string; error: string[] | "drop" | "hang" | "drop-after"; times?: number; after?: number };
async function inject(...faults: Fault[]): Promise<void> {
  const res = await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify(faults) });
  expect(res.status).toBe(200);
  injectedNow.push(...faults.map((f) => ({ what: Array.isArray(f.error) ? f.error[0] ?? "" : f.error, method: f.method, times: f.times ?? 1 })));
}
const stats = async (): Promise<{ calls: Record<string, number>; mutating_calls: number }> => (await (await fetch(`${sim.url}/sim/stats`)).json()) as never;
const logins = async (): Promise<number> => (await stats()).calls["session.login_with_password"] ?? 0;

async function planNow(stack: DesiredStack, c: XapiClient = client): Promise<Plan> {
  const view = await c.readPoolView();
  return planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "", url: sim.url, xapi_version: view.xapiVersion, insecure: false } });
}
async function apply(stack: DesiredStack, c: XapiClient = client): Promise<{ report: ApplyReport; events: ApplyEvent[] }> {
  const plan = await planNow(stack, c);
  expect(plan.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const events: ApplyEvent[] = [];
  const report = await applyPlan({ plan, client: c, parallelism: 1, retryPolicy: instant, onEvent: (e) => events.push(e) });
  return { report, events };
}
/** The next plan: nothing to do, no intent left. */
async function expectConverged(stack: DesiredStack): Promise<void> {
  const plan = await planNow(stack);
  expect({ changes: plan.changes.filter((c) => c.action !== "no-op").map((c) => `${c.action} ${c.address}`), intents: plan.intents ?? [] }).toEqual({ changes: [], intents: [] });
}
/** Plan + apply until nothing is left (at most 3 rounds), as a pipeline would rerun. */
async function converge(stack: DesiredStack): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const plan = await planNow(stack);
    expect(hasBlockingIntents(plan)).toBe(false);
    if (plan.changes.every((c) => c.action === "no-op") && (plan.intents ?? []).length === 0) return;
    expect((await applyPlan({ plan, client, parallelism: 1, retryPolicy: instant })).failed).toEqual([]);
  }
  throw new Error("did not converge in 3 rounds");
}

const ref = (address: string) => ({ ref: { address: asAddress(address), attribute: "uuid" } });
const schedule = (retained: number, frequency = "daily") => ({
  address: "xapi_snapshot_schedule.nightly",
  attrs: { name_label: "fault nightly", name_description: "", type: "snapshot", frequency, schedule: (frequency === "daily" ? { hour: 2, min: 30 } : { min: 15 }) as ConfigValue, retained_snapshots: retained, enabled: true, vms: ["db-01"] },
});
const FULL = (retained = 7, frequency = "daily") => stackOf(
  { address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "fault base" } },
  { address: "xapi_template.copy", attrs: { source: ref("xapi_snapshot.base"), name_label: "fault copy", sr: "NFS store" }, dependsOn: ["xapi_snapshot.base"] },
  { address: "xapi_template.clone", attrs: { source: ref("xapi_snapshot.base"), name_label: "fault clone" }, dependsOn: ["xapi_snapshot.base"] },
  { address: "xapi_checkpoint.cp", attrs: { vm: "db-01", name_label: "fault cp" } },
  { address: "xapi_vm_revert.back", attrs: { vm: "web-01", snapshot: ref("xapi_snapshot.base"), revert_token: "t1" }, dependsOn: ["xapi_snapshot.base"] },
  schedule(retained, frequency),
);
const EMPTY = stackOf();

/** The phase of the lifecycle that calls the method: create everything, edit the schedule, destroy everything. */
type Phase = "create" | "update" | "destroy";
const METHODS: readonly [string, Phase][] = [
  ["VM.snapshot", "create"], ["VM.checkpoint", "create"], ["VM.clone", "create"], ["VM.copy", "create"], ["VM.revert", "create"],
  ["VM.set_other_config", "create"], ["VMSS.create", "create"], ["VM.set_snapshot_schedule", "create"], ["pool.add_to_other_config", "create"],
  ["VMSS.set_retained_snapshots", "update"], ["VMSS.set_frequency", "update"], ["VMSS.set_schedule", "update"],
  ["VM.destroy", "destroy"], ["VDI.destroy", "destroy"], ["VMSS.destroy", "destroy"], ["pool.remove_from_other_config", "destroy"],
];
const TRANSIENT = ["TOO_MANY_PENDING_TASKS", "OTHER_OPERATION_IN_PROGRESS", "SESSION_INVALID", "HOST_IS_SLAVE"] as const;
/** As the pool answers: SESSION_INVALID names the stale session; HOST_IS_SLAVE without a parameter names the simulator's own address (the master to move to). */
const wireError = (code: (typeof TRANSIENT)[number]): string[] =>
  code === "SESSION_INVALID" ? [code, "OpaqueRef:expired"] : code === "HOST_IS_SLAVE" ? [code] : [code, "VM", "OpaqueRef:x"];

async function runPhase(phase: Phase, before: () => Promise<void>): Promise<{ report: ApplyReport; events: ApplyEvent[]; stack: DesiredStack }> {
  sim.reset();
  if (phase !== "create") expect((await apply(FULL())).report.failed).toEqual([]);
  await before();
  const stack = phase === "create" ? FULL() : phase === "update" ? FULL(3, "hourly") : EMPTY;
  return { ...(await apply(stack)), stack };
}

describe("each transient code on each mutating method is retried to success", () => {
  const cases = METHODS.flatMap(([method, phase]) => TRANSIENT.map((code) => ({ method, phase, code })));
  it.each(cases)("$code on $method ($phase)", async ({ method, phase, code }) => {
    let loginsBefore = 0;
    const { report, events, stack } = await runPhase(phase, async () => {
      loginsBefore = await logins();
      await inject({ method, error: wireError(code) });
    });
    expect(report.failed).toEqual([]);
    expect(report.applied.length).toBeGreaterThan(0);
    const retries = events.filter((e) => e.type === "retry" && e.code === code);
    // SESSION_INVALID is answered by the session layer: it logs in again and repeats the call.
    const relogged = (await logins()) - loginsBefore;
    if (code === "SESSION_INVALID") expect(retries.length + relogged).toBeGreaterThanOrEqual(1);
    // HOST_IS_SLAVE too: the session moves to the master it names, logs in there and repeats; the retry is reported.
    else if (code === "HOST_IS_SLAVE") expect({ retries, relogged }).toEqual({ retries: [expect.objectContaining({ type: "retry", attempt: 1, code })], relogged: 1 });
    else expect(retries).toEqual([expect.objectContaining({ type: "retry", attempt: 1, code })]);
    outcome("retried");
    await expectConverged(stack);
  });
});

const count = (view: PoolView, name: string): number => [...view.vms.values()].filter((v) => v.name_label === name).length;
const pending = (view: PoolView): string[] => Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"));

describe("a lost answer on a creating call never duplicates the object", () => {
  const SNAP = stackOf({ address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "fault base" } });
  const CLONE = stackOf(
    { address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "fault base" } },
    { address: "xapi_template.clone", attrs: { source: ref("xapi_snapshot.base"), name_label: "fault clone" }, dependsOn: ["xapi_snapshot.base"] },
  );
  const VMSS = stackOf(schedule(7));
  let shortClient: XapiClient;
  beforeAll(async () => {
    // Short call timeout, so that a hang is a timeout within the test.
    shortClient = await connect({ url: sim.url, username: "root", password: "xsnap", callTimeoutMs: 400 });
  });
  afterAll(async () => shortClient?.close());

  const shapes = async () => {
    const v = await client.readPoolView();
    return { base: count(v, "fault base"), clone: count(v, "fault clone"), vmss: [...v.vmss.values()].filter((s) => s.name_label === "fault nightly").length, pending: pending(v) };
  };

  it.each([
    ["the call to VM.snapshot dropped", SNAP, { method: "VM.snapshot", error: "drop" as const }, { base: 1, clone: 0, vmss: 0 }],
    ["the task wait dropped after VM.snapshot ran (the snapshot exists, unmarked)", SNAP, { method: "event.from", error: "drop" as const }, { base: 1, clone: 0, vmss: 0 }],
    ["VM.snapshot hangs", SNAP, { method: "VM.snapshot", error: "hang" as const }, { base: 1, clone: 0, vmss: 0 }],
    ["the call to VM.clone dropped", CLONE, { method: "VM.clone", error: "drop" as const }, { base: 1, clone: 1, vmss: 0 }],
    ["the task wait dropped after VM.clone ran", CLONE, { method: "event.from", error: "drop" as const, after: 1 }, { base: 1, clone: 1, vmss: 0 }],
    ["VMSS.create hangs", VMSS, { method: "VMSS.create", error: "hang" as const }, { base: 0, clone: 0, vmss: 1 }],
    ["VMSS.create dropped", VMSS, { method: "VMSS.create", error: "drop" as const }, { base: 0, clone: 0, vmss: 1 }],
    ["the intent write hangs", SNAP, { method: "pool.add_to_other_config", error: "hang" as const }, { base: 1, clone: 0, vmss: 0 }],
  ])("%s: the next plan settles it, each object once", async (_what, stack, fault, want) => {
    sim.reset();
    await inject(fault);
    await apply(stack, shortClient);
    await converge(stack);
    expect(await shapes()).toEqual({ ...want, pending: [] });
    outcome("settled");
  });

  it("a hang on an idempotent setter (the markers) times out and is repeated within the apply", async () => {
    sim.reset();
    await inject({ method: "VM.set_other_config", error: "hang" });
    const { report, events } = await apply(SNAP, shortClient);
    expect(report.failed).toEqual([]);
    expect(events.filter((e) => e.type === "retry")).toEqual([expect.objectContaining({ code: "TIMEOUT", attempt: 1 })]);
    outcome("retried");
    await expectConverged(SNAP);
    expect(await shapes()).toEqual({ base: 1, clone: 0, vmss: 0, pending: [] });
  });
});

describe("an answer lost after the call ran (drop-after)", () => {
  const SNAP = stackOf({ address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "fault base" } });
  const RENAMED = stackOf({ address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "fault base renamed" } });
  const CLONE = stackOf(
    { address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "fault base" } },
    { address: "xapi_template.clone", attrs: { source: ref("xapi_snapshot.base"), name_label: "fault clone" }, dependsOn: ["xapi_snapshot.base"] },
  );
  const COPY = stackOf(
    { address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "fault base" } },
    { address: "xapi_template.copy", attrs: { source: ref("xapi_snapshot.base"), name_label: "fault copy", sr: "NFS store" }, dependsOn: ["xapi_snapshot.base"] },
  );
  const VMSS = stackOf(schedule(7));
  const objects = async () => {
    const v = await client.readPoolView();
    return { base: count(v, "fault base") + count(v, "fault base renamed"), clone: count(v, "fault clone"), copy: count(v, "fault copy"),
      vmss: [...v.vmss.values()].filter((s) => s.name_label === "fault nightly").length, pending: pending(v), vdis: v.vdis.size };
  };

  it.each([
    ["VM.set_other_config (the markers)", SNAP, SNAP, "VM.set_other_config"],
    ["VM.get_record (a read)", CLONE, CLONE, "VM.get_record"],
    ["VM.set_name_label (a rename in place)", SNAP, RENAMED, "VM.set_name_label"],
    ["VMSS.set_retained_snapshots", VMSS, stackOf(schedule(3)), "VMSS.set_retained_snapshots"],
  ])("an idempotent call, %s, is repeated within the apply", async (_what, first, second, method) => {
    sim.reset();
    if (first !== second) expect((await apply(first)).report.failed).toEqual([]);
    const before = (await stats()).calls[method] ?? 0;
    await inject({ method, error: "drop-after" });
    const { report, events } = await apply(second);
    expect(report.failed).toEqual([]);
    expect(events.filter((e) => e.type === "retry").map((e) => e.type === "retry" && `${e.code} attempt ${e.attempt}`)).toEqual(["ECONNRESET attempt 1"]);
    expect(((await stats()).calls[method] ?? 0) - before).toBeGreaterThanOrEqual(2);
    outcome("retried");
    await expectConverged(second);
  });

  it.each([
    ["Async.VM.snapshot", SNAP, { base: 1, clone: 0, copy: 0, vmss: 0 }],
    ["Async.VM.clone", CLONE, { base: 1, clone: 1, copy: 0, vmss: 0 }],
    ["Async.VM.copy", COPY, { base: 1, clone: 0, copy: 1, vmss: 0 }],
    ["VMSS.create", VMSS, { base: 0, clone: 0, copy: 0, vmss: 1 }],
  ])("a creating call, %s, is not repeated: the step fails, the next plan adopts what it made, one object", async (wire, stack, want) => {
    sim.reset();
    expect((await apply(stack)).report.failed).toEqual([]);
    const uninterrupted = (await objects()).vdis;
    sim.reset();
    await inject({ method: wire.replace(/^Async\./, ""), error: "drop-after" });
    const { report, events } = await apply(stack);
    expect(report.failed).toEqual([expect.objectContaining({ message: expect.stringMatching(/ECONNRESET/) })]);
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
    expect((await stats()).calls[wire]).toBe(1);   // never repeated blindly
    const next = await planNow(stack);
    expect(next.intents?.map((i) => i.status)).toEqual(["adopt"]);
    await converge(stack);
    expect((await stats()).calls[wire]).toBe(1);   // adopted, not made again
    expect(await objects()).toEqual({ ...want, pending: [], vdis: uninterrupted });
    outcome("settled");
  });

  it("the intent write itself (pool.add_to_other_config) is not repeated: the step fails before its call, the next plan discards the intent", async () => {
    sim.reset();
    await inject({ method: "pool.add_to_other_config", error: "drop-after" });
    const { report, events } = await apply(SNAP);
    expect(report.failed).toEqual([expect.objectContaining({ address: "xapi_snapshot.base", message: expect.stringMatching(/ECONNRESET/) })]);
    expect(events.filter((e) => e.type === "retry")).toEqual([]);
    expect((await stats()).calls["Async.VM.snapshot"]).toBeUndefined();
    expect((await planNow(SNAP)).intents?.map((i) => i.status)).toEqual(["discard"]);
    await converge(SNAP);
    expect(await objects()).toEqual({ base: 1, clone: 0, copy: 0, vmss: 0, pending: [], vdis: expect.any(Number) });
    outcome("settled");
  });
});

describe("a session that expires mid-apply is renewed", () => {
  it("every session dropped by the pool after the third call: logs in again, repeats, converges", async () => {
    sim.reset();
    let calls = 0;
    const expiring: XapiClient = {
      ...client, url: client.url, readPoolView: () => client.readPoolView(), close: async () => undefined,
      call: async (m, p) => {
        if (++calls === 3) sim.sim.sessions.clear();
        return client.call(m, p);
      },
      callAsync: async (m, p, o) => {
        if (++calls === 3) sim.sim.sessions.clear();
        return client.callAsync(m, p, o);
      },
    };
    const before = await logins();
    injectedNow.push({ what: "sessions expired", method: "(any, third call)", times: 1 });
    const { report } = await apply(FULL(), expiring);
    expect(report.failed).toEqual([]);
    expect((await logins()) - before).toBe(1);
    outcome("retried");
    await expectConverged(FULL());
  });

  it("SESSION_INVALID on a call after the first (injected twice in a row): the retry policy repeats after the re-login", async () => {
    sim.reset();
    await inject({ method: "VM.set_other_config", error: ["SESSION_INVALID", "OpaqueRef:old"], times: 2, after: 1 });
    const { report, events } = await apply(FULL());
    expect(report.failed).toEqual([]);
    // Both are shown: the session's own re-login and repeat, then the policy's retry after the second.
    expect(events.filter((e) => e.type === "retry").map((e) => e.type === "retry" && e.code)).toEqual(["SESSION_INVALID", "SESSION_INVALID"]);
    outcome("retried");
    await expectConverged(FULL());
  });
});
