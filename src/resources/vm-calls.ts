/**
 * The XAPI calls every VM-class kind makes the same way: refs by uuid (absent = already gone),
 * `VDI.destroy` by uuid, the disks `xe vm-uninstall` deletes, and finishing a discarded intent.
 */
import { isNullRef, type OpaqueRef } from "../xapi/types";
import { xapiCode } from "./client";
import type { ApplyContext, KindIntentOutcome } from "./kind";

export async function refOf(ctx: ApplyContext, cls: "VM" | "VDI", uuid: string): Promise<OpaqueRef> {
  return String(await ctx.client.call(`${cls}.get_by_uuid`, [uuid])) as OpaqueRef;
}

/** The object's ref, or undefined when it no longer exists (UUID_INVALID). */
export async function refOrUndefined(ctx: ApplyContext, cls: "VM" | "VDI", uuid: string): Promise<OpaqueRef | undefined> {
  try {
    return await refOf(ctx, cls, uuid);
  } catch (e) {
    if (xapiCode(e) === "UUID_INVALID") return undefined;
    throw e;
  }
}

/** Destroy is idempotent by uuid; VDI_IN_USE right after VM.destroy is retried by the client's policy (xapi.md §3.6). */
export async function destroyVdi(ctx: ApplyContext, uuid: string): Promise<void> {
  const vdi = await refOrUndefined(ctx, "VDI", uuid);
  if (vdi) await ctx.client.call("VDI.destroy", [vdi]);
}

/** What `xe vm-uninstall` deletes, read from the pool now: VDIs of owner-marked VBDs, and the suspend VDI. */
export async function ownedDiskUuids(ctx: ApplyContext, ref: OpaqueRef): Promise<string[]> {
  const record = (await ctx.client.call("VM.get_record", [ref])) as { readonly VBDs?: readonly string[]; readonly suspend_VDI?: string };
  const disks: string[] = [];
  for (const vbd of record.VBDs ?? []) {
    const v = (await ctx.client.call("VBD.get_record", [vbd])) as { readonly VDI?: string; readonly empty?: boolean; readonly other_config?: Readonly<Record<string, string>> };
    if (!v.empty && v.VDI && !isNullRef(v.VDI) && v.other_config && "owner" in v.other_config) disks.push(String(await ctx.client.call("VDI.get_uuid", [v.VDI])));
  }
  if (record.suspend_VDI !== undefined && !isNullRef(record.suspend_VDI)) disks.push(String(await ctx.client.call("VDI.get_uuid", [record.suspend_VDI])));
  return disks;
}

/** A discarded intent: half-created objects are uninstalled with their disks (DESIGN §4), then leftover disks go. */
export async function finishVmIntent(outcome: KindIntentOutcome, ctx: ApplyContext, uninstall: (uuid: string) => Promise<void>): Promise<void> {
  if (outcome.status !== "discard" && outcome.status !== "done") return;
  for (const uuid of outcome.status === "discard" ? outcome.uninstall ?? [] : []) await uninstall(uuid);
  for (const disk of outcome.cleanup ?? []) await destroyVdi(ctx, disk.uuid);
}
