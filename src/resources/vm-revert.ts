/**
 * `xapi_vm_revert` (DESIGN §3): reverting a VM is an action, not an attribute flip. It runs when
 * `revert_token` differs from the token recorded for the address, exactly once per value. VM.revert
 * restores the VM's other_config from snapshot time, so the record lives in the pool registry
 * (`xsnap.revert/<stack>/<address>`), never on the VM. Safety snapshots taken before a revert carry the
 * revert's address in their markers and are uninstalled only when the revert leaves the configuration.
 */
import { z } from "zod";
import { errorAt, isUnknown, UNKNOWN, type Address, type Attrs, type AttrValue, type Change, type Diagnostic, nonEmptyString } from "../model";
import type { PoolView, VmRecord } from "../xapi/records";
import { isNullRef, type OpaqueRef, type Uuid } from "../xapi/types";
import { diskVdis, ownedDisks } from "./disks";
import { taskProgress, type Applied, type ApplyContext, type DiffArgs, type DiffResult, type IntentRecord, type IntentSubject, type KindIntentOutcome, type Live, type ObjectRead, type ResourceKind } from "./kind";
import { markedObjects, markerValues, ownMarkers, withMarkers } from "./markers";
import { payloadProblem, payloadOf, decodeJson } from "./payload";
import { uninstall } from "./point-in-time-apply";
import { refOf, refOrUndefined } from "./vm-calls";
import { isPlainVm, lookupVm } from "./vm-lookup";

const TYPE = "xapi_vm_revert";

/** What the registry entry holds (JSON): the revert that was applied last for the address. */
const recordSchema = z.object({
  token: z.string(),
  vm: z.string(),
  snapshot: z.string(),
  /** ISO time the revert ran. */
  reverted_at: z.string(),
});
type RevertRecord = z.infer<typeof recordSchema>;

const revertStep = z.object({
  op: z.literal("revert"),
  vm: z.string().min(1),
  vm_name: z.string(),
  /** Absent when the snapshot is created by the same apply: then it is `ctx.inputs.snapshot`. */
  snapshot: z.string().min(1).optional(),
  token: z.string(),
  safety_snapshot: z.boolean(),
  restore_power_state: z.boolean(),
  /** The VM's disks when planned: a revert that ran replaces them (xapi.md §3.4 step 4). */
  vm_disks: z.array(z.string()),
  /** Snapshots of the VM already carrying the safety snapshot's name (never adopted). */
  existing: z.array(z.string()),
});
const stepSchema = z.discriminatedUnion("op", [
  revertStep,
  /**
   * An interrupted apply reverted the VM but did not record it, or did not reach the power step:
   * record it (no second revert), then `power` (restore_power_state) if the VM is still as the revert left it.
   */
  z.object({ op: z.literal("record"), vm: z.string().min(1), record: recordSchema, safety: z.array(z.string()), power: z.enum(["resume", "start"]).optional() }),
  /** The revert left the configuration: its record goes, its safety snapshots are uninstalled. */
  z.object({ op: z.literal("forget"), vm: z.string(), safety: z.array(z.string()) }),
]);
type Step = z.infer<typeof stepSchema>;
type RevertStep = z.infer<typeof revertStep>;

const toPrivate = (step: Step): Readonly<Record<string, unknown>> => step;
const stepOf = (change: Change): Step => payloadOf(stepSchema, change);

export const safetyName = (vmName: string, token: string): string => `${vmName} before revert ${token}`;

export const vmRevert: ResourceKind = {
  type: TYPE,
  identity: { by: "registry", name: "revert" },
  computed: ["reverted_at"],
  observe,
  diff,
  checkPayload: (change) => payloadProblem(stepSchema, change),
  apply,
  serialKeys: (change, inputs) => {
    const step = stepOf(change);
    const snapshot = step.op === "revert" ? step.snapshot ?? nonEmptyString(inputs.snapshot) : undefined;
    return [step.vm, ...(snapshot ? [snapshot] : [])].filter((k) => k !== "");
  },
  intentSubject: (change, inputs): IntentSubject => {
    const step = stepOf(change);
    if (step.op !== "revert") return { vm: step.vm as Uuid };
    return {
      vm: step.vm as Uuid, disks: step.vm_disks as Uuid[], existing: step.existing as Uuid[],
      ...(step.safety_snapshot ? { expected_name: safetyName(step.vm_name, step.token) } : {}),
      facts: { token: step.token, snapshot: step.snapshot ?? nonEmptyString(inputs.snapshot) ?? "", ...(step.restore_power_state ? { restore_power_state: "true" } : {}) },
    };
  },
  resolveIntent,
  finishIntent: async (outcome, ctx) => {
    if (outcome.status !== "discard") return;
    for (const uuid of outcome.uninstall ?? []) await uninstall(ctx, uuid);
  },
  adopt: async () => {
    throw new Error("a revert has no object to import: add it to the configuration with the token to record");
  },
  unadoptable: () => "a revert is an action, not an object; it cannot be imported",
  release: async () => undefined,
};

