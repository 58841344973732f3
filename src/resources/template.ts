/**
 * `xapi_template`: a template made from a snapshot or checkpoint — VM.clone (no `sr`, fast, on the
 * source's SRs) or VM.copy into `sr` — never with memory state (DESIGN §3, xapi.md §3.5). Names
 * update in place; a new `source` or `sr` replaces it (the new template first, then the old one is
 * uninstalled). `source` may be "(known after apply)" when the same apply takes the snapshot: the
 * plan checks what it can, apply re-checks the source when it runs.
 */
import { type AttrValue, type Attrs, type Diagnostic, errorAt, isUnknown, UNKNOWN } from "../model";
import type { PoolView, SrRecord, VmRecord } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import { ownedDisks } from "./disks";
import { objectUuid, type DiffArgs, type DiffResult, type IntentSubject, type Live, type ObjectRead, type PlannedAction, type ResourceKind } from "./kind";
import { decodeSpec, digestOf } from "./spec-record";
import { adopt, applyStep, finishIntent, release, sourceOf, templateSpec } from "./template-apply";
import { resolveIntent, SOURCE_FACT } from "./template-intents";
import { carriesMemory, isPlainTemplate, observe, TEMPLATE_TYPE } from "./template-observe";
import { lookupSource, lookupSr, preflightTemplate } from "./template-preflight";
import { managedByAnotherStack } from "./markers";
import { checkStep, createOf, destroyOf, stepOf, toPrivate, type CreateStep, type DestroyStep } from "./template-steps";

/** The configuration after resolution. `source` undefined = only apply knows it. */
interface Wanted {
  readonly sourceValue: string | undefined;
  readonly name_label: string;
  readonly name_description: string;
  readonly srValue: string | undefined;
  readonly sr: SrRecord | undefined;
}

export const template: ResourceKind = {
  type: TEMPLATE_TYPE,
  identity: { by: "markers" },
  computed: ["uuid"],
  observe: (view, stack) => observe(view, stack),
  diff,
  checkPayload: (change) => checkStep(change),
  apply: (change, ctx) => applyStep(stepOf(change), ctx),
  serialKeys: (change, inputs) => {
    // The source is read by the clone/copy; the template itself is changed or destroyed.
    const step = stepOf(change);
    const create = createOf(step);
    const source = create ? sourceOf(create, inputs) : step.op === "update" ? step.source : undefined;
    const object = step.op === "update" ? step.object : destroyOf(step)?.object;
    const keys = [source, object].filter((k): k is string => k !== undefined);
    return keys.length > 0 ? keys : [change.address];
  },
  intentSubject: (change, inputs): IntentSubject => {
    const step = stepOf(change);
    const create = createOf(step);
    const destroy = destroyOf(step);
    const source = create ? sourceOf(create, inputs) : undefined;
    return {
      ...(create ? { expected_name: create.name_label, existing: create.existing } : {}),
      ...(step.op === "update" ? { object: step.object } : {}),
      ...(destroy ? { object: destroy.object, disks: destroy.disks.map((d) => d.uuid as Uuid) } : {}),
      ...(source ? { facts: { [SOURCE_FACT]: source } } : {}),
    };
  },
  resolveIntent: (view, intent) => resolveIntent(view, intent),
  finishIntent: (outcome, ctx) => finishIntent(outcome, ctx),
  adopt: (uuid, ctx) => adopt(uuid, ctx),
  release: (uuid, ctx) => release(uuid, ctx),
  unadoptable,
};

