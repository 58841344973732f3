/**
 * Apply of `xapi_template` steps: the only code here that writes to the pool.
 * Create: Async VM.clone (no sr) or Async VM.copy into sr of the snapshot (xapi.md §3.5), memory
 * state removed if any came along, description, then markers in one VM.set_other_config. Update:
 * names, then markers. Destroy: uninstall, i.e. VM.destroy then VDI.destroy of the disks it owned
 * (xapi.md §3.6: VM.destroy never deletes VDIs).
 */
import { isNullRef, type OpaqueRef, type Uuid } from "../xapi/types";
import { taskProgress, type Applied, type ApplyContext, type KindIntentOutcome } from "./kind";
import { MARKER, markerValues, withMarkers } from "./markers";
import { encodeSpec } from "./spec-record";
import { TEMPLATE_KEY } from "./template-observe";
import type { CreateStep, DestroyStep, Step, UpdateStep } from "./template-steps";
import { destroyVdi, finishVmIntent, ownedDiskUuids, refOf, refOrUndefined } from "./vm-calls";

interface VmFields {
  readonly uuid?: unknown;
  readonly is_a_snapshot?: unknown;
  readonly is_a_template?: unknown;
  readonly power_state?: unknown;
  readonly suspend_VDI?: unknown;
  readonly name_label?: unknown;
  readonly name_description?: unknown;
  readonly other_config?: unknown;
  readonly VBDs?: unknown;
}

/** The `xsnap.spec` marker: digests of what decides update vs replace (the sr by uuid, so a name↔uuid edit is no change). */
export const templateSpec = (w: { readonly source: string; readonly name_label: string; readonly name_description: string; readonly sr: string | null }): string =>
  encodeSpec({ hashed: { source: w.source, name_label: w.name_label, name_description: w.name_description, sr: w.sr }, kept: {} });

export async function applyStep(step: Step, ctx: ApplyContext): Promise<Applied> {
  switch (step.op) {
    case "create": return create(step, ctx);
    case "update": return update(step, ctx);
    case "destroy": await destroy(step, ctx); return {};
    case "replace": {
      const created = await create(step.create, ctx);   // create before destroy: never without a template
      await destroy(step.destroy, ctx);
      return created;
    }
  }
}

/** The source as apply sees it: planned, or (known after apply) resolved from the step that made it. */
export function sourceOf(step: CreateStep, inputs: ApplyContext["inputs"]): string | undefined {
  if (step.source) return step.source;
  return typeof inputs.source === "string" && inputs.source !== "" ? inputs.source : undefined;
}

async function create(step: CreateStep, ctx: ApplyContext): Promise<Applied> {
  const source = sourceOf(step, ctx.inputs);
  if (!source) throw new Error(`${ctx.address}: source is still unknown at apply time (got ${JSON.stringify(ctx.inputs.source ?? null)}); set source to a snapshot's uuid or reference`);
  // Re-checked now: the plan may have known it only as "(known after apply)", or the pool changed since.
  const sourceRef = await refOrUndefined(ctx, "VM", source);
  const sourceRecord = sourceRef ? ((await ctx.client.call("VM.get_record", [sourceRef])) as VmFields) : undefined;
  if (!sourceRef || !sourceRecord) throw new Error(`${ctx.address}: source ${source} is not an object of this pool; a template can only be made from a snapshot of the same pool`);
  if (sourceRecord.is_a_snapshot !== true) throw new Error(`${ctx.address}: source ${source} ("${String(sourceRecord.name_label)}") is not a snapshot or checkpoint; refer to a snapshot's uuid`);
  const srRef = step.sr ? String(await ctx.client.call("SR.get_by_uuid", [step.sr])) : undefined;

  const progress = taskProgress(ctx);
  // No abort signal on purpose: an interrupted apply lets in-flight tasks finish (DESIGN §5).
  const result = srRef
    ? await ctx.client.callAsync("VM.copy", [sourceRef, step.name_label, srRef], progress)
    : await ctx.client.callAsync("VM.clone", [sourceRef, step.name_label], progress);
  const ref = String(result) as OpaqueRef;
  const record = (await ctx.client.call("VM.get_record", [ref])) as VmFields;
  const uuid = String(record.uuid) as Uuid;
  // Cloning/copying a snapshot yields a template (is_a_template is copied, xapi.md §3.5); should a
  // pool leave it a VM, make it one. Halted is guaranteed by the memory step before this.
  await dropMemory(ctx, ref, record, String(sourceRecord.suspend_VDI ?? ""));
  if (record.is_a_template !== true) await ctx.client.call("VM.set_is_a_template", [ref, true]);
  const otherConfig = (typeof record.other_config === "object" && record.other_config !== null ? record.other_config : {}) as Readonly<Record<string, string>>;
  const spec = templateSpec({ source, name_label: step.name_label, name_description: step.name_description, sr: step.sr ?? null });
  await Promise.all([
    // The clone copies the snapshot's description (xapi.md §3.5).
    record.name_description === step.name_description ? undefined : ctx.client.call("VM.set_name_description", [ref, step.name_description]),
    ctx.client.call("VM.set_other_config", [ref, withMarkers(otherConfig, ownKeys(ctx, uuid, spec, source))]),
  ]);
  return { uuid, attrs: { uuid } };
}