function observe(view: PoolView, stack: string, registry: ReadonlyMap<Address, string>): ReadonlyMap<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const [address, value] of registry) {
    if (!address.startsWith(`${TYPE}.`)) continue;
    const record = decodeRecord(value);
    out.set(address, [{ address, attrs: record ? attrsOf(view, record) : { revert_token: null }, order: record ? Date.parse(record.reverted_at) || 0 : 0 }]);
  }
  // An address with safety snapshots but no record (the record was removed outside xsnap) is still
  // managed: its snapshots must not be forgotten.
  for (const [address, objects] of markedObjects(view, stack)) {
    if (address.startsWith(`${TYPE}.`) && !out.has(address) && objects.some((o) => o.is_a_snapshot)) out.set(address, [{ address, attrs: { revert_token: null }, order: 0 }]);
  }
  return out;
}

const decodeRecord = (value: string | undefined): RevertRecord | undefined => decodeJson(recordSchema, value);

function attrsOf(view: PoolView, r: RevertRecord): Attrs {
  return { vm_uuid: r.vm, vm: nameOf(view, r.vm) ?? r.vm, snapshot: r.snapshot, revert_token: r.token, reverted_at: r.reverted_at };
}

const nameOf = (view: PoolView, uuid: string): string | undefined => {
  const e = view.byUuid.get(uuid as Uuid);
  return e?.class === "VM" ? view.vms.get(e.ref)?.name_label : undefined;
};

/** xapi 26.16 and later try an in-place VDI.revert and keep the VM's disks (reference/xapi.md §3.4 step 4). */
export function mayRevertInPlace(xapiVersion: string): boolean {
  const [major = 0, minor = 0] = xapiVersion.split(".").map((p) => Number.parseInt(p, 10) || 0);
  return major > 26 || (major === 26 && minor >= 16);
}


/** The safety snapshots this address owns (markers name it), oldest first. */
function safetySnapshots(view: PoolView, stack: string, address: Address): VmRecord[] {
  return [...(markedObjects(view, stack).get(address) ?? [])].filter((o) => o.is_a_snapshot).sort((a, b) => a.snapshot_time.getTime() - b.snapshot_time.getTime());
}

