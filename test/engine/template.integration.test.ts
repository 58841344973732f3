/**
 * xapi_template through the engine against the real simulator: a snapshot and a template from it in
 * one apply (source known only after apply), a copy of a checkpoint into another SR without memory,
 * no changes on a second plan, rename in place, uninstall with disks, and an interrupted create that
 * is adopted (or discarded) without duplicates.
 */
import { connect } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { applyPlan } from "../../src/engine/applier";
import { planStack } from "../../src/engine/planner";
import { buildInventory } from "../../src/engine/inventory";
import { asAddress, isUnknown, type DesiredStack, type Plan } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import { templateSource } from "../../src/resources/template-observe";
import type { PoolView, VmRecord } from "../../src/xapi/records";
import { isNullRef } from "../../src/xapi/types";
import { changeAt, stackOf, type ResourceInput } from "../helpers/stack";

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

async function planNow(stack: DesiredStack, c: XapiClient = client): Promise<Plan> {
  const view = await c.readPoolView();
  return planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "", url: sim.url, xapi_version: view.xapiVersion, insecure: false } });
}

async function apply(stack: DesiredStack, c: XapiClient = client) {
  const plan = await planNow(stack, c);
  expect(plan.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const report = await applyPlan({ plan, client: c });
  return { plan, report };
}

const BASE = "xapi_snapshot.base";
const CP = "xapi_checkpoint.cp";
const T = "xapi_template.golden";
const ref = (address: string) => ({ ref: { address: asAddress(address), attribute: "uuid" } });
const base: ResourceInput = { address: BASE, attrs: { vm: "web-01", name_label: "web-01 base" } };
const golden = (attrs: Record<string, string> = {}, source = BASE): ResourceInput =>
  ({ address: T, attrs: { source: ref(source), name_label: "web golden", ...attrs }, dependsOn: [source] });

const templates = (view: PoolView, name: string): VmRecord[] =>
  [...view.vms.values()].filter((v) => v.is_a_template && !v.is_a_snapshot && v.name_label === name);
const snapshotNamed = (view: PoolView, name: string): VmRecord | undefined => [...view.vms.values()].find((v) => v.is_a_snapshot && v.name_label === name);
const disksOf = (view: PoolView, vm: VmRecord) => vm.VBDs.map((r) => view.vbds.get(r)).map((b) => (b ? view.vdis.get(b.VDI) : undefined)).filter((d) => d !== undefined);

describe("xapi_template against the simulator", () => {
  it("snapshots and makes a template from it in one apply; a second plan shows no changes", async () => {
    const stack = stackOf(base, golden());
    const plan = await planNow(stack);
    const change = changeAt(plan, T);
    expect(change?.action).toBe("create");
    expect(isUnknown(change?.after?.source)).toBe(true);
    const report = await applyPlan({ plan, client });
    expect(report).toEqual({ applied: [{ address: BASE, action: "create" }, { address: T, action: "create" }], failed: [], skipped: [] });
    const view = await client.readPoolView();
    const snap = snapshotNamed(view, "web-01 base");
    const [tpl, ...more] = templates(view, "web golden");
    expect(more).toEqual([]);
    expect(tpl).toMatchObject({ is_a_template: true, is_a_snapshot: false, power_state: "Halted" });
    expect(tpl?.other_config).toMatchObject({ "xsnap.address": T, "xsnap.self": tpl?.uuid, "xsnap.source": snap?.uuid });
    expect(tpl && templateSource(tpl)).toBe(snap?.uuid);
    expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
    expect((await planNow(stack)).changes.map((c) => [c.address, c.action])).toEqual([[BASE, "no-op"], [T, "no-op"]]);
  });

  it("copies a checkpoint into the SR asked for, with no suspend VDI", async () => {
    const stack = stackOf({ address: CP, attrs: { vm: "web-01", name_label: "web cp" } }, golden({ sr: "NFS store" }, CP));
    const { report } = await apply(stack);
    expect(report.failed).toEqual([]);
    const view = await client.readPoolView();
    const cp = snapshotNamed(view, "web cp");
    expect(cp?.power_state).toBe("Suspended");   // the source has memory…
    const [tpl] = templates(view, "web golden");
    expect(tpl?.power_state).toBe("Halted");      // …the template has none
    expect(isNullRef(tpl?.suspend_VDI ?? "")).toBe(true);
    const nfs = [...view.srs.values()].find((s) => s.name_label === "NFS store");
    const disks = tpl ? disksOf(view, tpl) : [];
    expect(disks.length).toBeGreaterThan(0);
    for (const d of disks) expect(d.SR).toBe(nfs?.ref);
    expect((await planNow(stack)).changes.every((c) => c.action === "no-op")).toBe(true);
  });

  it("refuses at apply time a source that turned out not to be a snapshot", async () => {
    const plan = await planNow(stackOf(base, golden()));
    const view = await client.readPoolView();
    const web = [...view.vms.values()].find((v) => v.name_label === "web-01" && !v.is_a_template);
    // The snapshot step "reports" the VM's uuid instead of a snapshot's: the template step re-checks it.
    const lying: XapiClient = { ...client, url: client.url, readPoolView: () => client.readPoolView(), close: async () => undefined,
      call: async (m, p) => {
        const r = await client.call(m, p);
        return m === "VM.get_record" && (r as { is_a_snapshot?: boolean }).is_a_snapshot && String((r as { name_label?: string }).name_label) === "web-01 base" ? { ...(r as object), uuid: web?.uuid ?? "" } : r;
      },
      callAsync: (m, p, o) => client.callAsync(m, p, o) };
    const report = await applyPlan({ plan, client: lying });
    expect(report.failed).toEqual([{ address: T, message: expect.stringContaining(`${T}: source ${web?.uuid} ("web-01") is not a snapshot or checkpoint`) }]);
    expect(templates(await client.readPoolView(), "web golden")).toEqual([]);
  });

  it("renames in place and keeps the uuid", async () => {
    await apply(stackOf(base, golden()));
    const before = templates(await client.readPoolView(), "web golden")[0];
    const { plan, report } = await apply(stackOf(base, golden({ name_label: "web golden v2", name_description: "for web" })));
    expect(report.failed).toEqual([]);
    expect(changeAt(plan, T)?.action).toBe("update");
    const after = templates(await client.readPoolView(), "web golden v2")[0];
    expect(after?.uuid).toBe(before?.uuid);
    expect(after?.name_description).toBe("for web");
  });

  it("uninstalls a removed template with its disks and leaves its source alone", async () => {
    await apply(stackOf(base, golden({ sr: "Local storage" })));
    const view = await client.readPoolView();
    const [tpl] = templates(view, "web golden");
    const disks = tpl ? disksOf(view, tpl).map((d) => d.uuid) : [];
    expect(disks.length).toBeGreaterThan(0);
    const { plan, report } = await apply(stackOf(base));
    for (const d of disks) expect(changeAt(plan, T)?.notes.join("\n")).toContain(d);
    expect(report.applied).toEqual([{ address: T, action: "destroy" }]);
    const after = await client.readPoolView();
    expect(tpl && after.byUuid.has(tpl.uuid)).toBe(false);
    for (const d of disks) expect(after.byUuid.has(d)).toBe(false);
    expect(snapshotNamed(after, "web-01 base")).toBeDefined();
  });

  it("replaces on a new source: the new template first, then the old one is uninstalled", async () => {
    const other: ResourceInput = { address: "xapi_snapshot.other", attrs: { vm: "db-01", name_label: "db-01 base" } };
    await apply(stackOf(base, other, golden()));
    const old = templates(await client.readPoolView(), "web golden")[0];
    const { plan, report } = await apply(stackOf(base, other, golden({}, "xapi_snapshot.other")));
    expect(changeAt(plan, T)?.action).toBe("replace");
    expect(report.failed).toEqual([]);
    const view = await client.readPoolView();
    const now = templates(view, "web golden");
    expect(now).toHaveLength(1);
    expect(now[0]?.uuid).not.toBe(old?.uuid);
    expect(now[0]?.other_config["xsnap.source"]).toBe(snapshotNamed(view, "db-01 base")?.uuid);
    expect(old && view.byUuid.has(old.uuid)).toBe(false);
  });

  it("shows a managed template in the inventory with the snapshot it came from", async () => {
    await apply(stackOf(base, golden()));
    const view = await client.readPoolView();
    const inv = buildInventory(view);
    const baseSnap = inv.vms.flatMap((v) => v.objects).find((o) => o.name_label === "web-01 base");
    const t = baseSnap?.templates?.find((o) => o.name_label === "web golden");   // under the snapshot it came from
    expect(inv.templates.find((o) => o.name_label === "web golden")).toBeUndefined();
    expect(t?.owner).toEqual({ kind: "managed", stack: "demo", address: T });
    const tpl = templates(view, "web golden")[0];
    expect(tpl && templateSource(tpl)).toBe(snapshotNamed(view, "web-01 base")?.uuid);
  });
});

describe("xapi_template: an interrupted create", () => {
  /** An apply killed right after the clone returned: the template exists without markers. */
  const dyingAfter = (method: string): XapiClient => {
    let killed = false;
    return { ...client, url: client.url, readPoolView: () => client.readPoolView(), close: async () => undefined,
      callAsync: async (m, p, o) => {
        const r = await client.callAsync(m, p, o);
        if (m === method && !killed) { killed = true; throw new Error("process killed"); }
        return r;
      },
      call: (m, p) => client.call(m, p) };
  };

  it("is adopted by the next plan: one template, markers written, intent cleared", async () => {
    await apply(stackOf(base));
    const stack = stackOf(base, golden());
    const first = await apply(stack, dyingAfter("VM.clone"));
    expect(first.report.failed).toEqual([{ address: T, message: "process killed" }]);
    expect(templates(await client.readPoolView(), "web golden")).toHaveLength(1);
    const plan = await planNow(stack);
    expect(plan.intents?.map((i) => i.status)).toEqual(["adopt"]);
    expect(changeAt(plan, T)?.action).toBe("update");
    expect((await applyPlan({ plan, client })).failed).toEqual([]);
    const view = await client.readPoolView();
    const all = templates(view, "web golden");
    expect(all).toHaveLength(1);
    expect(all[0]?.other_config["xsnap.self"]).toBe(all[0]?.uuid);
    expect(all[0]?.other_config["xsnap.source"]).toBe(snapshotNamed(view, "web-01 base")?.uuid);
    expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
    expect((await planNow(stack)).changes.map((c) => c.action)).toEqual(["no-op", "no-op"]);
  });

  it("is discarded when nothing was created, and the next apply creates exactly one", async () => {
    await apply(stackOf(base));
    const stack = stackOf(base, golden());
    const failing: XapiClient = { ...client, url: client.url, readPoolView: () => client.readPoolView(), close: async () => undefined,
      call: (m, p) => client.call(m, p),
      callAsync: async (m, p, o) => { if (m === "VM.clone") throw new Error("process killed"); return client.callAsync(m, p, o); } };
    expect((await apply(stack, failing)).report.failed).toHaveLength(1);
    const plan = await planNow(stack);
    expect(plan.intents?.map((i) => i.status)).toEqual(["discard"]);
    expect(changeAt(plan, T)?.action).toBe("create");
    expect((await applyPlan({ plan, client })).failed).toEqual([]);
    const view = await client.readPoolView();
    expect(templates(view, "web golden")).toHaveLength(1);
    expect(Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"))).toEqual([]);
  });
});
