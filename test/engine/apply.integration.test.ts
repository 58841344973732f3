/**
 * plan → apply against the real simulator with the real client (loopback only): what a user sees in
 * the pool after each apply, and that a re-plan converges.
 */
import { connect, RetryPolicy } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { applyPlan } from "../../src/engine/applier";
import { acquireLock, forceUnlock, lockStatus } from "../../src/engine/lock";
import { checkStale } from "../../src/engine/plan-file";
import { recoverIntent } from "../../src/engine/recover";
import { forgetAddress, importObject } from "../../src/engine/adoption";
import { asAddress, type ApplyEvent, type Plan, type DesiredStack } from "../../src/model";
import { planStack, type PlanOptions } from "../../src/engine/planner";
import type { XapiClient } from "../../src/resources/client";
import type { PoolView, VmRecord } from "../../src/xapi/records";
import { changeAt, stackOf } from "../helpers/stack";

let sim: RunningSimulator;
let client: XapiClient;

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 20 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});
beforeEach(() => sim.reset());

async function planNow(stack: DesiredStack, options: PlanOptions = {}, c: XapiClient = client): Promise<{ plan: Plan; view: PoolView }> {
  const view = await c.readPoolView();
  const pool = { uuid: view.pool.uuid, name_label: view.pool.name_label, url: sim.url, xapi_version: view.xapiVersion, insecure: false };
  return { plan: planStack({ stack, provider: "default", view, pool, options }), view };
}