function diff(args: DiffArgs): DiffResult {
  const { spec, live, view, address } = args;
  const safety = safetySnapshots(view, args.stack, address);
  if (!spec) return live ? forgetAction(args, live, safety) : { diagnostics: [], reads: [] };
  const diagnostics: Diagnostic[] = [];
  if (typeof spec.vm !== "string") return { diagnostics: [errorAt(address, `vm must be known at plan time (a uuid, a name, or a data source reference); got ${JSON.stringify(spec.vm)}`)], reads: [] };
  const found = lookupVm(view, spec.vm, address);
  if (!found.ok) return { diagnostics: [found.diagnostic], reads: [] };
  const vm = found.vm;
  const token = String(spec.revert_token ?? "");
  const wantSafety = spec.safety_snapshot === true;
  const restore = spec.restore_power_state === true;
  const reads: ObjectRead[] = [{ uuid: vm.uuid, address }];
  const snapshotUnknown = isUnknown(spec.snapshot);
  const target = snapshotUnknown ? undefined : findSnapshot(view, vm, spec.snapshot, address, diagnostics);
  if (target) reads.push({ uuid: target.uuid, address });
  if (!snapshotUnknown && !target) return { diagnostics, reads };

  const recorded = live?.attrs.revert_token;
  const before: Attrs | null = live ? { ...live.attrs, ...(recorded === null ? {} : { vm: spec.vm }) } : null;
  const after: Record<string, AttrValue> = {
    vm: spec.vm, vm_uuid: vm.uuid, snapshot: target ? target.uuid : UNKNOWN, revert_token: token,
    safety_snapshot: wantSafety, restore_power_state: restore, reverted_at: UNKNOWN,
  };
  if (live?.adoptedFrom && recorded === token) {
    // An interrupted apply reverted the VM without recording it, or recorded it but stopped before the
    // power step: record it now (a rewrite of the same record in the second case), never revert twice.
    const record: RevertRecord = { token, vm: vm.uuid, snapshot: String(live.attrs.snapshot ?? target?.uuid ?? ""), reverted_at: String(live.attrs.reverted_at ?? new Date(0).toISOString()) };
    const unmarked = safetyCandidates(view, vm, safetyName(vm.name_label, token), []).filter((s) => ownMarkers(s) === undefined).map((s) => s.uuid);
    // The power step the interrupted apply did not reach: only while the VM is as the revert left it.
    const power = restore ? pendingPower(view, vm, record.snapshot) : undefined;
    const notes = [`(an interrupted apply already reverted ${vm.name_label} for token "${token}": this records it; the VM is not reverted again)`];
    if (power === "resume") notes.push(`(then resumes ${vm.name_label}, as restore_power_state asks, which the interrupted apply did not reach: it is still Suspended from the checkpoint)`);
    if (power === "start") notes.push(`(then starts ${vm.name_label}, as restore_power_state asks, which the interrupted apply did not reach: the snapshot was taken while it was Running)`);
    return {
      planned: { action: "update", before, after: { ...after, reverted_at: record.reverted_at, snapshot: record.snapshot },
        notes, private: toPrivate({ op: "record", vm: vm.uuid, record, safety: unmarked, ...(power ? { power } : {}) }) },
      diagnostics, reads,
    };
  }
  if (recorded === token) return { planned: { action: "no-op", before, after: before ?? after, notes: [] }, diagnostics, reads };

  if (target) diagnostics.push(...preflight(view, vm, target, address));
  const disks = diskVdis(view, vm).map((d) => d.uuid);
  for (const d of disks) reads.push({ uuid: d, address });
  const name = safetyName(vm.name_label, token);
  const step: RevertStep = {
    op: "revert", vm: vm.uuid, vm_name: vm.name_label, ...(target ? { snapshot: target.uuid } : {}), token,
    safety_snapshot: wantSafety, restore_power_state: restore, vm_disks: disks,
    existing: safetyCandidates(view, vm, name, []).map((s) => s.uuid),
  };
  return {
    planned: {
      action: "revert", ...(live ? { reason: "revert_token_changed" as const } : {}), before, after,
      notes: revertNotes(vm, target, { wantSafety, restore, name }), private: toPrivate(step),
    },
    diagnostics, reads,
  };
}

/** The target: a uuid (or exact name) of a snapshot OF THIS VM; anything else is a plan-time error. */
function findSnapshot(view: PoolView, vm: VmRecord, value: AttrValue | undefined, address: Address, diagnostics: Diagnostic[]): VmRecord | undefined {
  if (typeof value !== "string" || value === "") {
    diagnostics.push(errorAt(address, `snapshot must be a snapshot uuid or a reference such as \${xapi_checkpoint.before.uuid}; got ${JSON.stringify(value)}`));
    return undefined;
  }
  const ofVm = (view.snapshotsOf.get(vm.ref) ?? []).map((r) => view.vms.get(r)).filter((s): s is VmRecord => s !== undefined);
  const entry = view.byUuid.get(value as Uuid);
  const byUuid = entry?.class === "VM" ? view.vms.get(entry.ref) : undefined;
  const byName = byUuid ? [] : ofVm.filter((s) => s.name_label === value);
  const snap = byUuid ?? (byName.length === 1 ? byName[0] : undefined);
  const list = ["Snapshots of the VM:", ...ofVm.map((s) => `  - "${s.name_label}" (uuid ${s.uuid}, taken ${s.snapshot_time.toISOString()})`)].join("\n");
  if (!snap) {
    diagnostics.push(errorAt(address, byName.length > 1 ? `snapshot "${value}" matches ${byName.length} snapshots of VM "${vm.name_label}"; use the uuid` : `snapshot "${value}" is not a snapshot of VM "${vm.name_label}"`, list));
    return undefined;
  }
  if (!snap.is_a_snapshot || snap.snapshot_of !== vm.ref) {
    diagnostics.push(errorAt(address, `snapshot "${value}" ("${snap.name_label}") is not a snapshot of VM "${vm.name_label}": a VM can only be reverted to its own snapshots`, list));
    return undefined;
  }
  return snap;
}

