/**
 * xapi_template planning (pure, on hand-built pools): create with a known or "(known after apply)"
 * source, preflight errors naming the address (each space boundary both ways), update in place,
 * replace on a new source / sr / --replace, drift, destroy with its disks, intents and adoption.
 */
import { asAddress, isUnknown, type Change, type Plan } from "../../src/model";
import { markerValues } from "../../src/resources/markers";
import { template } from "../../src/resources/template";
import { templateSpec } from "../../src/resources/template-apply";
import { TEMPLATE_KEY, templateSource } from "../../src/resources/template-observe";
import type { SrRecord, VmRecord } from "../../src/xapi/records";
import type { Uuid } from "../../src/xapi/types";
import { demoLikePool } from "../helpers/demo-like-pool";
import { GiB, MiB, type PoolBuilder } from "../helpers/pool-view";
import { changeAt, plan, STACK, stackOf, type ResourceInput } from "../helpers/stack";

const T = "xapi_template.golden";
const errors = (p: Plan): string => p.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.address}: ${d.summary}\n${d.detail ?? ""}`).join("\n");
const tpl = (attrs: ResourceInput["attrs"], extra: Partial<ResourceInput> = {}): ResourceInput => ({ address: T, attrs: { name_label: "golden", ...attrs }, ...extra });
const srNamed = (b: PoolBuilder, name: string): SrRecord => {
  const sr = [...b.srs.values()].find((s) => s.name_label === name);
  if (!sr) throw new Error(`fixture: no SR ${name}`);
  return sr;
};
const disksOf = (b: PoolBuilder, vm: VmRecord) => vm.VBDs.map((r) => b.vbds.get(r)).map((vbd) => (vbd ? b.vdis.get(vbd.VDI) : undefined)).filter((v) => v !== undefined);

/** A template as the kind leaves it: a clone of `source` (disks owned), with markers and xsnap.source. */
function madeTemplate(b: PoolBuilder, source: VmRecord, args: { name_label?: string; name_description?: string; sr?: SrRecord | null; address?: string } = {}): VmRecord {
  const name = args.name_label ?? "golden";
  const t = b.vm({ name_label: name, power_state: "Halted", is_a_template: true, other_config: { ...source.other_config, base_template_name: source.name_label } });
  for (const d of disksOf(b, source)) b.attachDisk(t, { name_label: d.name_label, sr: args.sr ?? (b.srs.get(d.SR) as SrRecord), virtual_size: d.virtual_size, physical_utilisation: d.physical_utilisation });
  const spec = templateSpec({ source: source.uuid, name_label: name, name_description: args.name_description ?? "", sr: args.sr?.uuid ?? null });
  const markers = markerValues({ stack: STACK, address: asAddress(args.address ?? T), spec, self: t.uuid });
  b.edit(t, { other_config: { ...t.other_config, ...markers, [TEMPLATE_KEY.source]: source.uuid, [TEMPLATE_KEY.created]: "1000" }, name_description: args.name_description ?? "" });
  return b.get(t.ref);
}

describe("xapi_template: create", () => {
  it("plans a clone of a known snapshot, with the uuid known after apply", () => {
    const { b, vms } = demoLikePool();
    const p = plan(b, stackOf(tpl({ source: vms.manual.uuid })));
    expect(errors(p)).toBe("");
    const c = changeAt(p, T) as Change;
    expect(c.action).toBe("create");
    expect(c.after).toMatchObject({ source: vms.manual.uuid, name_label: "golden" });
    expect(isUnknown(c.after?.uuid)).toBe(true);
    expect(c.private).toMatchObject({ op: "create", source: vms.manual.uuid, name_label: "golden" });
    expect(c.private).not.toHaveProperty("sr");
    expect(c.notes.join("\n")).toContain("VM.clone");
    expect(template.serialKeys(c, {})).toEqual([vms.manual.uuid]);
  });

  it("plans a copy into an SR named by name, and records the SR by uuid", () => {
    const { b, vms } = demoLikePool();
    const c = changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "NFS store" }))), T) as Change;
    expect(c.private).toMatchObject({ sr: srNamed(b, "NFS store").uuid });
    expect(c.notes.join("\n")).toContain("VM.copy of the disks into SR \"NFS store\"");
  });

  it("keeps a source made by the same apply as (known after apply) and checks the rest", () => {
    const { b } = demoLikePool();
    const base = { address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "base" } };
    const ref = { ref: { address: asAddress("xapi_snapshot.base"), attribute: "uuid" } };
    const p = plan(b, stackOf(base, tpl({ source: ref }, { dependsOn: ["xapi_snapshot.base"] })));
    expect(errors(p)).toBe("");
    const c = changeAt(p, T) as Change;
    expect(c.action).toBe("create");
    expect(isUnknown(c.after?.source)).toBe(true);
    expect(c.deferred).toEqual({ source: ref });
    expect(c.private).not.toHaveProperty("source");
    expect(c.dependsOn).toEqual(["xapi_snapshot.base"]);
    expect(template.serialKeys(c, { source: "abc" })).toEqual(["abc"]);
    expect(template.intentSubject(c, { source: "abc" })).toMatchObject({ expected_name: "golden", facts: { source: "abc" } });
    // What needs no source is still checked at plan time.
    const bad = plan(b, stackOf(base, tpl({ source: ref, sr: "no such SR" }, { dependsOn: ["xapi_snapshot.base"] })));
    expect(errors(bad)).toContain(`${T}: sr "no such SR" matches no SR`);
  });
});

describe("xapi_template: preflight names the address", () => {
  it.each([
    ["a source uuid that is not in the pool", () => "00000000-dead-4000-8000-000000000000", "is not a snapshot or checkpoint of this pool"],
    ["a source that is a VM", (v: ReturnType<typeof demoLikePool>["vms"]) => v.web.uuid, "is not a snapshot or checkpoint: it is a VM (Running) (\"web-01\")"],
  ])("refuses %s", (_why, source, expected) => {
    const { b, vms } = demoLikePool();
    expect(errors(plan(b, stackOf(tpl({ source: source(vms) }))))).toContain(`${T}: source "${source(vms)}" ${expected}`);
  });

  it("answers a snapshot's name with its uuid", () => {
    const { b, vms } = demoLikePool();
    const text = errors(plan(b, stackOf(tpl({ source: "web-01 manual" }))));
    expect(text).toContain(`${T}: source "web-01 manual" is not a snapshot or checkpoint of this pool`);
    expect(text).toContain(vms.manual.uuid);
  });

  it("refuses an unknown sr, lists the candidates of an ambiguous one, and refuses an ISO library", () => {
    const { b, vms } = demoLikePool();
    expect(errors(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "Nowhere" }))))).toContain(`${T}: sr "Nowhere" matches no SR`);
    const a = b.sr({ name_label: "Twin" });
    const c = b.sr({ name_label: "Twin" });
    const text = errors(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "Twin" }))));
    expect(text).toContain("sr \"Twin\" matches 2 SRs");
    expect(text).toContain(a.uuid);
    expect(text).toContain(c.uuid);
    expect(errors(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: a.uuid }))))).toBe("");
    const iso = b.sr({ name_label: "ISO library", type: "iso" });
    b.edit(iso, { content_type: "iso" });
    expect(errors(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "ISO library" }))))).toContain("is an ISO library");
  });

  it("copy into a thick SR needs the disks' virtual size: equal passes, one byte more fails", () => {
    const { b, vms } = demoLikePool();
    const local = srNamed(b, "Local storage");
    const need = disksOf(b, vms.manual).reduce((s, d) => s + d.virtual_size, 0);
    expect(need).toBe(10 * GiB);
    b.edit(local, { physical_utilisation: local.physical_size - need });
    const ok = plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "Local storage" })));
    expect(errors(ok)).toBe("");
    b.edit(local, { physical_utilisation: local.physical_size - need + 1 });
    expect(errors(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "Local storage" }))))).toContain(`${T}: SR "Local storage" has`);
  });

  it("copy into a thin SR needs the disks' used size: equal passes, one byte more fails", () => {
    const { b, vms } = demoLikePool();
    const nfs = srNamed(b, "NFS store");
    const [disk] = disksOf(b, vms.manual);
    if (!disk) throw new Error("fixture");
    b.edit(disk, { physical_utilisation: 3 * GiB });
    b.edit(nfs, { physical_utilisation: nfs.physical_size - 3 * GiB });
    const ok = plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "NFS store" })));
    expect(errors(ok)).toBe("");
    expect(changeAt(ok, T)?.action).toBe("create");
    b.edit(nfs, { physical_utilisation: nfs.physical_size - 3 * GiB + 1 });
    expect(errors(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "NFS store" }))))).toContain("this template's copy needs about 3.0 GiB there");
  });

  it("a clone costs 16 MiB per disk on a file SR: equal passes, one byte more fails", () => {
    const { b, vms } = demoLikePool();
    const nfs = srNamed(b, "NFS store");
    b.edit(nfs, { physical_utilisation: nfs.physical_size - 16 * MiB });
    expect(errors(plan(b, stackOf(tpl({ source: vms.manual.uuid }))))).toBe("");
    b.edit(nfs, { physical_utilisation: nfs.physical_size - 16 * MiB + 1 });
    expect(errors(plan(b, stackOf(tpl({ source: vms.manual.uuid }))))).toContain("this template's clone needs about 16.0 MiB there");
  });

  it("refuses a clone of a raw disk and names the way out", () => {
    const { b, vms } = demoLikePool();
    const snap = b.snapshot(vms.raw, { name_label: "raw snap" });
    expect(errors(plan(b, stackOf(tpl({ source: snap.uuid }))))).toContain("is a raw VDI, which cannot be cloned");
    expect(errors(plan(b, stackOf(tpl({ source: snap.uuid, sr: "NFS store" }))))).toBe("");
  });
});

describe("xapi_template: an existing template", () => {
  it("no changes when the configuration matches", () => {
    const { b, vms } = demoLikePool();
    madeTemplate(b, vms.manual);
    const p = plan(b, stackOf(tpl({ source: vms.manual.uuid })));
    expect(p.changes.map((c) => c.action)).toEqual(["no-op"]);
    expect(p.drift).toEqual([]);
  });

  it("renames in place, keeping the uuid", () => {
    const { b, vms } = demoLikePool();
    const t = madeTemplate(b, vms.manual);
    const c = changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid, name_label: "golden v2", name_description: "d" }))), T) as Change;
    expect(c.action).toBe("update");
    expect(c.after).toMatchObject({ uuid: t.uuid, name_label: "golden v2", name_description: "d" });
    expect(c.private).toMatchObject({ op: "update", object: t.uuid, name_label: "golden v2", name_description: "d" });
    expect(template.serialKeys(c, {})).toEqual([vms.manual.uuid, t.uuid]);
  });

  it("replaces on a new source, saying why, new template first", () => {
    const { b, vms } = demoLikePool();
    const t = madeTemplate(b, vms.manual);
    const other = b.snapshot(vms.web, { name_label: "newer" });
    const c = changeAt(plan(b, stackOf(tpl({ source: other.uuid }))), T) as Change;
    expect(c.action).toBe("replace");
    expect(c.notes.join("\n")).toContain(`source changes from ${vms.manual.uuid} to ${other.uuid}`);
    expect(c).toMatchObject({ reason: "replace_because_cannot_update", replacePaths: ["source"] });
    expect(c.notes.join("\n")).toContain("the new template is made first");
    expect(c.private).toMatchObject({ op: "replace", create: { source: other.uuid }, destroy: { object: t.uuid } });
  });

  it("replaces when the source will only be known after apply (a new snapshot)", () => {
    const { b, vms } = demoLikePool();
    madeTemplate(b, vms.manual);
    const ref = { ref: { address: asAddress("xapi_snapshot.base"), attribute: "uuid" } };
    const p = plan(b, stackOf({ address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "base" } }, tpl({ source: ref }, { dependsOn: ["xapi_snapshot.base"] })));
    const c = changeAt(p, T) as Change;
    expect(c.action).toBe("replace");
    expect(isUnknown(c.after?.source)).toBe(true);
  });

  it("replaces on a new sr, and not when the same SR is named by uuid instead", () => {
    const { b, vms } = demoLikePool();
    const nfs = srNamed(b, "NFS store");
    madeTemplate(b, vms.manual, { sr: nfs });
    expect(changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: nfs.uuid }))), T)?.action).toBe("no-op");
    expect(changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "NFS store" }))), T)?.action).toBe("no-op");
    const c = changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid, sr: "Local storage" }))), T) as Change;
    expect(c.action).toBe("replace");
    expect(c.notes.join("\n")).toContain("sr changes to \"Local storage\"");
    expect(c).toMatchObject({ reason: "replace_because_cannot_update", replacePaths: ["sr"] });
    expect(changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid }))), T)?.action).toBe("replace");
  });

  it("replaces on --replace", () => {
    const { b, vms } = demoLikePool();
    madeTemplate(b, vms.manual);
    const c = changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid })), { replace: [asAddress(T)] }), T) as Change;
    expect(c).toMatchObject({ action: "replace", reason: "replace_by_request", replacePaths: [] });
  });

  it("reports a rename made outside xsnap as drift and plans it back", () => {
    const { b, vms } = demoLikePool();
    const t = madeTemplate(b, vms.manual);
    b.edit(t, { name_label: "renamed by hand" });
    const p = plan(b, stackOf(tpl({ source: vms.manual.uuid })));
    expect(p.drift).toEqual([expect.objectContaining({ address: T, kind: "changed", before: { name_label: "golden" }, after: { name_label: "renamed by hand" } })]);
    expect(changeAt(p, T)).toMatchObject({ action: "update", private: { name_label: "golden" } });
  });

  it("keeps a template whose source snapshot was deleted since", () => {
    const { b, vms } = demoLikePool();
    madeTemplate(b, vms.manual);
    b.remove(vms.manual);
    const p = plan(b, stackOf(tpl({ source: vms.manual.uuid })));
    expect(errors(p)).toBe("");
    expect(changeAt(p, T)?.action).toBe("no-op");
  });

  it("destroys a removed template with the disks it owns, listed in the plan", () => {
    const { b, vms } = demoLikePool();
    const t = madeTemplate(b, vms.manual);
    const disk = disksOf(b, t)[0];
    const c = changeAt(plan(b, stackOf()), T) as Change;
    expect(c).toMatchObject({ action: "destroy", reason: "not_in_configuration", private: { op: "destroy", object: t.uuid, disks: [{ uuid: disk?.uuid }] } });
    expect(c.notes.join("\n")).toContain(`destroys 1 disk with it: "web-01 root" (${disk?.uuid})`);
  });

  it("never counts markers a template inherited from its snapshot", () => {
    const { b, vms } = demoLikePool();
    const t = madeTemplate(b, vms.manual);
    b.edit(t, { other_config: { ...t.other_config, "xsnap.self": vms.manual.uuid } });
    expect(changeAt(plan(b, stackOf()), T)).toBeUndefined();
    expect(templateSource(b.get(t.ref))).toBeUndefined();
  });

  it("records the source for inventory", () => {
    const { b, vms } = demoLikePool();
    const t = madeTemplate(b, vms.manual);
    expect(templateSource(t)).toBe(vms.manual.uuid);
  });
});

describe("xapi_template: payloads, intents, adoption", () => {
  it("refuses an edited payload", () => {
    const { b, vms } = demoLikePool();
    const c = changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid }))), T) as Change;
    expect(template.checkPayload(c)).toBeUndefined();
    expect(template.checkPayload({ ...c, private: { ...c.private, existing: "x" } })).toContain("private.existing");
  });

  const intent = (b: PoolBuilder, source: VmRecord, existing: Uuid[] = []) => ({
    id: "i1", op: "create" as const, address: asAddress(T), type: "xapi_template", started: "2026-11-25T00:00:00Z",
    expected_name: "golden", existing, facts: { source: source.uuid },
  });
  const unmarkedClone = (b: PoolBuilder, source: VmRecord, name = "golden"): VmRecord =>
    b.vm({ name_label: name, power_state: "Halted", is_a_template: true, other_config: { ...source.other_config, base_template_name: source.name_label } });

  it("discards an intent that created nothing, adopts the one clone of its source, blocks on two", () => {
    const { b, vms } = demoLikePool();
    expect(template.resolveIntent(b.build(), intent(b, vms.manual), new Map()).status).toBe("discard");
    b.vm({ name_label: "golden", power_state: "Halted", is_a_template: true });   // same name, not from this source
    expect(template.resolveIntent(b.build(), intent(b, vms.manual), new Map()).status).toBe("discard");
    const clone = unmarkedClone(b, vms.manual);
    const adopted = template.resolveIntent(b.build(), intent(b, vms.manual), new Map());
    expect(adopted).toMatchObject({ status: "adopt", live: { uuid: clone.uuid } });
    unmarkedClone(b, vms.manual);
    expect(template.resolveIntent(b.build(), intent(b, vms.manual), new Map()).status).toBe("ambiguous");
    expect(template.resolveIntent(b.build(), intent(b, vms.manual, [clone.uuid]), new Map()).status).toBe("adopt");
  });

  it("an adopted clone plans an update that writes its markers and finishes the intent", () => {
    const { b, vms } = demoLikePool();
    const clone = unmarkedClone(b, vms.manual);
    b.pool.other_config = { [`xsnap.pending/${STACK}/i1`]: JSON.stringify(intent(b, vms.manual)) };
    const p = plan(b, stackOf(tpl({ source: vms.manual.uuid })));
    expect(p.intents).toEqual([expect.objectContaining({ id: "i1", status: "adopt" })]);
    const c = changeAt(p, T) as Change;
    expect(c).toMatchObject({ action: "update", resolvesIntent: "i1", private: { object: clone.uuid, source: vms.manual.uuid } });
    expect(c.notes.join("\n")).toContain("adopts the template");
  });

  it("an adopted template that still holds a memory image is halted by its update", () => {
    const { b, vms } = demoLikePool();
    const t = madeTemplate(b, vms.manual);
    b.edit(t, { power_state: "Suspended" });
    const c = changeAt(plan(b, stackOf(tpl({ source: vms.manual.uuid }))), T) as Change;
    expect(c).toMatchObject({ action: "update", private: { drop_memory: true } });
    expect(c.notes.join("\n")).toContain("memory image");
  });

  it("a marked template means the intent is done", () => {
    const { b, vms } = demoLikePool();
    madeTemplate(b, vms.manual);
    expect(template.resolveIntent(b.build(), intent(b, vms.manual), new Map()).status).toBe("done");
  });

  it("imports only templates", () => {
    const { b, vms } = demoLikePool();
    const view = b.build();
    const tmpl = [...view.vms.values()].find((v) => v.name_label === "web-template") as VmRecord;
    expect(template.unadoptable(view, tmpl.uuid, "ops")).toBeUndefined();
    expect(template.unadoptable(view, vms.manual.uuid, "ops")).toContain("is a snapshot");
    expect(template.unadoptable(view, vms.web.uuid, "ops")).toContain("is a VM");
    const dom0 = [...view.vms.values()].find((v) => v.is_control_domain) as VmRecord;
    expect(template.unadoptable(view, dom0.uuid, "ops")).toContain("control domain");
  });
});
