/** Disk facts of VM-class objects, read from the PoolView. */
import type { PoolView, VdiRecord, VmRecord } from "../xapi/records";
import { type OpaqueRef, type Uuid, isNullRef } from "../xapi/types";
import type { DiskRef } from "../model";

/** The VDIs behind the VM's non-empty disk VBDs, in VBD order. */
export function diskVdis(view: PoolView, vm: VmRecord): readonly VdiRecord[] {
  const out: VdiRecord[] = [];
  for (const vbdRef of vm.VBDs) {
    const vbd = view.vbds.get(vbdRef);
    if (!vbd || vbd.type !== "Disk" || vbd.empty || isNullRef(vbd.VDI)) continue;
    const vdi = view.vdis.get(vbd.VDI);
    if (vdi) out.push(vdi);
  }
  return out;
}

/**
 * What `xe snapshot-uninstall` deletes (xapi.md §3.6): VDIs of VBDs whose other_config has `owner`,
 * plus the suspend VDI. CD/ISO VDIs carry no `owner` and are never deleted.
 */
export function ownedDisks(view: PoolView, vm: VmRecord): readonly DiskRef[] {
  const out: DiskRef[] = [];
  for (const vbdRef of vm.VBDs) {
    const vbd = view.vbds.get(vbdRef);
    if (!vbd || vbd.empty || !("owner" in vbd.other_config)) continue;
    const vdi = view.vdis.get(vbd.VDI);
    if (vdi) out.push({ uuid: vdi.uuid, name_label: vdi.name_label });
  }
  const suspend = isNullRef(vm.suspend_VDI) ? undefined : view.vdis.get(vm.suspend_VDI);
  if (suspend && !out.some((d) => d.uuid === suspend.uuid)) out.push({ uuid: suspend.uuid, name_label: suspend.name_label });
  return out;
}

const chainCache = new WeakMap<PoolView, ReadonlyMap<OpaqueRef, number>>();

/** How many VDI snapshots hang off each VDI (its VHD chain grows by one per snapshot until coalesced). */
export function snapshotCountOfVdi(view: PoolView, vdi: VdiRecord): number {
  let counts = chainCache.get(view);
  if (!counts) {
    const m = new Map<OpaqueRef, number>();
    for (const v of view.vdis.values()) if (v.is_a_snapshot && !isNullRef(v.snapshot_of)) m.set(v.snapshot_of, (m.get(v.snapshot_of) ?? 0) + 1);
    chainCache.set(view, (counts = m));
  }
  return counts.get(vdi.ref) ?? 0;
}

/**
 * VHDs in the chain ending at this VDI, itself included: follows `sm_config["vhd-parent"]` (how SM
 * records the chain, base copies included) and, where a pool does not expose it, counts one level per
 * VDI snapshot taken of the disk.
 */
export function chainDepth(view: PoolView, vdi: VdiRecord): number {
  let depth = 1;
  let parent = vdi.sm_config["vhd-parent"];
  while (parent && depth < 1000) {
    const hit = view.byUuid.get(parent as Uuid);
    const next = hit?.class === "VDI" ? view.vdis.get(hit.ref) : undefined;
    if (!next) break;
    depth++;
    parent = next.sm_config["vhd-parent"];
  }
  return Math.max(depth, snapshotCountOfVdi(view, vdi) + 1);
}

/** LVM-based SRs allocate a snapshot's new leaf up front (xapi.md §5). */
export const isLvmSr = (type: string): boolean => type.startsWith("lvm") || type === "lvhd";

/** Raw VDIs cannot be snapshotted (UNIMPLEMENTED_IN_SM_BACKEND, xapi.md §3.1). */
export const isRawVdi = (vdi: VdiRecord): boolean =>
  vdi.sm_config.type === "raw" || vdi.sm_config.vdi_type === "aio" || vdi.sm_config.vdi_type === "raw";

/**
 * What an interrupted step of a VM-class kind left of its disks: when the object it was destroying is
 * gone but some of its disks remain, those disks (for `cleanup`); and, for a step that created
 * nothing, the whole outcome: discard.
 */
export function intentLeftovers(view: PoolView, intent: { readonly op: string; readonly address: string; readonly object?: string; readonly disks?: readonly string[] }, noun: string):
  { readonly cleanup: { readonly cleanup?: readonly DiskRef[] }; readonly notACreate?: { readonly status: "discard"; readonly detail: string; readonly cleanup?: readonly DiskRef[] } } {
  const leftovers = (intent.disks ?? []).flatMap((uuid) => {
    const e = view.byUuid.get(uuid as Uuid);
    const vdi = e?.class === "VDI" ? view.vdis.get(e.ref) : undefined;
    return vdi ? [{ uuid: vdi.uuid, name_label: vdi.name_label }] : [];
  });
  const objectGone = intent.object !== undefined && !view.byUuid.has(intent.object as Uuid);
  const cleanup = objectGone && leftovers.length > 0 ? { cleanup: leftovers } : {};
  if (intent.op === "create" || intent.op === "replace") return { cleanup };
  return {
    cleanup,
    notACreate: { status: "discard", detail: objectGone && leftovers.length > 0
      ? `${noun} ${intent.object} is gone but ${leftovers.length} of its disks remain; they will be destroyed`
      : `nothing was created; the plan decides again what ${intent.address} needs`, ...cleanup },
  };
}
