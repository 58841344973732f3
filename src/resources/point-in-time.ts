/**
 * The shared kind behind `xapi_snapshot` and `xapi_checkpoint`: objects that capture a VM at one
 * point in time. Only name_label / name_description update in place; a change of an immutable
 * attribute is refused unless retake_token changes or --replace asks for it (DESIGN §3).
 */
import { formatBytes, type Diagnostic, type AttrValue, type Attrs, errorAt, UNKNOWN, warningAt } from "../model";
import type { PoolView, VmRecord } from "../xapi/records";
import { type Uuid, isNullRef } from "../xapi/types";
import { diskVdis, ownedDisks } from "./disks";
import { objectUuid, type DiffArgs, type DiffResult, type IntentSubject, type Live, type ObjectRead, type PlannedAction, type ResourceKind } from "./kind";
import { adopt, applyStep, finishIntent, release } from "./point-in-time-apply";
import { resolveIntent } from "./point-in-time-intents";
import { observe } from "./point-in-time-observe";
import { orphanDiff } from "./point-in-time-orphan";
import { checkStep, stepOf, toPrivate, vmOfStep, type CreateStep, type DestroyStep, type Flavor, type OnDestroy } from "./point-in-time-steps";
import { ignoreVdisSupported, preflight } from "./preflight";
import { managedByAnotherStack } from "./markers";
import { decodeSpec, digestOf, encodeSpec } from "./spec-record";
import { lookupVm } from "./vm-lookup";

export type { Flavor } from "./point-in-time-steps";

/** Spec attributes after resolution, with defaults. */
interface Wanted {
  readonly vmValue: string;
  readonly vm: VmRecord;
  readonly name_label: string;
  readonly name_description: string;
  readonly quiesce: boolean;
  readonly ignoreVdis: readonly Uuid[];
  readonly on_destroy: OnDestroy;
  readonly retake_token: string | null;
  /** Shown in the plan; enforced by the planner (a destroy or replace is refused), never hashed. */
  readonly protect: boolean;
  /** The values hashed into `xsnap.spec`. */
  readonly hashed: Readonly<Record<string, AttrValue>>;
}

export function pointInTimeKind(flavor: Flavor): ResourceKind {
  return {
    type: flavor.type,
    computed: flavor.computed,
    observe: (view, stack) => observe(flavor, view, stack),
    diff: (args) => diff(flavor, args),
    apply: (change, ctx) => applyStep(flavor, stepOf(change), ctx),
    identity: { by: "markers" },
    checkPayload: (change) => checkStep(change),
    serialKeys: (change) => [vmOfStep(stepOf(change)) ?? change.address],
    intentSubject: (change): IntentSubject => {
      const step = stepOf(change);
      const create = step.op === "create" ? step : step.op === "replace" ? step.create : undefined;
      const destroy = step.op === "destroy" ? step : step.op === "replace" ? step.destroy : undefined;
      return {
        ...(vmOfStep(step) ? { vm: vmOfStep(step) } : {}),
        ...(create ? { expected_name: create.name_label, existing: create.existing } : {}),
        ...(step.op === "update" ? { object: step.object } : {}),
        ...(destroy ? { object: destroy.object, disks: destroy.disks.map((d) => d.uuid as Uuid) } : {}),
      };
    },
    resolveIntent: (view, intent) => resolveIntent(flavor, view, intent),
    finishIntent: (outcome, ctx) => finishIntent(outcome, ctx),
    adopt: (uuid, ctx) => adopt(uuid, ctx),
    release: (uuid, ctx) => release(uuid, ctx),
    unadoptable: (view, uuid, stack) => unadoptable(flavor, view, uuid, stack),
  };
}

