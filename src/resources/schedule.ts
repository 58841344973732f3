/**
 * `xapi_snapshot_schedule` (DESIGN §3): a VM snapshot schedule (VMSS) the pool runs itself. A VMSS
 * has no other_config, so its identity is the registry entry `xsnap.vmss/<stack>/<address>` (the
 * VMSS uuid and the settings last applied). Updates go through XAPI's setters in the order its quirks
 * need (reference/xapi.md §3.9: `set_frequency` rewrites the schedule map, so the frequency first,
 * then the map); membership through `VM.set_snapshot_schedule`. A VM belongs to one schedule at most:
 * two addresses of the stack claiming a VM is a plan-time error (an `Exclusive`), taking a VM out of a
 * schedule xsnap does not manage is a warning. Destroy detaches the VMs, then `VMSS.destroy`.
 */
import { errorAt, isUnknown, UNKNOWN, warningAt, type Address, type AttrValue, type Diagnostic } from "../model";
import type { PoolView, VmRecord, VmssRecord } from "../xapi/records";
import { isNullRef, type Uuid } from "../xapi/types";
import type { DiffArgs, DiffResult, Exclusive, IntentSubject, Live, ObjectRead, ResourceKind } from "./kind";
import { payloadProblem } from "./payload";
import { quiesceRemoved } from "./preflight";
import { adoptSchedule, applySchedule } from "./schedule-apply";
import { resolveIntent, unadoptable } from "./schedule-intents";
import {
  attrsOfState, decodeEntry, entryKeyOf, liveAttrs, REGISTRY_NAME, scheduleOwners, stateOf, stepOf, stepSchema, toPrivate, TYPE,
  vmName, vmssByUuid, type ScheduleState, type UpdateStep,
} from "./schedule-steps";
import { sameSchedule, scheduleFromAttr, scheduleFromMap, scheduleNote, scheduleToMap, type Frequency, type VmssType } from "./schedule-words";
import { lookupVm } from "./vm-lookup";

const RULE = "a VM belongs to one snapshot schedule at most";

export const snapshotSchedule: ResourceKind = {
  type: TYPE,
  identity: { by: "registry", name: REGISTRY_NAME },
  computed: ["uuid", "last_run_time"],
  observe,
  diff,
  checkPayload: (change) => payloadProblem(stepSchema, change),
  apply: applySchedule,
  serialKeys: (change) => {
    const step = stepOf(change);
    switch (step.op) {
      case "create": return step.state.vms;
      case "update": return [...new Set([...step.state.vms, ...step.attach, ...step.detach])];
      case "destroy": return step.vms;
      case "forget": return [];
    }
  },
  intentSubject: (change): IntentSubject => {
    const step = stepOf(change);
    if (step.op === "create") return { expected_name: step.state.name_label, existing: step.existing as Uuid[] };
    return step.op === "forget" ? {} : { object: step.vmss as Uuid };
  },
  resolveIntent,
  finishIntent: async () => undefined,
  adopt: adoptSchedule,
  unadoptable,
  // A VMSS carries no marker: forgetting it is clearing the registry entry, which the engine does.
  release: async () => undefined,
};

function observe(view: PoolView, _stack: string, registry: ReadonlyMap<Address, string>): ReadonlyMap<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const [address, value] of registry) {
    if (!address.startsWith(`${TYPE}.`)) continue;
    const entry = decodeEntry(value);
    const vmss = vmssByUuid(view, entry?.uuid);
    // An entry whose VMSS is gone stays observed (without an object) so the plan says "deleted outside".
    out.set(address, [vmss ? { address, uuid: vmss.uuid, attrs: liveAttrs(view, vmss), order: 0 } : { address, attrs: { uuid: entry?.uuid ?? null }, order: 0 }]);
  }
  return out;
}

/** What the config asks for, resolved against the pool. */
interface Wanted {
  readonly state: ScheduleState;
  readonly vms: readonly VmRecord[];
}