function preflight(view: PoolView, vm: VmRecord, snap: VmRecord, address: Address): Diagnostic[] {
  const out: Diagnostic[] = [];
  const blocked = vm.blocked_operations.revert ?? snap.blocked_operations.revert;
  if (blocked !== undefined) out.push(errorAt(address, `VM "${vm.name_label}" blocks revert (blocked_operations: revert = "${blocked}")`, "Remove the block (xe vm-param-remove param-name=blocked-operations param-key=revert) or drop the revert."));
  if (!snap.allowed_operations.includes("revert")) out.push(errorAt(address, `snapshot "${snap.name_label}" cannot be reverted to now (allowed operations: ${snap.allowed_operations.join(", ") || "none"})`));
  if (vm.is_vmss_snapshot) out.push(errorAt(address, "a schedule's snapshot is not a VM"));
  return out;
}

function revertNotes(vm: VmRecord, snap: VmRecord | undefined, o: { readonly wantSafety: boolean; readonly restore: boolean; readonly name: string }): string[] {
  const what = snap ? `"${snap.name_label}" taken ${snap.snapshot_time.toISOString()}` : "the snapshot this apply creates";
  const notes = [`(reverts ${vm.name_label} to ${what}: VM state written after it is lost)`];
  if (o.wantSafety) notes.push(`(first takes the safety snapshot "${o.name}" of ${vm.name_label}, kept until this revert leaves the configuration)`);
  const wasRunning = snap?.snapshot_info["power-state-at-snapshot"] === "Running";
  const checkpoint = snap !== undefined && !isNullRef(snap.suspend_VDI);
  if (snap && checkpoint) notes.push(o.restore ? `(then resumes ${vm.name_label} from the checkpoint's memory)` : `(${vm.name_label} is left Suspended, as the checkpoint was; set restore_power_state to resume it)`);
  else if (snap) notes.push(o.restore && wasRunning ? `(then starts ${vm.name_label}: the snapshot was taken while it was Running)` : `(${vm.name_label} is left Halted after the revert)`);
  else if (o.restore) notes.push(`(then starts or resumes ${vm.name_label} when the snapshot was taken while it was Running)`);
  return notes;
}

function forgetAction(args: DiffArgs, live: Live, safety: readonly VmRecord[]): DiffResult {
  const vmName = String(live.attrs.vm ?? "the VM");
  const disks = safety.flatMap((s) => ownedDisks(args.view, s));
  const notes = [`(removing a revert undoes nothing on ${vmName}: it keeps its current state; only the record of token "${String(live.attrs.revert_token ?? "?")}" goes)`];
  if (safety.length > 0) notes.push(`(uninstalls ${safety.length} safety snapshot${safety.length === 1 ? "" : "s"} with ${disks.length} disk${disks.length === 1 ? "" : "s"}: ${[...safety.map((s) => `"${s.name_label}" (${s.uuid})`), ...disks.map((d) => `disk "${d.name_label}" (${d.uuid})`)].join(", ")})`);
  return {
    planned: { action: "destroy", before: live.attrs, after: null, notes, private: toPrivate({ op: "forget", vm: String(live.attrs.vm_uuid ?? ""), safety: safety.map((s) => s.uuid) }) },
    diagnostics: [], reads: safety.map((s) => ({ uuid: s.uuid, address: args.address })),
  };
}

async function apply(change: Change, ctx: ApplyContext): Promise<Applied> {
  const step = stepOf(change);
  switch (step.op) {
    case "forget":
      for (const uuid of step.safety) await uninstall(ctx, uuid);
      await registry(ctx).clear();
      return {};
    case "record":
      for (const uuid of step.safety) await mark(ctx, await refOf(ctx, "VM", uuid), uuid);
      await registry(ctx).write(JSON.stringify(step.record));
      if (step.power) await restorePower(ctx, await refOf(ctx, "VM", step.vm), { resume: step.power === "resume", start: step.power === "start" });
      return { attrs: { reverted_at: step.record.reverted_at } };
    case "revert":
      return revert(step, ctx);
  }
}