function diff(flavor: Flavor, args: DiffArgs): DiffResult {
  const { spec, live } = args;
  if (!spec) return live ? { planned: destroyAction(flavor, args.view, live), diagnostics: [], reads: destroyReads(args.view, live) } : { diagnostics: [], reads: [] };
  const wanted = resolveWanted(flavor, args);
  if (!wanted.ok) {
    const orphan = live && live.attrs.vm_uuid === "" && live.recorded ? orphanDiff(flavor, args, live) : undefined;
    return orphan ?? { diagnostics: wanted.diagnostics, reads: [] };
  }
  const w = wanted.value;
  const reads: ObjectRead[] = [{ uuid: w.vm.uuid, address: args.address }];
  if (!live) return withPreflight(flavor, args, w, createAction(flavor, args, w), reads);
  reads.push({ uuid: objectUuid(live), address: args.address });

  const rec = live.recorded;
  const changedSinceApply = (attr: string): boolean => rec !== undefined && rec.digests[attr] !== digestOf(w.hashed[attr]);
  const vmChanged = live.attrs.vm_uuid ? live.attrs.vm_uuid !== w.vm.uuid : changedSinceApply("vm");
  const immutableChanged = flavor.immutable.filter((a) => (a === "vm" ? vmChanged : changedSinceApply(a)));
  const tokenChanged = changedSinceApply("retake_token");
  const before = beforeAttrs(live, w, rec === undefined ? [] : ["vm", "quiesce", "ignore_disks", "retake_token"].filter((a) => !changedSinceApply(a)), flavor);
  const drift = driftOf(live, w);

  if (tokenChanged || args.replaceRequested) {
    const create = createAction(flavor, args, w);
    const destroy = destroyStep(args.view, live);
    const planned: PlannedAction = {
      action: "replace", ...(tokenChanged ? { reason: "retake_token_changed" as const } : {}),
      replacePaths: [...immutableChanged, ...(tokenChanged ? ["retake_token"] : [])], before, after: create.after,
      notes: [...create.notes, ...destroyNotes(destroy)],
      private: toPrivate({ op: "replace", create: create.private as unknown as CreateStep, destroy }),
    };
    return withPreflight(flavor, args, w, planned, [...reads, ...destroyReads(args.view, live)], drift);
  }
  if (immutableChanged.length > 0) {
    return {
      diagnostics: [errorAt(args.address, `cannot change ${immutableChanged.join(", ")} of an existing ${flavor.noun}: a new ${flavor.noun} would capture the VM's state now, not the original point in time`,
        `Change retake_token as well (or run with --replace ${args.address}) to take a new ${flavor.noun} and destroy the old one; otherwise revert the change.`)],
      reads, ...(drift ? { drift } : {}),
    };
  }
  const after = { ...before, ...afterCommon(w), uuid: objectUuid(live) };
  const renamed = live.attrs.name_label !== w.name_label;
  const redescribed = live.attrs.name_description !== w.name_description;
  const onDestroyChanged = rec !== undefined && (rec.kept.on_destroy ?? "uninstall") !== w.on_destroy;
  const specMarker = markerSpec(w);
  const needsMarkers = rec === undefined || rec.sha256 !== decodeSpec(specMarker)?.sha256 || onDestroyChanged;
  if (!renamed && !redescribed && !needsMarkers) {
    return { planned: { action: "no-op", before, after: before, notes: [] }, diagnostics: [], reads, ...(drift ? { drift } : {}) };
  }
  const notes = live.adoptedFrom
    ? [`(adopts the ${flavor.noun} ${objectUuid(live)} that an interrupted apply created: writes its markers)`]
    : rec === undefined ? [`(writes xsnap's markers on ${objectUuid(live)})`] : [];
  return {
    planned: {
      action: "update", before, after, notes,
      private: toPrivate({ op: "update", object: objectUuid(live), vm: w.vm.uuid, spec: specMarker,
        ...(renamed ? { name_label: w.name_label } : {}), ...(redescribed ? { name_description: w.name_description } : {}) }),
    },
    diagnostics: [], reads, ...(drift ? { drift } : {}),
  };
}

type WantedResult = { readonly ok: true; readonly value: Wanted } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