function resolveWanted(spec: NonNullable<DiffArgs["spec"]>, view: PoolView, address: Address, diagnostics: Diagnostic[]): Wanted | undefined {
  const vms: VmRecord[] = [];
  const flat = flatten(spec.vms);
  flat.forEach((value, i) => {
    if (typeof value !== "string" || value === "") {
      diagnostics.push(errorAt(address, `vms[${i}] must be a VM uuid or name known at plan time (got ${isUnknown(value) ? "a value known only after apply" : JSON.stringify(value)})`,
        "Use VM names, uuids, or a data source such as data.xapi_vms.<name>.uuids."));
      return;
    }
    const found = lookupVm(view, value, address, `vms[${i}]`);
    if (!found.ok) diagnostics.push(found.diagnostic);
    else if (!vms.some((v) => v.uuid === found.vm.uuid)) vms.push(found.vm);
  });
  if (diagnostics.length > 0) return undefined;
  const schedule = scheduleFromAttr(spec.schedule);
  return {
    vms,
    state: {
      name_label: String(spec.name_label ?? ""), name_description: typeof spec.name_description === "string" ? spec.name_description : "",
      type: String(spec.type) as VmssType, frequency: String(spec.frequency) as Frequency, schedule: scheduleToMap(schedule),
      retained_snapshots: typeof spec.retained_snapshots === "number" ? spec.retained_snapshots : 7,
      enabled: spec.enabled !== false, vms: vms.map((v) => v.uuid as string).sort(),
    },
  };
}

/** `vms` may mix names, uuids and data-source lists: `["db-01", ["<uuid>", …]]`. */
const flatten = (v: AttrValue | undefined): AttrValue[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.flatMap((x) => flatten(x)) : [v]);

function diff(args: DiffArgs): DiffResult {
  const { spec, live, view, address } = args;
  if (!spec) return live ? removal(view, live, address) : { diagnostics: [], reads: [] };
  const diagnostics: Diagnostic[] = [];
  const wanted = resolveWanted(spec, view, address, diagnostics);
  if (!wanted) return { diagnostics, reads: [] };
  const vmss = vmssByUuid(view, live?.uuid);
  const reads: ObjectRead[] = [...wanted.vms.map((v) => ({ uuid: v.uuid, address })), ...(vmss ? [{ uuid: vmss.uuid, address }] : [])];
  const exclusives: Exclusive[] = wanted.vms.map((v) => ({ key: `vmss-member:${v.uuid}`, label: `VM "${v.name_label}"`, rule: RULE }));
  const licence = licenceProblems(view, wanted.state, address);
  const moves = movedFromElsewhere(view, wanted.vms, vmss, args.stack, address);
  for (const m of moves) reads.push({ uuid: m.from.uuid, address });
  const note = scheduleNote({ ...wanted.state, schedule: scheduleFromMap(wanted.state.schedule), retained: wanted.state.retained_snapshots, vms: wanted.vms.map((v) => v.name_label) });
  const after = { ...attrsOfState(view, wanted.state), uuid: vmss?.uuid ?? UNKNOWN, last_run_time: vmss ? vmss.last_run_time.toISOString() : UNKNOWN };

  if (!vmss) {
    const gone = live !== undefined;   // the registry names a VMSS that no longer exists
    const existing = [...view.vmss.values()].filter((s) => s.name_label === wanted.state.name_label).map((s) => s.uuid as string);
    return {
      planned: { action: "create", ...(gone ? { reason: "deleted_outside" as const } : {}), before: null, after,
        notes: [note, ...moves.map((m) => m.note)], private: toPrivate({ op: "create", state: wanted.state, existing }) },
      ...(gone ? { drift: { kind: "deleted" as const, before: live.attrs, after: null } } : {}),
      diagnostics: [...diagnostics, ...licence, ...moves.map((m) => m.warning)], reads, exclusives,
    };
  }
  const entry = decodeEntry(view.pool.other_config[entryKeyOf(args.stack, address)]);
  const now = stateOf(view, vmss);
  const drift = entry?.applied ? driftOf(view, entry.applied, now) : undefined;
  const step = updateStep(view, vmss, wanted);
  const recorded = entry?.applied !== undefined && sameState(entry.applied, wanted.state);
  const before = liveAttrs(view, vmss);
  if (!step && recorded) return { planned: { action: "no-op", before, after: before, notes: [] }, ...(drift ? { drift } : {}), diagnostics, reads, exclusives };
  const notes = [note, ...moves.map((m) => m.note), ...detachNotes(view, step)];
  if (!step) notes.push(entry?.applied ? "(records the schedule's current settings as applied; nothing changes on the pool)" : "(records xsnap's ownership of this schedule; nothing changes on the pool)");
  return {
    planned: { action: "update", before, after, notes, private: toPrivate(step ?? emptyUpdate(vmss, wanted.state)) },
    ...(drift ? { drift } : {}),
    diagnostics: [...diagnostics, ...(step ? licence : []), ...moves.map((m) => m.warning)], reads, exclusives,
  };
}