async function planAndApply(stack: DesiredStack, options: PlanOptions = {}, c: XapiClient = client) {
  const { plan } = await planNow(stack, options, c);
  expect(plan.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const events: ApplyEvent[] = [];
  const report = await applyPlan({ plan, client: c, onEvent: (e) => events.push(e) });
  return { plan, report, events };
}

const snapshotsOf = (view: PoolView, vmName: string): VmRecord[] => {
  const vm = [...view.vms.values()].find((v) => v.name_label === vmName && !v.is_a_snapshot && !v.is_a_template);
  return (view.snapshotsOf.get(vm?.ref as never) ?? []).map((r) => view.vms.get(r)).filter((v): v is VmRecord => v !== undefined);
};

const WEB = "xapi_snapshot.web";
const web = (name = "web-01 pre-upgrade") => stackOf({ address: WEB, attrs: { vm: "web-01", name_label: name } });

describe("apply against the simulator", () => {
  it("creates a marked snapshot, and the next plan shows no changes", async () => {
    const { report, events } = await planAndApply(web());
    expect(report).toEqual({ applied: [{ address: WEB, action: "create" }], failed: [], skipped: [] });
    const done = events.find((e) => e.type === "complete");
    const view = await client.readPoolView();
    const snap = snapshotsOf(view, "web-01").find((s) => s.name_label === "web-01 pre-upgrade");
    expect(done).toMatchObject({ uuid: snap?.uuid });
    expect(snap?.other_config).toMatchObject({ "xsnap.stack": "demo", "xsnap.address": WEB, "xsnap.self": snap?.uuid });
    const again = await planNow(web());
    expect(again.plan.changes.map((c) => c.action)).toEqual(["no-op"]);
    expect(again.plan.intents).toEqual([]);
  });

  it("renames in place and keeps the uuid", async () => {
    await planAndApply(web());
    const before = snapshotsOf(await client.readPoolView(), "web-01").find((s) => s.name_label === "web-01 pre-upgrade");
    const { plan } = await planAndApply(web("renamed"));
    expect(changeAt(plan, WEB)?.action).toBe("update");
    const after = snapshotsOf(await client.readPoolView(), "web-01").find((s) => s.name_label === "renamed");
    expect(after?.uuid).toBe(before?.uuid);
  });

  it("destroys a removed snapshot with its disks and leaves the unmanaged snapshot alone", async () => {
    await planAndApply(web());
    const view = await client.readPoolView();
    const snap = snapshotsOf(view, "web-01").find((s) => s.name_label === "web-01 pre-upgrade");
    const disks = (snap?.VBDs ?? []).map((r) => view.vbds.get(r)?.VDI).map((r) => view.vdis.get(r as never)?.uuid).filter(Boolean);
    expect(disks.length).toBeGreaterThan(0);
    const { report } = await planAndApply(stackOf());
    expect(report.applied).toEqual([{ address: WEB, action: "destroy" }]);
    const after = await client.readPoolView();
    expect(snap && after.byUuid.has(snap.uuid)).toBe(false);
    for (const d of disks) expect(after.byUuid.has(d as never)).toBe(false);
    expect(snapshotsOf(after, "web-01").map((s) => s.name_label)).toEqual(["web-01 manual"]);
  });

  it("takes and uninstalls a checkpoint of a running VM, memory image included", async () => {
    const cp = stackOf({ address: "xapi_checkpoint.web", attrs: { vm: "web-01", name_label: "web cp" } });
    const { report } = await planAndApply(cp);
    expect(report.failed).toEqual([]);
    const view = await client.readPoolView();
    const snap = snapshotsOf(view, "web-01").find((s) => s.name_label === "web cp");
    expect(snap?.power_state).toBe("Suspended");
    const image = view.vdis.get(snap?.suspend_VDI as never)?.uuid;
    expect(image).toBeDefined();
    await planAndApply(stackOf());
    expect((await client.readPoolView()).byUuid.has(image as never)).toBe(false);
  });

  it("rejects a checkpoint of a Halted VM at plan time, before any change", async () => {
    const { plan } = await planNow(stackOf({ address: "xapi_checkpoint.batch", attrs: { vm: "batch-01", name_label: "cp" } }));
    expect(plan.diagnostics.map((d) => d.summary)).toEqual([expect.stringContaining("batch-01\" is Halted")]);
  });

  it("detects a saved plan made stale by a change in the pool", async () => {
    await planAndApply(web());
    const { plan } = await planNow(web("renamed"));
    const snap = snapshotsOf(await client.readPoolView(), "web-01").find((s) => s.name_label === "web-01 pre-upgrade");
    await client.call("VM.set_name_label", [await client.call("VM.get_by_uuid", [snap?.uuid ?? ""]), "touched by hand"]);
    expect(checkStale(plan, await client.readPoolView())).toMatchObject({ ok: false, reason: "stale", addresses: [WEB] });
  });

  it("converges after an apply killed between the snapshot call and the markers: no duplicate, no orphan", async () => {
    let killed = false;
    const dying: XapiClient = {
      ...client, url: client.url,
      call: async (method, params) => {
        if (method === "VM.get_record" && !killed) { killed = true; throw new Error("process killed"); }
        return client.call(method, params);
      },
      callAsync: (m, p, o) => client.callAsync(m, p, o),
      readPoolView: () => client.readPoolView(),
      close: async () => undefined,
    };
    const first = await planAndApply(web(), {}, dying);
    expect(first.report.failed).toEqual([{ address: WEB, message: "process killed" }]);
    const { plan } = await planNow(web());
    expect(plan.intents?.map((i) => i.status)).toEqual(["adopt"]);
    expect(changeAt(plan, WEB)?.action).toBe("update");
    const report = await applyPlan({ plan, client });
    expect(report.failed).toEqual([]);
    const view = await client.readPoolView();
    expect(snapshotsOf(view, "web-01").filter((s) => s.name_label === "web-01 pre-upgrade")).toHaveLength(1);
    expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
    expect((await planNow(web())).plan.changes.map((c) => c.action)).toEqual(["no-op"]);
  });

  it("runs steps of one VM one at a time while other VMs run in parallel", async () => {
    const inFlight = new Map<string, number>();
    let maxPerVm = 0, maxTotal = 0, total = 0;
    const watching: XapiClient = {
      ...client, url: client.url,
      call: (m, p) => client.call(m, p),
      callAsync: async (m, p, o) => {
        const vm = String(p[0]);
        inFlight.set(vm, (inFlight.get(vm) ?? 0) + 1);
        total++;
        maxPerVm = Math.max(maxPerVm, inFlight.get(vm) ?? 0);
        maxTotal = Math.max(maxTotal, total);
        try { return await client.callAsync(m, p, o); } finally { inFlight.set(vm, (inFlight.get(vm) ?? 1) - 1); total--; }
      },
      readPoolView: () => client.readPoolView(),
      close: async () => undefined,
    };
    const stack = stackOf(
      { address: "xapi_snapshot.a", attrs: { vm: "web-01", name_label: "a" } },
      { address: "xapi_snapshot.b", attrs: { vm: "web-01", name_label: "b" } },
      { address: "xapi_snapshot.c", attrs: { vm: "db-01", name_label: "c" } },
      { address: "xapi_snapshot.d", attrs: { vm: "win-app-01", name_label: "d" } },
    );
    const { report } = await planAndApply(stack, {}, watching);
    expect(report.applied).toHaveLength(4);
    expect(maxPerVm).toBe(1);
    expect(maxTotal).toBeGreaterThan(1);
  });
});

describe("xsnap recover", () => {
  /** An apply killed after the snapshot call; `lookalike` adds a same-named snapshot made by hand. */
  async function interrupted(lookalike: boolean): Promise<{ id: string; uuids: string[] }> {
    const dying: XapiClient = { ...client, url: client.url, readPoolView: () => client.readPoolView(), close: async () => undefined,
      callAsync: (m, p, o) => client.callAsync(m, p, o),
      call: async (m, p) => { if (m === "VM.get_record") throw new Error("process killed"); return client.call(m, p); } };
    await planAndApply(web(), {}, dying);
    if (lookalike) await client.callAsync("VM.snapshot", [await vmRef("web-01"), "web-01 pre-upgrade"]);
    const { plan } = await planNow(web());
    const intent = plan.intents?.[0];
    if (!intent) throw new Error("no intent");
    const uuids = snapshotsOf(await client.readPoolView(), "web-01").filter((s) => s.name_label === "web-01 pre-upgrade").map((s) => s.uuid);
    return { id: intent.id, uuids };
  }
  const vmRef = async (name: string): Promise<string> => {
    const view = await client.readPoolView();
    return [...view.vms.values()].find((v) => v.name_label === name && !v.is_a_snapshot)?.ref ?? "";
  };

  it("adopts the chosen candidate of an ambiguous intent; the next apply records its spec", async () => {
    const { id, uuids } = await interrupted(true);
    expect(uuids).toHaveLength(2);
    expect((await planNow(web())).plan.intents?.map((i) => i.status)).toEqual(["ambiguous"]);
    expect(await recoverIntent({ client, stack: "demo", id, decision: "adopt" })).toMatchObject({ ok: false, reason: "needs_choice" });
    expect(await recoverIntent({ client, stack: "demo", id, decision: "adopt", uuid: uuids[0] as never })).toMatchObject({ ok: true });
    const { plan } = await planNow(web());
    expect(plan.intents).toEqual([]);
    expect(changeAt(plan, WEB)).toMatchObject({ action: "update", before: { uuid: uuids[0] } });
    await applyPlan({ plan, client });
    expect((await planNow(web())).plan.changes.map((c) => c.action)).toEqual(["no-op"]);
  });

  it("discarding an intent uninstalls the object the step half-created, with its disks", async () => {
    const { id, uuids } = await interrupted(false);
    expect(uuids).toHaveLength(1);
    const result = await recoverIntent({ client, stack: "demo", id, decision: "discard" });
    expect(result).toMatchObject({ ok: true, summary: expect.stringContaining(`uninstalled ${uuids[0]}`) });
    const view = await client.readPoolView();
    expect(view.byUuid.has(uuids[0] as never)).toBe(false);
    expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
  });
});

describe("xsnap import and forget", () => {
  const manualStack = () => stackOf({ address: "xapi_snapshot.manual", attrs: { vm: "web-01", name_label: "web-01 manual" } });
  const manualUuid = async (): Promise<string> => snapshotsOf(await client.readPoolView(), "web-01").find((s) => s.name_label === "web-01 manual")?.uuid ?? "";

  it("imports an unmanaged snapshot; the next apply only records its configuration", async () => {
    const uuid = await manualUuid();
    expect(await importObject({ client, stack: "demo", address: asAddress("xapi_snapshot.manual"), uuid: uuid as never })).toMatchObject({ ok: true });
    const { plan } = await planNow(manualStack());
    expect(changeAt(plan, "xapi_snapshot.manual")).toMatchObject({ action: "update", before: { uuid } });
    await applyPlan({ plan, client });
    expect((await planNow(manualStack())).plan.changes.map((c) => c.action)).toEqual(["no-op"]);
  });

  it("refuses to import a disk-only snapshot as a checkpoint", async () => {
    const result = await importObject({ client, stack: "demo", address: asAddress("xapi_checkpoint.manual"), uuid: (await manualUuid()) as never });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining("is a disk-only snapshot, not a checkpoint") });
  });

  it("forgets an address without deleting its object", async () => {
    const uuid = await manualUuid();
    await importObject({ client, stack: "demo", address: asAddress("xapi_snapshot.manual"), uuid: uuid as never });
    expect(await forgetAddress({ client, stack: "demo", address: asAddress("xapi_snapshot.manual") })).toMatchObject({ ok: true });
    const view = await client.readPoolView();
    expect(view.byUuid.has(uuid as never)).toBe(true);
    expect((await planNow(stackOf())).plan.changes).toEqual([]);
  });
});