function resolveWanted(flavor: Flavor, args: DiffArgs): WantedResult {
  const spec = args.spec as Attrs;
  const diagnostics: Diagnostic[] = [];
  const str = (k: string, fallback = ""): string => (typeof spec[k] === "string" ? (spec[k] as string) : fallback);
  const vmValue = str("vm");
  if (typeof spec.vm !== "string") {
    return { ok: false, diagnostics: [errorAt(args.address, `vm must be known at plan time (a uuid, a name, or a data source reference); got ${JSON.stringify(spec.vm)}`)] };
  }
  const found = lookupVm(args.view, vmValue, args.address);
  if (!found.ok) return { ok: false, diagnostics: [found.diagnostic] };
  const vm = found.vm;
  const ignoreVdis: Uuid[] = [];
  const ignore = Array.isArray(spec.ignore_disks) ? (spec.ignore_disks as AttrValue[]) : [];
  const disks = diskVdis(args.view, vm);
  for (const entry of ignore) {
    const hits = disks.filter((d) => d.uuid === entry || d.name_label === entry);
    if (hits.length === 1 && hits[0]) ignoreVdis.push(hits[0].uuid);
    else diagnostics.push(errorAt(args.address, `ignore_disks entry ${JSON.stringify(entry)} ${hits.length === 0 ? "is not a disk" : "matches several disks"} of VM "${vm.name_label}"`,
      ["Disks of the VM:", ...disks.map((d) => `  - "${d.name_label}" (uuid ${d.uuid})`)].join("\n")));
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const quiesce = spec.quiesce === true;
  const onDestroy: OnDestroy = spec.on_destroy === "keep_disks" ? "keep_disks" : "uninstall";
  const retake = typeof spec.retake_token === "string" ? spec.retake_token : null;
  const sortedIgnore = [...ignoreVdis].sort();
  const hashed: Record<string, AttrValue> = { vm: vm.uuid, name_label: str("name_label"), name_description: str("name_description"), retake_token: retake };
  if (flavor.immutable.includes("quiesce")) hashed.quiesce = quiesce;
  if (flavor.immutable.includes("ignore_disks")) hashed.ignore_disks = sortedIgnore;
  return { ok: true, value: { vmValue, vm, name_label: str("name_label"), name_description: str("name_description"), quiesce, ignoreVdis: sortedIgnore, on_destroy: onDestroy, retake_token: retake, protect: spec.protect === true, hashed } };
}

const markerSpec = (w: Wanted): string => encodeSpec({ hashed: w.hashed, kept: { on_destroy: w.on_destroy } });

/** Configured attributes as the plan shows them. */
function afterCommon(w: Wanted): Record<string, AttrValue> {
  return {
    vm: w.vmValue, vm_uuid: w.vm.uuid, name_label: w.name_label, name_description: w.name_description,
    on_destroy: w.on_destroy, ...(w.retake_token !== null ? { retake_token: w.retake_token } : {}),
    ...("quiesce" in w.hashed ? { quiesce: w.quiesce } : {}),
    ...("ignore_disks" in w.hashed && w.ignoreVdis.length > 0 ? { ignore_disks: [...w.ignoreVdis] } : {}),
    ...(w.protect ? { protect: true } : {}),
  };
}

/** `before`: what the pool shows, plus the configured values of inputs the last apply recorded unchanged. */
function beforeAttrs(live: Live, w: Wanted, unchanged: readonly string[], flavor: Flavor): Attrs {
  const common = afterCommon(w);
  const out: Record<string, AttrValue> = { ...live.attrs };
  for (const attr of unchanged) if (attr in common) out[attr] = common[attr] as AttrValue;
  if (live.attrs.vm_uuid === w.vm.uuid) out.vm = w.vmValue;
  const onDestroy = live.recorded?.kept.on_destroy;
  if (onDestroy) out.on_destroy = onDestroy;
  if (!flavor.withMemory) delete out.power_state;
  return out;
}

function driftOf(live: Live, w: Wanted): DiffResult["drift"] {
  const rec = live.recorded;
  if (!rec) return undefined;
  const changed = (["name_label", "name_description"] as const).filter((a) => rec.digests[a] !== undefined && rec.digests[a] !== digestOf(live.attrs[a]));
  if (changed.length === 0) return undefined;
  const before: Record<string, AttrValue> = {};
  for (const a of changed) if (rec.digests[a] === digestOf(w.hashed[a])) before[a] = w.hashed[a] as AttrValue;
  const after: Record<string, AttrValue> = {};
  for (const a of changed) after[a] = live.attrs[a] as AttrValue;
  return { kind: "changed", before, after };
}

function createAction(flavor: Flavor, args: DiffArgs, w: Wanted): PlannedAction {
  const existing = (args.view.snapshotsOf.get(w.vm.ref) ?? [])
    .map((ref) => args.view.vms.get(ref)).filter((s): s is VmRecord => s !== undefined && s.name_label === w.name_label).map((s) => s.uuid);
  const step: CreateStep = { op: "create", vm: w.vm.uuid, vm_ref: w.vm.ref, name_label: w.name_label, name_description: w.name_description,
    quiesce: w.quiesce, ignore_vdis: w.ignoreVdis, spec: markerSpec(w), existing };
  const after: Record<string, AttrValue> = { ...afterCommon(w) };
  for (const c of flavor.computed) if (!(c in after)) after[c] = UNKNOWN;
  const notes = [`(a new ${flavor.noun} captures ${w.vm.name_label}'s state at apply time, not an earlier point in time)`];
  if (flavor.withMemory) {
    after.power_state = w.vm.power_state === "Paused" ? "Halted" : "Suspended";
    after.memory_bytes = w.vm.memory_static_max;
    if (w.vm.power_state === "Running") notes.push(`(${w.vm.name_label} pauses briefly while its memory is saved)`);
    // xapi_vm_clone.ml: a checkpoint of a Paused VM gets no suspend VDI and is recorded Halted (xapi.md §7).
    if (w.vm.power_state === "Paused") notes.push(`(${w.vm.name_label} is Paused: XAPI captures no memory image of a Paused VM, so this checkpoint holds its disks only and reverts to Halted)`);
  }
  return { action: "create", before: null, after, notes, private: toPrivate(step) };
}

function withPreflight(flavor: Flavor, args: DiffArgs, w: Wanted, planned: PlannedAction, reads: ObjectRead[], drift?: DiffResult["drift"]): DiffResult {
  const disks = diskVdis(args.view, w.vm).filter((d) => !w.ignoreVdis.includes(d.uuid));
  const result = preflight({ address: args.address, view: args.view, vm: w.vm, disks, withMemory: flavor.withMemory, quiesce: w.quiesce });
  const extra: Diagnostic[] = [];
  if (w.ignoreVdis.length > 0 && !ignoreVdisSupported(args.view.xapiVersion)) {
    extra.push(errorAt(args.address, `ignore_disks needs xapi 21.4 or later; this pool runs xapi ${args.view.xapiVersion}`,
      "XAPI would refuse VM.snapshot with MESSAGE_PARAMETER_COUNT_MISMATCH. Remove ignore_disks, or upgrade the pool."));
  }
  if (disks.length === 0 && !flavor.withMemory) {
    extra.push(warningAt(args.address, `the ${flavor.noun} of VM "${w.vm.name_label}" would include no disk${w.ignoreVdis.length > 0 ? " (ignore_disks leaves none)" : ""}: it records the VM's configuration only`));
  }
  const after = planned.after && flavor.withMemory ? { ...planned.after, estimated_bytes: result.estimatedBytes } : planned.after;
  // The estimate per SR, as a reviewer reads sizes (the attribute itself is the total in bytes).
  const perSr = flavor.withMemory && result.claims.length > 0 && (planned.action === "create" || planned.action === "replace")
    ? [`(needs ${result.claims.map((c) => `≈ ${formatBytes(c.bytes)} on ${c.label}`).join(", ")})`] : [];
  for (const d of disks) reads.push({ uuid: d.uuid, address: args.address });
  return { planned: { ...planned, after, notes: [...planned.notes, ...perSr] }, diagnostics: [...extra, ...result.diagnostics], reads, claims: result.claims, ...(drift ? { drift } : {}) };
}

function destroyStep(view: PoolView, live: Live): DestroyStep {
  const mode: OnDestroy = live.recorded?.kept.on_destroy === "keep_disks" ? "keep_disks" : "uninstall";
  const entry = view.byUuid.get(objectUuid(live));
  const record = entry ? view.vms.get(entry.ref) : undefined;
  const disks = mode === "uninstall" && record ? ownedDisks(view, record) : [];
  const vm = typeof live.attrs.vm_uuid === "string" && live.attrs.vm_uuid ? (live.attrs.vm_uuid as Uuid) : undefined;
  return { op: "destroy", object: objectUuid(live), mode, disks, ...(vm ? { vm } : {}) };
}

function destroyNotes(step: DestroyStep): string[] {
  if (step.mode === "keep_disks") return [`(on_destroy = "keep_disks": only the metadata of ${step.object} is destroyed; its disks stay in the SR)`];
  if (step.disks.length === 0) return [];
  return [`(destroys ${step.disks.length} disk${step.disks.length === 1 ? "" : "s"} with it: ${step.disks.map((d) => `"${d.name_label}" (${d.uuid})`).join(", ")})`];
}

function destroyAction(flavor: Flavor, view: PoolView, live: Live): PlannedAction {
  void flavor;
  const step = destroyStep(view, live);
  return { action: "destroy", before: live.attrs, after: null, notes: destroyNotes(step), private: toPrivate(step) };
}

function destroyReads(view: PoolView, live: Live): ObjectRead[] {
  return [{ uuid: objectUuid(live), address: live.address }, ...destroyStep(view, live).disks.map((d) => ({ uuid: d.uuid, address: live.address }))];
}



function unadoptable(flavor: Flavor, view: PoolView, uuid: Uuid, stack: string): string | undefined {
  const entry = view.byUuid.get(uuid);
  const vm = entry?.class === "VM" ? view.vms.get(entry.ref) : undefined;
  if (!vm) return `${uuid} is not a VM-class object of this pool`;
  if (!vm.is_a_snapshot) return `"${vm.name_label}" (${uuid}) is not a ${flavor.noun}`;
  if (vm.is_vmss_snapshot) return `"${vm.name_label}" (${uuid}) was taken by a snapshot schedule, which manages it`;
  const hasMemory = !isNullRef(vm.suspend_VDI) || vm.power_state === "Suspended";
  if (hasMemory !== flavor.withMemory) return `"${vm.name_label}" (${uuid}) is a ${hasMemory ? "checkpoint (with memory)" : "disk-only snapshot"}, not a ${flavor.noun}`;
  return managedByAnotherStack(vm, stack);
}