/** The markers plus the template's own keys, written in one VM.set_other_config (inherited `xsnap.*` keys replaced). */
function ownKeys(ctx: ApplyContext, uuid: Uuid, spec: string, source: string, created = Date.now()): Record<string, string> {
  return { ...markerValues({ stack: ctx.stack, address: ctx.address, spec, self: uuid }), [TEMPLATE_KEY.source]: source, [TEMPLATE_KEY.created]: String(created) };
}

/**
 * A template never carries memory state (DESIGN §3). XAPI hard-shuts down a copy of a checkpoint at
 * once, which destroys the copied suspend image (xapi.md §3.5), and the simulator does the same, so
 * this normally only reads. Should a pool leave the result Suspended, the supported way out is the
 * call XAPI itself uses: VM.hard_shutdown of a Suspended VM destroys its suspend VDI, clears
 * suspend_VDI and sets Halted (xapi.md §3.6, `xapi_vm.ml` l.371-391). hard_shutdown is not on the
 * template whitelist (§4 step 4, VM_IS_TEMPLATE), so the object is a VM for that one call:
 * `VM.set_is_a_template(false)` needs no operation check, `true` afterwards needs Halted (§3.7).
 * A suspend VDI left on a Halted result is destroyed with VDI.destroy, which clears the pointer
 * (§3.6) — unless it is the source checkpoint's own memory image, which is never touched.
 */
async function dropMemory(ctx: ApplyContext, ref: OpaqueRef, record: VmFields, sourceSuspendVdi: string): Promise<void> {
  if (record.power_state !== undefined && record.power_state !== "Halted") await halt(ctx, ref);
  const suspend = record.power_state === "Halted" ? String(record.suspend_VDI ?? "") : String(await ctx.client.call("VM.get_suspend_VDI", [ref]));
  if (suspend === "" || isNullRef(suspend)) return;
  if (suspend === sourceSuspendVdi) throw new Error(`${ctx.address}: the new template ${String(record.uuid)} shares its source's memory image; uninstall it by hand (xe vm-destroy) and report this pool's behaviour`);
  await ctx.client.call("VDI.destroy", [suspend]);
}

/** hard_shutdown of a template that is not Halted (see dropMemory); it stays a template. */
async function halt(ctx: ApplyContext, ref: OpaqueRef): Promise<void> {
  await ctx.client.call("VM.set_is_a_template", [ref, false]);
  await ctx.client.call("VM.hard_shutdown", [ref]);
  await ctx.client.call("VM.set_is_a_template", [ref, true]);
}

async function update(step: UpdateStep, ctx: ApplyContext): Promise<Applied> {
  const ref = await refOf(ctx, "VM", step.object);
  if (step.drop_memory) await dropMemory(ctx, ref, (await ctx.client.call("VM.get_record", [ref])) as VmFields, "");
  if (step.name_label !== undefined) await ctx.client.call("VM.set_name_label", [ref, step.name_label]);
  if (step.name_description !== undefined) await ctx.client.call("VM.set_name_description", [ref, step.name_description]);
  const current = (await ctx.client.call("VM.get_other_config", [ref])) as Readonly<Record<string, string>>;
  const created = Number(current[TEMPLATE_KEY.created]);
  const keep = current[MARKER.self] === step.object && Number.isFinite(created) ? created : Date.now();
  await ctx.client.call("VM.set_other_config", [ref, withMarkers(current, ownKeys(ctx, step.object, step.spec, step.source, keep))]);
  return { uuid: step.object, attrs: { uuid: step.object } };
}

async function destroy(step: DestroyStep, ctx: ApplyContext): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", step.object);
  if (ref) {
    if (String(await ctx.client.call("VM.get_power_state", [ref])) !== "Halted") await halt(ctx, ref);
    await ctx.client.call("VM.destroy", [ref]);
  }
  for (const disk of step.disks) await destroyVdi(ctx, disk.uuid);
}

/** `xe vm-uninstall` of what an interrupted step half-created: VDIs of owner-marked VBDs and the suspend VDI, then the VM. */
export async function uninstall(ctx: ApplyContext, uuid: string): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", uuid);
  if (!ref) return;
  const disks = await ownedDiskUuids(ctx, ref);
  await destroy({ op: "destroy", object: uuid as Uuid, disks: disks.map((d) => ({ uuid: d, name_label: "" })) }, ctx);
}

export const finishIntent = (outcome: KindIntentOutcome, ctx: ApplyContext): Promise<void> => finishVmIntent(outcome, ctx, (uuid) => uninstall(ctx, uuid));

/** `xsnap import` / `recover --adopt`: markers without a spec; the next plan shows the spec (and `xsnap.source`) as an update, which the apply records. */
export async function adopt(uuid: Uuid, ctx: ApplyContext): Promise<void> {
  const ref = await refOf(ctx, "VM", uuid);
  const current = (await ctx.client.call("VM.get_other_config", [ref])) as Readonly<Record<string, string>>;
  if (current[MARKER.self] === uuid && current[MARKER.address] === ctx.address && current[MARKER.stack] === ctx.stack) return;
  await ctx.client.call("VM.set_other_config", [ref, withMarkers(current, markerValues({ stack: ctx.stack, address: ctx.address, spec: "", self: uuid }))]);
}

/** `xsnap forget`: the template's own `xsnap.*` keys go; the template and everything else stay. */
export async function release(uuid: Uuid, ctx: ApplyContext): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", uuid);
  if (!ref) return;
  for (const key of [...Object.values(MARKER), ...Object.values(TEMPLATE_KEY)]) await ctx.client.call("VM.remove_from_other_config", [ref, key]);
}