function diff(args: DiffArgs): DiffResult {
  const { spec, live, view, address } = args;
  if (!spec) return live ? { planned: destroyAction(view, live), diagnostics: [], reads: destroyReads(view, live) } : { diagnostics: [], reads: [] };
  const wanted = resolveWanted(args);
  if (!wanted.ok) return { diagnostics: wanted.diagnostics, reads: [] };
  const w = wanted.value;
  const reads: ObjectRead[] = w.sr ? [{ uuid: w.sr.uuid, address }] : [];
  if (!live) return planCreate(args, w, reads);
  reads.push({ uuid: objectUuid(live), address });

  const rec = live.recorded;
  const liveSource = typeof live.attrs.source === "string" ? live.attrs.source : "";
  // A template adopted without xsnap.source (xsnap import) keeps the configured source: nothing tells otherwise.
  const sourceChanged = w.sourceValue === undefined || (liveSource !== "" ? liveSource !== w.sourceValue : rec !== undefined && rec.digests.source !== digestOf(w.sourceValue));
  const srChanged = rec !== undefined && rec.digests.sr !== undefined && rec.digests.sr !== digestOf(w.sr?.uuid ?? null);
  const before = beforeAttrs(live, w, srChanged);
  const drift = driftOf(live, w);

  if (sourceChanged || srChanged || args.replaceRequested) {
    const why = [
      ...(sourceChanged ? [`(source ${w.sourceValue === undefined ? "will be a new snapshot" : `changes from ${liveSource || "?"} to ${w.sourceValue}`}: a template cannot change its source, so a new one is made)`] : []),
      ...(srChanged ? [`(sr changes to ${w.sr ? `"${w.sr.name_label}"` : "none (a clone on the source's SRs)"}: a template cannot move, so a new one is made)`] : []),
    ];
    const created = planCreate(args, w, reads);
    if (!created.planned) return { ...created, ...(drift ? { drift } : {}) };
    const destroy = destroyStep(view, live);
    const planned: PlannedAction = {
      action: "replace", replacePaths: [...(sourceChanged ? ["source"] : []), ...(srChanged ? ["sr"] : [])], before, after: created.planned.after,
      notes: [...why, "(the new template is made first; the old one is then uninstalled)", ...destroyNotes(destroy)],
      private: toPrivate({ op: "replace", create: created.planned.private as unknown as CreateStep, destroy }),
    };
    return { ...created, planned, reads: [...created.reads, ...destroyReads(view, live)], ...(drift ? { drift } : {}) };
  }
  const source = w.sourceValue as string;
  const spec_ = templateSpec({ source, name_label: w.name_label, name_description: w.name_description, sr: w.sr?.uuid ?? null });
  const record = recordOf(view, objectUuid(live));
  const memory = record !== undefined && carriesMemory(record);
  const renamed = live.attrs.name_label !== w.name_label;
  const redescribed = live.attrs.name_description !== w.name_description;
  const needsMarkers = rec === undefined || rec.sha256 !== decodeSpec(spec_)?.sha256 || liveSource !== source;
  const after: Attrs = { ...before, ...configured(w), uuid: objectUuid(live) };
  if (!renamed && !redescribed && !needsMarkers && !memory) {
    return { planned: { action: "no-op", before, after: before, notes: [] }, diagnostics: [], reads, ...(drift ? { drift } : {}) };
  }
  const notes = [
    ...(live.adoptedFrom ? [`(adopts the template ${objectUuid(live)} that an interrupted apply created: writes its markers)`]
      : rec === undefined ? [`(writes xsnap's markers on ${objectUuid(live)})`] : []),
    ...(memory ? [`(the template still holds a memory image: it is halted, which destroys the image)`] : []),
  ];
  return {
    planned: {
      action: "update", before, after, notes,
      private: toPrivate({ op: "update", object: objectUuid(live), source: source as Uuid, spec: spec_,
        ...(renamed ? { name_label: w.name_label } : {}), ...(redescribed ? { name_description: w.name_description } : {}), ...(memory ? { drop_memory: true } : {}) }),
    },
    diagnostics: [], reads, ...(drift ? { drift } : {}),
  };
}