describe("pool lock", () => {
  it("excludes a second holder, reports the holder, and releases", async () => {
    const first = await acquireLock({ client, stack: "demo", operation: "apply", who: "alice@ci" });
    if (!first.ok) throw new Error("first lock refused");
    const second = await acquireLock({ client, stack: "demo", operation: "apply", who: "bob@laptop" });
    expect(second).toMatchObject({ ok: false, holder: { info: { who: "alice@ci", operation: "apply" }, abandoned: false } });
    await first.lock.release();
    const third = await acquireLock({ client, stack: "demo", operation: "apply" });
    expect(third.ok).toBe(true);
    if (third.ok) await third.lock.release();
    expect(await lockStatus({ client, stack: "demo" })).toBeUndefined();
  });

  it("reports an expired lease as abandoned with the exact force-unlock command, which needs the id", async () => {
    const held = await acquireLock({ client, stack: "demo", operation: "apply", leaseSeconds: 60 });
    if (!held.ok) throw new Error("lock refused");
    const later = () => new Date(Date.now() + 3600_000);
    const status = await lockStatus({ client, stack: "demo", now: later });
    expect(status).toMatchObject({ abandoned: true, forceUnlockCommand: `xsnap force-unlock ${held.lock.info.id}` });
    expect(await forceUnlock({ client, stack: "demo", id: "wrong" })).toBe("id_mismatch");
    expect(await forceUnlock({ client, stack: "demo", id: held.lock.info.id })).toBe("removed");
    await held.lock.release();   // no longer ours: does nothing
    expect(await lockStatus({ client, stack: "demo" })).toBeUndefined();
  });

  it("waits up to --lock-timeout for the holder to release", async () => {
    const held = await acquireLock({ client, stack: "demo", operation: "apply" });
    if (!held.ok) throw new Error("lock refused");
    let waited = false;
    const waiter = acquireLock({ client, stack: "demo", operation: "apply", timeoutMs: 5000, onWait: () => { waited = true; }, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) });
    await new Promise((r) => setTimeout(r, 100));
    await held.lock.release();
    const got = await waiter;
    expect(waited).toBe(true);
    expect(got.ok).toBe(true);
    if (got.ok) await got.lock.release();
  });
});

