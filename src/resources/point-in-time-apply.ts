/**
 * Apply of snapshot/checkpoint steps: the only code here that writes to the pool.
 * Create: Async VM.snapshot / VM.checkpoint / VM.snapshot_with_quiesce, then markers (one
 * VM.set_other_config). Update: set_name_label / set_name_description, then markers. Destroy: the
 * `xe snapshot-uninstall` sequence or, for keep_disks, `snapshot-destroy` (xapi.md §3.6).
 */
import type { Address } from "../model";
import type { OpaqueRef, Uuid, XapiValue } from "../xapi/types";
import { xapiCode } from "./client";
import { taskProgress, type Applied, type ApplyContext, type KindIntentOutcome } from "./kind";
import { MARKER, markerValues, withMarkers } from "./markers";
import type { CreateStep, DestroyStep, Flavor, Step, UpdateStep } from "./point-in-time-steps";
import { destroyVdi, finishVmIntent, ownedDiskUuids, refOf, refOrUndefined } from "./vm-calls";


export async function applyStep(flavor: Flavor, step: Step, ctx: ApplyContext): Promise<Applied> {
  switch (step.op) {
    case "create": return create(flavor, step, ctx);
    case "update": return update(step, ctx);
    case "destroy": await destroy(step, ctx); return {};
    case "replace": {
      const created = await create(flavor, step.create, ctx);   // create before destroy: never without the snapshot
      await destroy(step.destroy, ctx);
      return created;
    }
  }
}

async function create(flavor: Flavor, step: CreateStep, ctx: ApplyContext): Promise<Applied> {
  // The planned ref saves a lookup per step; XAPI never reuses a ref, and HANDLE_INVALID is raised
  // before anything is created, so falling back to a lookup by uuid is safe.
  let result: XapiValue;
  try {
    result = await takeSnapshot(flavor, step, ctx, step.vm_ref ?? await refOf(ctx, "VM", step.vm));
  } catch (e) {
    if (!step.vm_ref || xapiCode(e) !== "HANDLE_INVALID") throw e;
    result = await takeSnapshot(flavor, step, ctx, await refOf(ctx, "VM", step.vm));
  }
  const ref = String(result) as OpaqueRef;
  const record = (await ctx.client.call("VM.get_record", [ref])) as { readonly uuid?: unknown; readonly name_description?: unknown; readonly other_config?: unknown };
  const uuid = String(record.uuid) as Uuid;
  const otherConfig = (typeof record.other_config === "object" && record.other_config !== null ? record.other_config : {}) as Readonly<Record<string, string>>;
  const markers = markerValues({ stack: ctx.stack, address: ctx.address, spec: step.spec, self: uuid });
  await Promise.all([
    // XAPI copies the VM's description onto the snapshot (xapi.md §3.1).
    record.name_description === step.name_description ? undefined : ctx.client.call("VM.set_name_description", [ref, step.name_description]),
    ctx.client.call("VM.set_other_config", [ref, withMarkers(otherConfig, markers)]),
  ]);
  return { uuid };
}

async function takeSnapshot(flavor: Flavor, step: CreateStep, ctx: ApplyContext, vm: OpaqueRef): Promise<XapiValue> {
  // No abort signal here on purpose: an interrupted apply lets in-flight tasks finish (DESIGN §5).
  const progress = taskProgress(ctx);
  if (flavor.withMemory) return ctx.client.callAsync("VM.checkpoint", [vm, step.name_label], progress);
  if (step.quiesce) {
    // "May fail under load": the client's retry policy repeats the quiesce failures (xapi/retry.ts).
    return ctx.client.callAsync("VM.snapshot_with_quiesce", [vm, step.name_label], progress);
  }
  // ignore_vdis only when set: pools older than xapi 21.4 reject a third parameter (MESSAGE_PARAMETER_COUNT_MISMATCH).
  const ignore = await Promise.all(step.ignore_vdis.map((u) => refOf(ctx, "VDI", u)));
  return ctx.client.callAsync("VM.snapshot", ignore.length > 0 ? [vm, step.name_label, ignore] : [vm, step.name_label], progress);
}

async function update(step: UpdateStep, ctx: ApplyContext): Promise<Applied> {
  const ref = await refOf(ctx, "VM", step.object);
  if (step.name_label !== undefined) await ctx.client.call("VM.set_name_label", [ref, step.name_label]);
  if (step.name_description !== undefined) await ctx.client.call("VM.set_name_description", [ref, step.name_description]);
  await writeMarkers(ctx, ref, step.object, step.spec, ctx.address);
  return { uuid: step.object };
}

async function destroy(step: DestroyStep, ctx: ApplyContext): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", step.object);
  if (ref) {
    // A Suspended checkpoint must be halted first; hard_shutdown also destroys its memory image.
    if (String(await ctx.client.call("VM.get_power_state", [ref])) === "Suspended") await ctx.client.call("VM.hard_shutdown", [ref]);
    await ctx.client.call("VM.destroy", [ref]);
  }
  for (const disk of step.mode === "uninstall" ? step.disks : []) await destroyVdi(ctx, disk.uuid);
}

export const finishIntent = (outcome: KindIntentOutcome, ctx: ApplyContext): Promise<void> => finishVmIntent(outcome, ctx, (uuid) => uninstall(ctx, uuid));

export async function uninstall(ctx: ApplyContext, uuid: string): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", uuid);
  if (!ref) return;
  const disks = await ownedDiskUuids(ctx, ref);
  await destroy({ op: "destroy", object: uuid as Uuid, mode: "uninstall", disks: disks.map((d) => ({ uuid: d, name_label: "" })) }, ctx);
}

/** Removes the object's own `xsnap.*` markers; everything else in other_config stays. */
export async function release(uuid: Uuid, ctx: ApplyContext): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", uuid);
  if (!ref) return;
  for (const key of Object.values(MARKER)) await ctx.client.call("VM.remove_from_other_config", [ref, key]);
}

/** Markers without a spec: the object is claimed; the next apply records its spec. */
export async function adopt(uuid: Uuid, ctx: ApplyContext): Promise<void> {
  const ref = await refOf(ctx, "VM", uuid);
  await writeMarkers(ctx, ref, uuid, "", ctx.address);
}

/** Markers go on in one write: inherited `xsnap.*` keys of the VM are replaced, nothing else touched. */
async function writeMarkers(ctx: ApplyContext, ref: OpaqueRef, uuid: Uuid, spec: string, address: Address): Promise<void> {
  const current = (await ctx.client.call("VM.get_other_config", [ref])) as Readonly<Record<string, string>>;
  const markers = markerValues({ stack: ctx.stack, address, spec, self: uuid });
  await ctx.client.call("VM.set_other_config", [ref, withMarkers(current, markers)]);
}