async function revert(step: RevertStep, ctx: ApplyContext): Promise<Applied> {
  const snapshotUuid = step.snapshot ?? nonEmptyString(ctx.inputs.snapshot);
  if (!snapshotUuid) throw new Error(`${ctx.address}: the snapshot to revert to is unknown at apply time`);
  const vm = await refOf(ctx, "VM", step.vm);
  // Re-checked now: at plan time the snapshot may not have existed yet.
  const snap = await refOrUndefined(ctx, "VM", snapshotUuid);
  const snapRecord = snap ? (await ctx.client.call("VM.get_record", [snap])) as { readonly is_a_snapshot?: boolean; readonly snapshot_of?: string; readonly snapshot_info?: Readonly<Record<string, string>>; readonly suspend_VDI?: string } : undefined;
  if (!snap || !snapRecord?.is_a_snapshot || snapRecord.snapshot_of !== vm) throw new Error(`${ctx.address}: ${snapshotUuid} is not a snapshot of VM ${step.vm_name} (${step.vm}); nothing was reverted`);
  const progress = taskProgress(ctx);
  if (step.safety_snapshot) {
    const safety = String(await ctx.client.callAsync("VM.snapshot", [vm, safetyName(step.vm_name, step.token)], progress)) as OpaqueRef;
    await mark(ctx, safety, String(await ctx.client.call("VM.get_uuid", [safety])));
  }
  await ctx.client.callAsync("VM.revert", [snap], progress);
  const record: RevertRecord = { token: step.token, vm: step.vm, snapshot: snapshotUuid, reverted_at: new Date().toISOString() };
  // Recorded at once: from here on a crash must never lead to a second revert.
  await registry(ctx).write(JSON.stringify(record));
  if (step.restore_power_state) await restorePower(ctx, vm, { resume: true, start: snapRecord.snapshot_info?.["power-state-at-snapshot"] === "Running" });
  return { attrs: { reverted_at: record.reverted_at, snapshot: snapshotUuid } };
}

/**
 * The power step an interrupted revert did not reach, as the normal path would take it: the target was
 * taken while the VM was Running, and the VM is still as VM.revert leaves it (Suspended from a
 * checkpoint, Halted from a disk-only snapshot). A VM in any other state was changed since: left alone.
 */
function pendingPower(view: PoolView, vm: VmRecord, snapshotUuid: string): "resume" | "start" | undefined {
  const entry = view.byUuid.get(snapshotUuid as Uuid);
  const snap = entry?.class === "VM" ? view.vms.get(entry.ref) : undefined;
  if (!snap?.is_a_snapshot || snap.snapshot_info["power-state-at-snapshot"] !== "Running") return undefined;
  const checkpoint = snap.power_state === "Suspended" || !isNullRef(snap.suspend_VDI);
  if (checkpoint) return vm.power_state === "Suspended" ? "resume" : undefined;
  return vm.power_state === "Halted" ? "start" : undefined;
}

/**
 * restore_power_state, after a revert or for one an interrupted apply did not finish: the power state
 * is read now, a Suspended VM resumed and a Halted one started where `may` allows it; any other state
 * (the VM was changed since) is left alone.
 */
async function restorePower(ctx: ApplyContext, vm: OpaqueRef, may: { readonly resume: boolean; readonly start: boolean }): Promise<void> {
  const state = String(await ctx.client.call("VM.get_power_state", [vm]));
  if (state === "Suspended" && may.resume) await ctx.client.callAsync("VM.resume", [vm, false, false], taskProgress(ctx));
  else if (state === "Halted" && may.start) await ctx.client.callAsync("VM.start", [vm, false, false], taskProgress(ctx));
}

function registry(ctx: ApplyContext): NonNullable<ApplyContext["registry"]> {
  if (!ctx.registry) throw new Error(`${ctx.address}: no registry entry in the apply context`);
  return ctx.registry;
}

/** Markers name the revert's address on its safety snapshot (no spec: it is not configured on its own). */
async function mark(ctx: ApplyContext, ref: OpaqueRef, uuid: string): Promise<void> {
  const current = (await ctx.client.call("VM.get_other_config", [ref])) as Readonly<Record<string, string>>;
  await ctx.client.call("VM.set_other_config", [ref, withMarkers(current, markerValues({ stack: ctx.stack, address: ctx.address, spec: "", self: uuid as Uuid }))]);
}

/** Snapshots of `vm` named `name`, other than the `existing` ones. */
function safetyCandidates(view: PoolView, vm: VmRecord, name: string, existing: readonly string[]): VmRecord[] {
  return (view.snapshotsOf.get(vm.ref) ?? []).map((r) => view.vms.get(r))
    .filter((s): s is VmRecord => s !== undefined && s.name_label === name && !existing.includes(s.uuid));
}