const emptyUpdate = (vmss: VmssRecord, state: ScheduleState): UpdateStep =>
  ({ op: "update", vmss: vmss.uuid, set: {}, remove_keys: [], attach: [], detach: [], state });

/** The setter calls that turn `vmss` into `wanted`; undefined when it already is. */
function updateStep(view: PoolView, vmss: VmssRecord, wanted: Wanted): UpdateStep | undefined {
  const w = wanted.state;
  const set: UpdateStep["set"] = {
    ...(vmss.name_label !== w.name_label ? { name_label: w.name_label } : {}),
    ...(vmss.name_description !== w.name_description ? { name_description: w.name_description } : {}),
    ...(vmss.type !== w.type ? { type: w.type } : {}),
    ...(vmss.retained_snapshots !== w.retained_snapshots ? { retained_snapshots: w.retained_snapshots } : {}),
    ...(vmss.enabled !== w.enabled ? { enabled: w.enabled } : {}),
  };
  const frequencyChanged = vmss.frequency !== w.frequency;
  const scheduleChanged = !sameSchedule(scheduleFromMap(vmss.schedule), scheduleFromMap(w.schedule));
  // set_frequency drops the keys the new frequency does not take; otherwise stray keys are removed.
  const removeKeys = frequencyChanged ? [] : Object.keys(vmss.schedule).filter((k) => !(k in w.schedule));
  const members = new Set(vmss.VMs.map((ref) => view.vms.get(ref)?.uuid as string));
  const attach = wanted.vms.filter((v) => !members.has(v.uuid)).map((v) => v.uuid as string);
  const detach = [...members].filter((u) => !w.vms.includes(u)).sort();
  const changed = Object.keys(set).length > 0 || frequencyChanged || scheduleChanged || attach.length > 0 || detach.length > 0;
  if (!changed) return undefined;
  return {
    op: "update", vmss: vmss.uuid, set, ...(frequencyChanged ? { frequency: w.frequency } : {}),
    ...(frequencyChanged || scheduleChanged ? { schedule: w.schedule } : {}), remove_keys: removeKeys, attach, detach, state: w,
  };
}

function sameState(a: ScheduleState, b: ScheduleState): boolean {
  return a.name_label === b.name_label && a.name_description === b.name_description && a.type === b.type && a.frequency === b.frequency
    && sameSchedule(scheduleFromMap(a.schedule), scheduleFromMap(b.schedule)) && a.retained_snapshots === b.retained_snapshots
    && a.enabled === b.enabled && [...a.vms].sort().join(",") === [...b.vms].sort().join(",");
}

/** Attributes edited outside xsnap since the last apply: before = as applied, after = as found. */
function driftOf(view: PoolView, applied: ScheduleState, now: ScheduleState): { kind: "changed"; before: Record<string, AttrValue>; after: Record<string, AttrValue> } | undefined {
  const a = attrsOfState(view, applied);
  const n = attrsOfState(view, now);
  const changed = Object.keys(n).filter((k) => k === "schedule"
    ? !sameSchedule(scheduleFromMap(applied.schedule), scheduleFromMap(now.schedule))
    : k === "vms" ? [...applied.vms].sort().join(",") !== [...now.vms].sort().join(",") : a[k] !== n[k]);
  if (changed.length === 0) return undefined;
  return { kind: "changed", before: Object.fromEntries(changed.map((k) => [k, a[k] ?? null])), after: Object.fromEntries(changed.map((k) => [k, n[k] ?? null])) };
}

function licenceProblems(view: PoolView, s: ScheduleState, address: Address): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (view.pool.restrictions.restrict_vmss === "true") {
    out.push(errorAt(address, "the pool's licence does not include snapshot schedules (pool.restrictions restrict_vmss=true): XAPI would refuse with LICENCE_RESTRICTION VMSS",
      "License the pool for VM snapshot schedules, or remove this xapi_snapshot_schedule and use xapi_snapshot resources."));
  }
  if (s.type === "snapshot_with_quiesce") {
    if (quiesceRemoved(view.xapiVersion)) out.push(errorAt(address, `type "snapshot_with_quiesce" is not available on this pool (xapi ${view.xapiVersion}): quiesced snapshots were removed in Citrix Hypervisor 8.1 / XCP-ng 8.x`, "Use type = \"checkpoint\" (with memory) or \"snapshot\"."));
    else if (view.pool.restrictions.restrict_vss === "true") out.push(errorAt(address, "the pool's licence does not allow quiesced snapshots (restrict_vss=true); use type = \"snapshot\" or \"checkpoint\""));
  }
  return out;
}