describe("names XML must escape, and characters beyond ASCII", () => {
  it.each([
    'web <&> "quoted" \'single\'',
    "été — 雪 🙂 ﬁ",
    "tab\tand\nnewline",
    "]]> <![CDATA[ not a section",
  ])("round-trips %j intact to the pool and back (a second plan shows no changes)", async (name) => {
    const stack = stackOf({ address: WEB, attrs: { vm: "web-01", name_label: name, name_description: name } });
    const { report } = await planAndApply(stack);
    expect(report.failed).toEqual([]);
    const view = await client.readPoolView();
    expect(snapshotsOf(view, "web-01").filter((s) => s.name_label === name && s.name_description === name)).toHaveLength(1);
    expect((await planNow(stack)).plan.changes.map((c) => c.action)).toEqual(["no-op"]);
  });
});

describe("transient failures during apply", () => {
  const fast = new RetryPolicy({ sleep: () => Promise.resolve() });
  const inject = async (url: string, faults: unknown[]): Promise<void> => {
    const res = await fetch(new URL("/sim/faults", url), { method: "POST", body: JSON.stringify(faults), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
  };

  it.each(["TOO_MANY_PENDING_TASKS", "OTHER_OPERATION_IN_PROGRESS"])("repeats a snapshot that the pool refused once with %s", async (code) => {
    await inject(sim.url, [{ method: "VM.snapshot", error: [code], times: 1 }]);
    const { plan } = await planNow(web());
    const events: ApplyEvent[] = [];
    const report = await applyPlan({ plan, client, retryPolicy: fast, onEvent: (e) => events.push(e) });
    expect(report.failed).toEqual([]);
    expect(events.filter((e) => e.type === "retry")).toEqual([expect.objectContaining({ address: WEB, code, attempt: 1, max: 5 })]);
    const view = await client.readPoolView();
    expect(snapshotsOf(view, "web-01").filter((s) => s.name_label === "web-01 pre-upgrade")).toHaveLength(1);
  });

  it("retries VDI_IN_USE while uninstalling a snapshot's disks", async () => {
    await planAndApply(web());
    await inject(sim.url, [{ method: "VDI.destroy", error: ["VDI_IN_USE", "OpaqueRef:x", "destroy"], times: 2 }]);
    const { plan } = await planNow(stackOf());
    const events: ApplyEvent[] = [];
    const report = await applyPlan({ plan, client, retryPolicy: fast, onEvent: (e) => events.push(e) });
    expect(report.failed).toEqual([]);
    expect(events.filter((e) => e.type === "retry").map((e) => e.type === "retry" && e.code)).toEqual(["VDI_IN_USE", "VDI_IN_USE"]);
  });

  it("retries a quiesced snapshot that failed under load, on a pool that still has quiesce", async () => {
    const old = await startSimulator({ fixture: "demo", port: 0, taskMs: 5, xapiVersion: "1.160" });
    const oldClient = await connect({ url: old.url, username: "root", password: "xsnap" });
    try {
      const view = await oldClient.readPoolView();
      const stack = stackOf({ address: "xapi_snapshot.win", attrs: { vm: "win-app-01", name_label: "vss", quiesce: true } });
      const plan = planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "", url: old.url, xapi_version: view.xapiVersion, insecure: false } });
      expect(plan.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      await inject(old.url, [{ method: "VM.snapshot_with_quiesce", error: ["VM_SNAPSHOT_WITH_QUIESCE_FAILED", "OpaqueRef:x"], times: 1 }]);
      const events: ApplyEvent[] = [];
      const report = await applyPlan({ plan, client: oldClient, retryPolicy: fast, onEvent: (e) => events.push(e) });
      expect(report.failed).toEqual([]);
      expect(events.filter((e) => e.type === "retry")).toEqual([expect.objectContaining({ code: "VM_SNAPSHOT_WITH_QUIESCE_FAILED", attempt: 1 })]);
    } finally {
      await oldClient.close();
      await old.close();
    }
  });
});
