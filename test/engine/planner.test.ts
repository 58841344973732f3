import { type Plan, asAddress } from "../../src/model";
import { demoLikePool } from "../helpers/demo-like-pool";
import { changeAt, materialize, plan, POOL, stackOf, STACK } from "../helpers/stack";
import { planPools, planStack } from "../../src/engine/planner";
import { kindRegistry, type ResourceKind } from "../../src/resources/kind";
import { snapshot } from "../../src/resources/snapshot";
import { registryKey } from "../../src/engine/registry";

const WEB = "xapi_snapshot.web";
const web = (attrs: Record<string, string | boolean> = {}) => ({ address: WEB, attrs: { vm: "web-01", name_label: "web-01 pre-upgrade", ...attrs } });
const errors = (p: Plan): string[] => p.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.address}: ${d.summary}\n${d.detail ?? ""}`);

/** A pool where `xapi_snapshot.web` was applied with the given attributes. */
function applied(attrs: Record<string, string | boolean> = {}) {
  const fx = demoLikePool();
  const first = plan(fx.b, stackOf(web(attrs)));
  const change = changeAt(first, WEB);
  if (!change) throw new Error("no create");
  const snap = materialize(fx.b, change);
  return { ...fx, snap };
}

describe("planStack on snapshots", () => {
  it("plans a create that says it captures the VM state at apply time", () => {
    const { b, vms } = demoLikePool();
    const p = plan(b, stackOf(web()));
    const c = changeAt(p, WEB);
    expect(errors(p)).toEqual([]);
    expect(c?.action).toBe("create");
    expect(c?.after).toMatchObject({ vm: "web-01", vm_uuid: vms.web.uuid, name_label: "web-01 pre-upgrade", uuid: { unknown: true } });
    expect(c?.notes.join("\n")).toContain("captures web-01's state at apply time");
  });

  it("plans no change once the snapshot exists with its markers", () => {
    const { b } = applied();
    const p = plan(b, stackOf(web()));
    expect(errors(p)).toEqual([]);
    expect(changeAt(p, WEB)?.action).toBe("no-op");
  });

  it.each([
    ["a rename updates in place and keeps the object", { name_label: "renamed" }, "update", undefined],
    ["a new description updates in place", { name_description: "before the upgrade" }, "update", undefined],
    ["a new on_destroy only rewrites the markers", { on_destroy: "keep_disks" }, "update", undefined],
    ["a new retake_token replaces, create before destroy", { retake_token: "2" }, "replace", "retake_token_changed"],
    ["a new vm together with a new retake_token replaces", { vm: "db-01", retake_token: "2" }, "replace", "retake_token_changed"],
    ["protect alone changes nothing in the pool", { protect: true }, "no-op", undefined],
  ])("%s", (_why, attrs, action, reason) => {
    const { b, snap } = applied();
    const c = changeAt(plan(b, stackOf(web(attrs as Record<string, string>))), WEB);
    expect(c?.action).toBe(action);
    expect(c?.reason).toBe(reason);
    if (action === "update") expect(c?.before?.uuid).toBe(snap.uuid);
  });

  it.each([
    ["a new vm", { vm: "db-01" }, "vm"],
    ["quiesce turned on", { quiesce: true }, "quiesce"],
  ])("refuses %s without a new retake_token: a snapshot is point-in-time", (_why, attrs, attr) => {
    const { b } = applied();
    const p = plan(b, stackOf(web(attrs)));
    expect(errors(p).join("\n")).toContain(`cannot change ${attr} of an existing snapshot: a new snapshot would capture the VM's state now, not the original point in time`);
    expect(errors(p).join("\n")).toContain(`--replace ${WEB}`);
  });

  it("--replace retakes an unchanged snapshot", () => {
    const { b } = applied();
    const c = changeAt(plan(b, stackOf(web()), { replace: [asAddress(WEB)] }), WEB);
    expect(c?.action).toBe("replace");
    expect(c?.reason).toBe("replace_by_request");
  });

  it("destroys a managed snapshot removed from the configuration and lists the disks it deletes", () => {
    const { b, snap } = applied();
    const p = plan(b, stackOf());
    const c = changeAt(p, WEB);
    expect(c?.action).toBe("destroy");
    expect(c?.reason).toBe("not_in_configuration");
    const disk = [...b.vbds.values()].filter((vbd) => vbd.VM === snap.ref).map((vbd) => b.vdis.get(vbd.VDI)).find((v) => v?.is_a_snapshot);
    expect(c?.notes.join("\n")).toContain(`"web-01 root" (${disk?.uuid})`);
  });

  it("with on_destroy = keep_disks, a destroy deletes no disk and says so", () => {
    const { b } = applied({ on_destroy: "keep_disks" });
    const c = changeAt(plan(b, stackOf()), WEB);
    expect(c?.action).toBe("destroy");
    expect(c?.notes.join("\n")).toContain("its disks stay in the SR");
    expect((c?.private as { disks: unknown[] }).disks).toEqual([]);
  });

  it("never touches an unmanaged snapshot or a snapshot that only inherited markers", () => {
    const { b, vms, snap } = applied();
    // A snapshot of a VM whose other_config carries xsnap markers copies them: xsnap.self is not its uuid.
    b.edit(vms.db, { other_config: { ...snap.other_config } });
    b.snapshot(vms.db, { name_label: "db copy" });
    const p = plan(b, stackOf(web()));
    expect(p.changes.map((c) => `${c.address} ${c.action}`)).toEqual([`${WEB} no-op`]);
  });

  it("re-creates a managed snapshot deleted outside xsnap, and reports the drift", () => {
    const { b, snap } = applied();
    b.remove(snap);
    const p = plan(b, stackOf(web()));
    expect(changeAt(p, WEB)?.action).toBe("create");
    expect(changeAt(p, WEB)?.reason).toBe("deleted_outside");
    expect(p.drift).toEqual([expect.objectContaining({ address: WEB, kind: "deleted" })]);
  });

  it("forgets a registry entry whose object was deleted outside and whose address left the configuration", () => {
    const { b, snap } = applied();
    b.remove(snap);
    const p = plan(b, stackOf());
    expect(p.changes).toEqual([]);
    expect(p.forgotten).toEqual([WEB]);
  });

  it("reports a rename made outside xsnap as drift and renames it back", () => {
    const { b, snap } = applied();
    b.edit(snap, { name_label: "someone renamed me" });
    const p = plan(b, stackOf(web()));
    expect(p.drift).toEqual([expect.objectContaining({ kind: "changed", before: { name_label: "web-01 pre-upgrade" }, after: { name_label: "someone renamed me" } })]);
    expect(changeAt(p, WEB)?.action).toBe("update");
  });

  it.each([
    ["removing it from the configuration with --destroy", { destroy: true }, {}],
    ["replacing it", {}, { retake_token: "again" }],
  ])("refuses a protected snapshot: %s", (_why, options, attrs) => {
    const { b } = applied({ protect: true });
    const p = plan(b, stackOf(web({ protect: true, ...attrs })), options);
    expect(errors(p).join("\n")).toContain(`Instance cannot be destroyed: ${WEB} has protect = true`);
  });

  it("--destroy destroys every managed object of the stack and nothing else", () => {
    const { b } = applied();
    const p = plan(b, stackOf(web()), { destroy: true });
    expect(p.changes.map((c) => `${c.address} ${c.action} ${c.reason}`)).toEqual([`${WEB} destroy destroy_requested`]);
  });

  it("--replace of an address the configuration does not have is an error (a typo must not replace nothing silently)", () => {
    const { b } = demoLikePool();
    const p = plan(b, stackOf(web()), { replace: [asAddress("xapi_snapshot.wbe")] });
    expect(p.diagnostics).toEqual([expect.objectContaining({ severity: "error", address: "xapi_snapshot.wbe", summary: "--replace xapi_snapshot.wbe matches no resource in the configuration" })]);
    expect(plan(b, stackOf(web()), { replace: [asAddress(WEB)] }).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("--target plans only the target and what it depends on", () => {
    const { b } = demoLikePool();
    const stack = stackOf(
      { address: "data.xapi_vm.db", attrs: { name_label: "db-01" } },
      { address: "xapi_snapshot.db", attrs: { vm: { ref: { address: asAddress("data.xapi_vm.db"), attribute: "uuid" } }, name_label: "db" }, dependsOn: ["data.xapi_vm.db"] },
      web(),
    );
    const p = plan(b, stack, { targets: [asAddress("xapi_snapshot.db")] });
    expect(p.changes.map((c) => c.address)).toEqual(["xapi_snapshot.db"]);
  });

  describe("--destroy --target evaluates what the destroyed addresses reference", () => {
    const ref = (address: string, attribute: string) => ({ ref: { address: asAddress(address), attribute } });
    const dbSnap = { address: "xapi_snapshot.db", attrs: { vm: ref("data.xapi_vm.db", "uuid"), name_label: "db" }, dependsOn: ["data.xapi_vm.db"] };
    /** data.xapi_vm.db ← xapi_snapshot.db ← xapi_snapshot.child → xapi_snapshot.web, all applied. */
    function appliedChain() {
      const fx = demoLikePool();
      const child = { address: "xapi_snapshot.child", attrs: { vm: ref("data.xapi_vm.db", "uuid"), name_label: ref("xapi_snapshot.db", "name_label"), name_description: ref(WEB, "name_label") },
        dependsOn: ["data.xapi_vm.db", "xapi_snapshot.db", WEB] };
      const stack = stackOf({ address: "data.xapi_vm.db", attrs: { name_label: "db-01" } }, dbSnap, web(), child);
      for (const c of plan(fx.b, stack).changes) materialize(fx.b, c);
      expect(plan(fx.b, stack).changes.map((c) => c.action)).toEqual(["no-op", "no-op", "no-op"]);
      return { ...fx, stack };
    }

    it("reads the data sources the target references (and no other) and plans only the target's destroy", () => {
      const { b, vms, stack } = appliedChain();
      const missing = stackOf({ address: "data.xapi_vm.missing", attrs: { name_label: "no-such-vm" } }).resources;
      const withMissing = { ...stack, resources: [...stack.resources.filter((r) => r.address !== "xapi_snapshot.child"), ...missing] };
      const p = plan(b, withMissing, { destroy: true, targets: [asAddress("xapi_snapshot.db")] });
      expect(errors(p)).toEqual([]);
      expect(p.changes.map((c) => `${c.address} ${c.action} ${c.reason}`)).toEqual(["xapi_snapshot.db destroy destroy_requested"]);
      expect(p.fingerprints.map((f) => ("uuid" in f ? f.uuid : ""))).toContain(vms.db.uuid);
    });

    it("destroys the target and its dependents; their other dependencies are evaluated, not destroyed", () => {
      const { b, stack } = appliedChain();
      const p = plan(b, stack, { destroy: true, targets: [asAddress(WEB)] });
      expect(errors(p)).toEqual([]);
      expect(p.changes.map((c) => `${c.address} ${c.action}`).sort()).toEqual(["xapi_snapshot.child destroy", `${WEB} destroy`]);
    });
  });

  it("resolves a vm given as a data source reference", () => {
    const { b, vms } = demoLikePool();
    const stack = stackOf(
      { address: "data.xapi_vm.db", attrs: { name_label: "db-01" } },
      { address: "xapi_snapshot.db", attrs: { vm: { ref: { address: asAddress("data.xapi_vm.db"), attribute: "uuid" } }, name_label: "db" }, dependsOn: ["data.xapi_vm.db"] },
    );
    const p = plan(b, stack);
    expect(errors(p)).toEqual([]);
    expect(changeAt(p, "xapi_snapshot.db")?.after).toMatchObject({ vm: vms.db.uuid, vm_uuid: vms.db.uuid });
  });

  it("rejects a resource type this build has no kind for, naming the address and the types it manages", () => {
    const { b } = demoLikePool();
    const p = planStack({ stack: stackOf({ address: "xapi_template.golden", attrs: { source: "x", name_label: "golden" } }), provider: "default",
      view: b.build(), pool: POOL, kinds: kindRegistry({ managed: [snapshot], data: [] }) });
    expect(errors(p)).toEqual([expect.stringContaining("xapi_template.golden: resource type xapi_template is not supported yet")]);
    expect(p.diagnostics[0]?.detail).toBe("This version of xsnap manages xapi_snapshot; xapi_template comes in a later release.");
  });

  it("keeps the newest of two objects claiming one address and destroys the other", () => {
    const { b } = applied();
    const again = changeAt(plan(b, stackOf(web())), WEB);
    expect(again?.action).toBe("no-op");
    const stale = [...b.vms.values()].find((v) => v.other_config["xsnap.address"] === WEB);
    // An interrupted replace: the new snapshot is marked, the old one not destroyed yet.
    const replace = changeAt(plan(b, stackOf(web({ retake_token: "2" }))), WEB);
    if (!replace) throw new Error("no replace");
    const second = materialize(b, replace);
    const p = plan(b, stackOf(web({ retake_token: "2" })));
    const actions = p.changes.filter((c) => c.address === WEB).map((c) => `${c.action} ${(c.before as { uuid?: string } | null)?.uuid}`);
    expect(actions).toEqual([`no-op ${second.uuid}`, `destroy ${stale?.uuid}`]);
  });

  it("keeps a snapshot whose VM was destroyed: names still update, a retake is refused", () => {
    const { b, vms, snap } = applied();
    b.remove(vms.web);
    const same = plan(b, stackOf(web()));
    expect(changeAt(same, WEB)?.action).toBe("no-op");
    expect(same.diagnostics.map((d) => `${d.severity}: ${d.summary}`)).toEqual(["warning: the VM this snapshot was taken of no longer exists; the snapshot is kept as it is"]);
    const renamed = changeAt(plan(b, stackOf(web({ name_label: "archive" }))), WEB);
    expect(renamed?.action).toBe("update");
    expect(renamed?.before?.uuid).toBe(snap.uuid);
    expect(errors(plan(b, stackOf(web({ retake_token: "2" })))).join("\n")).toContain("cannot retake this snapshot: the VM it was taken of no longer exists");
  });

  it("fingerprints the VM and the managed objects it read", () => {
    const { b, vms, snap } = applied();
    const p = plan(b, stackOf(web()));
    expect(p.fingerprints.map((f) => ("uuid" in f ? f.uuid : f.registryKey))).toEqual(expect.arrayContaining([vms.web.uuid, snap.uuid]));
    expect(b.pool.other_config[registryKey(STACK, asAddress(WEB))]).toBe(snap.uuid);
  });
});

describe("planPools: values known after apply, and one dependency order across pools", () => {
  const REVERT = "xapi_vm_revert.back";
  const refTo = (address: string) => ({ ref: { address: asAddress(address), attribute: "uuid" } });

  it("shows a reference to an object the same apply creates as (known after apply) and keeps the reference for the applier", () => {
    const { b } = demoLikePool();
    const p = plan(b, stackOf(web(), { address: REVERT, attrs: { vm: "web-01", snapshot: refTo(WEB), revert_token: "t" }, dependsOn: [WEB] }));
    expect(errors(p)).toEqual([]);
    const revert = changeAt(p, REVERT);
    expect(revert).toMatchObject({ action: "revert", after: { snapshot: { unknown: true } }, deferred: { snapshot: refTo(WEB) }, dependsOn: [WEB] });
  });

  it("resolves a reference to an existing object at plan time: nothing is deferred", () => {
    const { b } = applied();
    const p = plan(b, stackOf(web(), { address: REVERT, attrs: { vm: "web-01", snapshot: refTo(WEB), revert_token: "t" }, dependsOn: [WEB] }));
    expect(errors(p)).toEqual([]);
    expect(changeAt(p, REVERT)?.deferred).toBeUndefined();
    expect(typeof changeAt(p, REVERT)?.after?.snapshot).toBe("string");
  });

  it("refuses a data source whose input is only known after apply, naming it", () => {
    const { b } = demoLikePool();
    const p = plan(b, stackOf(web(), { address: "data.xapi_vm.x", attrs: { uuid: { ref: { address: asAddress(WEB), attribute: "vm_uuid" } } } },
      { address: "data.xapi_snapshot.s", attrs: { vm: { ref: { address: asAddress(WEB), attribute: "uuid" } } } }));
    expect(p.diagnostics).toEqual([expect.objectContaining({ address: "data.xapi_snapshot.s", summary: expect.stringMatching(/^vm must be known at plan time/) })]);
  });

  it("plans each pool with its own view, references crossing providers resolved in one order", () => {
    const a = demoLikePool();
    const bPool = demoLikePool();
    const stack = stackOf(web(), { address: REVERT, attrs: { vm: "web-01", snapshot: refTo(WEB), revert_token: "t" }, dependsOn: [WEB] });
    const cross = { ...stack, providers: { default: { alias: "default" }, dr: { alias: "dr" } },
      resources: stack.resources.map((r) => (r.address === REVERT ? { ...r, provider: "dr" } : r)) };
    const [first, second] = planPools({ stack: cross, pools: [
      { provider: "dr", view: bPool.b.build(), pool: { ...POOL, uuid: "pool-b" } },
      { provider: "default", view: a.b.build(), pool: { ...POOL, uuid: "pool-a" } },
    ] });
    expect(first?.pool.uuid).toBe("pool-b");
    expect(first?.changes.map((c) => [c.address, c.provider, c.action])).toEqual([[REVERT, "dr", "revert"]]);
    expect(changeAt(first as Plan, REVERT)?.deferred).toEqual({ snapshot: refTo(WEB) });
    expect(second?.changes.map((c) => [c.address, c.provider])).toEqual([[WEB, "default"]]);
  });
});

describe("exclusive holds across the stack", () => {
  const kind = (holds: Record<string, string[]>): ResourceKind => ({
    type: "fake_group", identity: { by: "markers" }, computed: [],
    observe: () => new Map(),
    diff: (a) => ({ planned: { action: "create", before: null, after: {}, notes: [] }, diagnostics: [], reads: [],
      exclusives: (holds[a.address] ?? []).map((vm) => ({ key: `member:${vm}`, label: `VM "${vm}"`, rule: "a VM belongs to one group at most" })) }),
    checkPayload: () => undefined, apply: async () => ({}), serialKeys: () => [], intentSubject: () => ({}),
    resolveIntent: () => ({ status: "discard", detail: "" }), finishIntent: async () => undefined,
    adopt: async () => undefined, unadoptable: () => undefined, release: async () => undefined,
  });
  const planWith = (holds: Record<string, string[]>) => planStack({
    stack: stackOf({ address: "fake_group.a", attrs: {} }, { address: "fake_group.b", attrs: {} }),
    provider: "default", view: demoLikePool().b.build(), pool: POOL, kinds: kindRegistry({ managed: [kind(holds)], data: [] }),
  });

  it("passes when each VM is held once", () => {
    expect(planWith({ "fake_group.a": ["web-01"], "fake_group.b": ["db-01"] }).diagnostics).toEqual([]);
  });

  it("refuses a VM held by two addresses, naming both", () => {
    expect(planWith({ "fake_group.a": ["web-01", "db-01"], "fake_group.b": ["db-01"] }).diagnostics).toEqual([
      expect.objectContaining({ severity: "error", summary: 'VM "db-01" is claimed by fake_group.a and fake_group.b: a VM belongs to one group at most' }),
    ]);
  });
});

describe("preflight gaps", () => {
  it.each([["21.3.0", true], ["21.4.0", false], ["26.1.16", false], ["1.160", true]])("ignore_disks on xapi %s is refused at plan time: %s", (version, refused) => {
    const { b } = demoLikePool();
    b.xapiVersion = version;
    const p = plan(b, stackOf({ address: "xapi_snapshot.db", attrs: { vm: "db-01", name_label: "data only", ignore_disks: ["db-01 root"] } }));
    expect(errors(p).some((e) => e.includes("ignore_disks needs xapi 21.4 or later"))).toBe(refused);
  });

  it("warns when a snapshot would include no disk at all", () => {
    const { b } = demoLikePool();
    const p = plan(b, stackOf(web({ name_label: "nothing" }), { address: "xapi_snapshot.none", attrs: { vm: "web-01", name_label: "config only", ignore_disks: ["web-01 root"] } }));
    expect(p.diagnostics).toEqual([expect.objectContaining({ severity: "warning", address: "xapi_snapshot.none", summary: expect.stringContaining("would include no disk (ignore_disks leaves none)") })]);
  });

  it("refuses two provider blocks that point at the same pool", () => {
    const { b } = demoLikePool();
    const view = b.build();
    const stack = stackOf(web());
    const plans = planPools({ stack: { ...stack, providers: { default: { alias: "default" }, again: { alias: "again" } } },
      pools: [{ provider: "default", view, pool: { ...POOL, uuid: view.pool.uuid } }, { provider: "again", view, pool: { ...POOL, uuid: view.pool.uuid } }] });
    expect(plans[0]?.diagnostics).toEqual([expect.objectContaining({ severity: "error", summary: expect.stringMatching(/^provider blocks "default" and "again" point at the same pool/) })]);
  });
});