type WantedResult = { readonly ok: true; readonly value: Wanted } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The plan-time checks that need no source: names, and the sr (it must be known and exist). */
function resolveWanted(args: DiffArgs): WantedResult {
  const spec = args.spec as Attrs;
  const diagnostics: Diagnostic[] = [];
  const name = spec.name_label;
  if (typeof name !== "string" || name.trim() === "") {
    diagnostics.push(errorAt(args.address, `name_label must be a non-empty string known at plan time; got ${JSON.stringify(name ?? null)}`, "Give the template a name."));
  }
  let sourceValue: string | undefined;
  if (typeof spec.source === "string" && spec.source !== "") sourceValue = spec.source;
  else if (!isUnknown(spec.source)) {
    diagnostics.push(errorAt(args.address, `source must be a snapshot's uuid or a reference such as \${xapi_snapshot.NAME.uuid}; got ${JSON.stringify(spec.source ?? null)}`));
  }
  let sr: SrRecord | undefined;
  const srValue = typeof spec.sr === "string" ? spec.sr : undefined;
  if (isUnknown(spec.sr)) {
    diagnostics.push(errorAt(args.address, "sr must be known at plan time (an SR uuid or name)", "Refer to an SR that exists already, not to a value this apply produces."));
  } else if (srValue !== undefined) {
    const found = lookupSr(args.view, srValue, args.address);
    if (found.ok) sr = found.value;
    else diagnostics.push(found.diagnostic);
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return { ok: true, value: { sourceValue, name_label: name as string, name_description: typeof spec.name_description === "string" ? spec.name_description : "", srValue, sr } };
}

/** Configured attributes as the plan shows them (an unknown source stays UNKNOWN: "(known after apply)"). */
function configured(w: Wanted): Record<string, AttrValue> {
  return { source: w.sourceValue ?? UNKNOWN, name_label: w.name_label, name_description: w.name_description, ...(w.srValue !== undefined ? { sr: w.srValue } : {}) };
}

function planCreate(args: DiffArgs, w: Wanted, reads: ObjectRead[]): DiffResult {
  const { view, address } = args;
  const existing = [...view.vms.values()].filter((t) => isPlainTemplate(t) && t.name_label === w.name_label).map((t) => t.uuid);
  const step: CreateStep = {
    op: "create", ...(w.sourceValue !== undefined ? { source: w.sourceValue as Uuid } : {}), name_label: w.name_label, name_description: w.name_description,
    ...(w.sr ? { sr: w.sr.uuid } : {}), existing,
  };
  const after: Record<string, AttrValue> = { ...configured(w), uuid: UNKNOWN };
  const how = w.sr ? `VM.copy of the disks into SR "${w.sr.name_label}"` : "VM.clone (fast, on the source's SRs)";
  const notes = [`(made by ${how}; a template never carries the memory of a checkpoint)`];
  if (w.sourceValue === undefined) {
    notes.push("(source is known after apply: the snapshot is checked when the step runs)");
    return { planned: { action: "create", before: null, after, notes, private: toPrivate(step) }, diagnostics: [], reads };
  }
  const source = lookupSource(view, w.sourceValue, address);
  if (!source.ok) return { diagnostics: [source.diagnostic], reads };
  const pre = preflightTemplate({ address, view, source: source.value, ...(w.sr ? { sr: w.sr } : {}) });
  const planned: PlannedAction = { action: "create", before: null, after, notes, private: toPrivate(step) };
  return {
    planned, diagnostics: pre.diagnostics, claims: pre.claims,
    reads: [...reads, { uuid: source.value.uuid, address }, ...pre.disks.map((d) => ({ uuid: d.uuid, address }))],
  };
}

/** `before`: what the pool shows, plus the configured sr when the last apply recorded it unchanged. */
function beforeAttrs(live: Live, w: Wanted, srChanged: boolean): Attrs {
  const out: Record<string, AttrValue> = { ...live.attrs };
  if (live.recorded && !srChanged && w.srValue !== undefined) out.sr = w.srValue;
  return out;
}

function driftOf(live: Live, w: Wanted): DiffResult["drift"] {
  const rec = live.recorded;
  if (!rec) return undefined;
  const configuredNow: Record<string, AttrValue> = { name_label: w.name_label, name_description: w.name_description };
  const changed = (["name_label", "name_description"] as const).filter((a) => rec.digests[a] !== undefined && rec.digests[a] !== digestOf(live.attrs[a]));
  if (changed.length === 0) return undefined;
  const before: Record<string, AttrValue> = {};
  for (const a of changed) if (rec.digests[a] === digestOf(configuredNow[a])) before[a] = configuredNow[a] as AttrValue;
  const after: Record<string, AttrValue> = {};
  for (const a of changed) after[a] = live.attrs[a] as AttrValue;
  return { kind: "changed", before, after };
}

const recordOf = (view: PoolView, uuid: string): VmRecord | undefined => {
  const e = view.byUuid.get(uuid as Uuid);
  return e?.class === "VM" ? view.vms.get(e.ref) : undefined;
};

function destroyStep(view: PoolView, live: Live): DestroyStep {
  const record = recordOf(view, objectUuid(live));
  return { op: "destroy", object: objectUuid(live), disks: record ? ownedDisks(view, record) : [] };
}

function destroyNotes(step: DestroyStep): string[] {
  if (step.disks.length === 0) return [];
  return [`(destroys ${step.disks.length} disk${step.disks.length === 1 ? "" : "s"} with it: ${step.disks.map((d) => `"${d.name_label}" (${d.uuid})`).join(", ")})`];
}

function destroyAction(view: PoolView, live: Live): PlannedAction {
  const step = destroyStep(view, live);
  return { action: "destroy", before: live.attrs, after: null, notes: destroyNotes(step), private: toPrivate(step) };
}

function destroyReads(view: PoolView, live: Live): ObjectRead[] {
  return [{ uuid: objectUuid(live), address: live.address }, ...destroyStep(view, live).disks.map((d) => ({ uuid: d.uuid, address: live.address }))];
}

function unadoptable(view: PoolView, uuid: Uuid, stack: string): string | undefined {
  const vm = recordOf(view, uuid);
  if (!vm) return `${uuid} is not a VM-class object of this pool`;
  if (vm.is_control_domain) return `"${vm.name_label}" (${uuid}) is a control domain`;
  if (vm.is_a_snapshot) return `"${vm.name_label}" (${uuid}) is a snapshot, not a template (manage it as xapi_snapshot or xapi_checkpoint)`;
  if (!vm.is_a_template) return `"${vm.name_label}" (${uuid}) is a VM, not a template`;
  if (vm.is_default_template) return `"${vm.name_label}" (${uuid}) is one of XAPI's built-in templates, which cannot be deleted`;
  return managedByAnotherStack(vm, stack);
}