interface Move { readonly from: VmssRecord; readonly note: string; readonly warning: Diagnostic }

/** Wanted VMs now in a schedule this stack does not manage: XAPI would move them silently (xapi.md §3.10). */
function movedFromElsewhere(view: PoolView, vms: readonly VmRecord[], self: VmssRecord | undefined, stack: string, address: Address): Move[] {
  const owners = scheduleOwners(view);
  const out: Move[] = [];
  for (const vm of vms) {
    const from = isNullRef(vm.snapshot_schedule) || vm.snapshot_schedule === self?.ref ? undefined : view.vmss.get(vm.snapshot_schedule);
    if (!from) continue;
    const owner = owners.get(from.uuid);
    if (owner?.stack === stack) continue;   // a move inside the stack: both addresses are planned (and checked) here
    const whose = owner ? `schedule "${from.name_label}" of stack "${owner.stack}" (${owner.address})` : `the unmanaged schedule "${from.name_label}"`;
    out.push({
      from,
      note: `(moves ${vm.name_label} out of ${whose})`,
      warning: warningAt(address, `VM "${vm.name_label}" is in ${whose} (uuid ${from.uuid}); applying moves it to this schedule, ${RULE}`,
        owner ? `Stack "${owner.stack}" would move it back: take it out of ${owner.address} there.` : `If that is not intended, leave ${vm.name_label} out of this schedule (or take it out of "${from.name_label}" by hand and plan again).`),
    });
  }
  return out;
}

function detachNotes(view: PoolView, step: UpdateStep | undefined): string[] {
  if (!step || step.detach.length === 0) return [];
  return [`(detaches ${step.detach.map((u) => vmName(view, u)).join(", ")}: the snapshots the schedule took of ${step.detach.length === 1 ? "it" : "them"} stay)`];
}

/** Snapshots a schedule took of its VMs (XAPI keeps no link from the snapshot: the VM's schedule decides). */
function takenBy(view: PoolView, vmss: VmssRecord): VmRecord[] {
  return vmss.VMs.flatMap((ref) => (view.snapshotsOf.get(ref) ?? []).map((s) => view.vms.get(s)).filter((s): s is VmRecord => s?.is_vmss_snapshot === true));
}

function removal(view: PoolView, live: Live, address: Address): DiffResult {
  const vmss = vmssByUuid(view, live.uuid);
  if (!vmss) {
    return {
      planned: { action: "destroy", before: live.attrs, after: null, notes: ["(the schedule was already deleted outside xsnap: only xsnap's record of it goes)"], private: toPrivate({ op: "forget" }) },
      drift: { kind: "deleted", before: live.attrs, after: null }, diagnostics: [], reads: [],
    };
  }
  const vms = vmss.VMs.map((ref) => view.vms.get(ref)).filter((v): v is VmRecord => v !== undefined);
  const taken = takenBy(view, vmss).length;
  const notes = [
    vms.length > 0 ? `(detaches ${vms.map((v) => v.name_label).join(", ")}, then destroys the schedule "${vmss.name_label}")` : `(destroys the schedule "${vmss.name_label}"; it holds no VM)`,
    ...(taken > 0 ? [`(the ${taken} snapshot${taken === 1 ? "" : "s"} it took stay in the pool, unmanaged)`] : []),
  ];
  const diagnostics = vms.length > 0 && view.pool.restrictions.restrict_vmss === "true"
    ? [errorAt(address, "the pool's licence does not include snapshot schedules (restrict_vmss=true): XAPI would refuse to detach the VMs with LICENCE_RESTRICTION VMSS")] : [];
  return {
    planned: { action: "destroy", before: liveAttrs(view, vmss), after: null, notes, private: toPrivate({ op: "destroy", vmss: vmss.uuid, vms: vms.map((v) => v.uuid as string) }) },
    diagnostics, reads: [{ uuid: vmss.uuid, address }, ...vms.map((v) => ({ uuid: v.uuid, address }))],
  };
}