/**
 * What an interrupted revert left: recorded → done, unless restore_power_state was asked and the VM
 * is still as the revert left it (adopt: the next apply takes the power step it did not reach); the
 * VM's disks as planned and its parent not the snapshot → the revert never ran (discard; the safety
 * snapshot it took, marked or not, is uninstalled); disks replaced and parent = the snapshot → it ran
 * without its record (adopt: the next apply records it, never reverts again, and takes the power
 * step if it is still due); anything else → ambiguous.
 */
function resolveIntent(view: PoolView, intent: IntentRecord, registry: ReadonlyMap<Address, string>): KindIntentOutcome {
  const record = decodeRecord(registry.get(intent.address));
  const token = intent.facts?.token;
  if (intent.op !== "revert") return { status: "discard", detail: `nothing of ${intent.address} needs finishing; the plan decides again` };
  const entry = intent.vm ? view.byUuid.get(intent.vm) : undefined;
  const vm = entry?.class === "VM" ? view.vms.get(entry.ref) : undefined;
  // Asked for by the step (restore_power_state), not reached, and the VM still as the revert left it.
  const power = vm && intent.facts?.restore_power_state === "true" && intent.facts.snapshot ? pendingPower(view, vm, intent.facts.snapshot) : undefined;
  const powerWord = power === "resume" ? "resumed" : "started";
  if (record && record.token === token) {
    if (!vm || !isPlainVm(vm) || power === undefined || record.vm !== vm.uuid) return { status: "done", detail: `the revert for token "${token}" ran and was recorded; only the intent remains` };
    // Killed between the record and the power step: the change that adopts this finishes the step.
    return { status: "adopt", detail: `VM "${vm.name_label}" was reverted for token "${token}" and recorded, but not ${powerWord} as restore_power_state asks; the next apply ${power}s it (no second revert)`,
      live: { address: intent.address, attrs: attrsOf(view, record), order: Date.parse(record.reverted_at) || 0 } };
  }
  if (!vm || !isPlainVm(vm)) return { status: "discard", detail: `the VM ${intent.vm ?? "?"} no longer exists; nothing to revert` };
  const snapEntry = intent.facts?.snapshot ? view.byUuid.get(intent.facts.snapshot as Uuid) : undefined;
  const parentIsTarget = snapEntry !== undefined && vm.parent === snapEntry.ref;
  const now = new Set(diskVdis(view, vm).map((d) => d.uuid as string));
  const planned = new Set(intent.disks ?? []);
  const disksReplaced = planned.size > 0 && [...planned].every((d) => !now.has(d));
  const disksKept = [...planned].every((d) => now.has(d)) && now.size === planned.size;
  const safety = intent.expected_name ? safetyCandidates(view, vm, intent.expected_name, intent.existing ?? []) : [];
  // The step's own safety snapshot: new since the plan, unmarked (killed before its markers) or
  // marked for this address (killed between the markers and VM.revert). The revert is planned again
  // and takes a fresh one first, so this one goes: kept, it would be a second "before revert" copy.
  const stepSafety = safety.filter((s) => { const m = ownMarkers(s); return m === undefined || m.address === intent.address; }).map((s) => s.uuid);
  // VM.snapshot also points parent at the new snapshot, so with the disks kept, parent = the target
  // proves nothing — except on pools that may revert in place (xapi ≥ 26.16), where it stays unclear.
  if (disksKept && (!parentIsTarget || !mayRevertInPlace(view.xapiVersion))) {
    return { status: "discard", detail: `VM "${vm.name_label}" was not reverted (its disks are unchanged)${stepSafety.length ? `; the safety snapshot ${stepSafety.join(", ")} it took is uninstalled` : ""}; the plan reverts it again`,
      ...(stepSafety.length ? { uninstall: stepSafety } : {}) };
  }
  if (disksReplaced && parentIsTarget) {
    return { status: "adopt", detail: `VM "${vm.name_label}" was reverted for token "${token}" but the revert was not recorded; the next apply records it (no second revert)${power ? `, then ${power}s it (restore_power_state)` : ""}`,
      live: { address: intent.address, attrs: { vm_uuid: vm.uuid, vm: vm.name_label, snapshot: intent.facts?.snapshot ?? "", revert_token: token ?? null, reverted_at: intent.started }, order: Date.parse(intent.started) || 0 } };
  }
  return { status: "ambiguous", detail: `xsnap cannot tell whether VM "${vm.name_label}" was reverted for token "${token}" (disks ${disksReplaced ? "replaced" : disksKept ? "unchanged" : "partly changed"}, parent ${parentIsTarget ? "is" : "is not"} the snapshot)`,
    candidates: [`VM "${vm.name_label}" (${vm.uuid})`] };
}
