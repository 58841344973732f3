/**
 * Storage as the SM backends behave (reference §3.1 errors, §5 space): VHD chains recorded the way LVHD
 * does (a hidden "base copy" VDI with managed=false, `sm_config.vhd-parent` on its children), chain depth
 * limit 30 (SR_BACKEND_FAILURE_109), raw LVM volumes that cannot be snapshotted
 * (UNIMPLEMENTED_IN_SM_BACKEND), and space: thick LVM needs the disk's allocated size again plus
 * ~16 MiB per snapshot, thin file SRs only the small leaves (SR_BACKEND_FAILURE_44 when short).
 * Garbage collection (coalescing a base copy left with one child) is immediate here, not deferred.
 */
import { srBackendFailure, XapiFailure } from "./errors";
import { type DbRecord, type DbValue, NULL_REF } from "./schema";
import type { Simulator } from "./simulator";

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
/** SM's `MAX_CHAIN_SIZE` (`vhdutil.py`). */
export const MAX_CHAIN_DEPTH = 30;
/** A new empty VHD leaf on LVM (pre-sized metadata, rounded to the 4 MiB extent). */
const LVM_EMPTY_LEAF = 8 * MiB;
/** Leaf + two journal LVs reserved while snapshotting (`journaler.py`). */
const SNAPSHOT_OVERHEAD = 16 * MiB;
const THIN_EMPTY_LEAF = 16 * 1024;

const THICK_TYPES = new Set(["lvm", "lvmoiscsi", "lvmohba", "lvhd"]);
export const isThick = (sr: DbRecord): boolean => THICK_TYPES.has(String(sr.type));

export function freeSpace(sr: DbRecord): number {
  return (sr.physical_size as number) - (sr.physical_utilisation as number);
}

/** Change an SR's usage counters by the size of a VDI coming or going. */
function account(sim: Simulator, srRef: string, physical: number, virtual: number): void {
  const sr = sim.db.get("SR", srRef);
  if (!sr) return;
  sim.db.update("SR", srRef, {
    physical_utilisation: Math.max(0, (sr.physical_utilisation as number) + physical),
    virtual_allocation: Math.max(0, (sr.virtual_allocation as number) + virtual),
  });
}

/** Create a VDI and count its space on its SR. */
export function createVdi(sim: Simulator, fields: Record<string, DbValue>): string {
  const ref = sim.db.create("VDI", fields);
  const vdi = sim.db.require("VDI", ref);
  account(sim, vdi.SR as string, vdi.physical_utilisation as number, vdi.virtual_size as number);
  return ref;
}

/** Number of VHDs in the chain ending at this VDI, itself included. */
export function chainDepth(sim: Simulator, vdi: DbRecord): number {
  let depth = 1;
  let parent = (vdi.sm_config as Record<string, string>)["vhd-parent"];
  while (parent && depth < 1000) {
    const hit = sim.db.byUuid(parent);
    if (!hit) break;
    depth++;
    parent = (sim.db.require("VDI", hit.ref).sm_config as Record<string, string>)["vhd-parent"];
  }
  return depth;
}

const isRaw = (vdi: DbRecord): boolean => {
  const sm = vdi.sm_config as Record<string, string>;
  return sm.type === "raw" || sm.vdi_type === "aio";
};

/** Bytes a snapshot or clone of this VDI needs on its SR (reference §5). */
export function snapshotCost(sim: Simulator, vdiRef: string): number {
  const vdi = sim.db.require("VDI", vdiRef);
  const sr = sim.db.require("SR", vdi.SR as string);
  return isThick(sr) ? (vdi.physical_utilisation as number) + SNAPSHOT_OVERHEAD : SNAPSHOT_OVERHEAD;
}

/** The checks SM makes before a VDI snapshot/clone, in its order. */
export function assertCanSnapshotVdi(sim: Simulator, vdiRef: string): void {
  const vdi = sim.db.require("VDI", vdiRef);
  const srRef = vdi.SR as string;
  const sr = sim.db.require("SR", srRef);
  if (sr.content_type === "iso" || sr.type === "iso" || sr.type === "udev") throw new XapiFailure("SR_OPERATION_NOT_SUPPORTED", [srRef]);
  if (vdi.sharable === true) throw new XapiFailure("VDI_IS_SHARABLE", [vdiRef]);
  if (isRaw(vdi)) throw new XapiFailure("UNIMPLEMENTED_IN_SM_BACKEND", [srRef]);
  if (chainDepth(sim, vdi) >= MAX_CHAIN_DEPTH) throw srBackendFailure(109, "The snapshot chain is too long");
}

/** Space check for several VDI snapshots at once (costs add up per SR). */
export function assertSpaceForSnapshots(sim: Simulator, vdiRefs: readonly string[]): void {
  const need = new Map<string, number>();
  for (const ref of vdiRefs) {
    const sr = sim.db.require("VDI", ref).SR as string;
    need.set(sr, (need.get(sr) ?? 0) + snapshotCost(sim, ref));
  }
  for (const [srRef, bytes] of need) {
    if (freeSpace(sim.db.require("SR", srRef)) < bytes) throw srBackendFailure(44, "There is insufficient space");
  }
}

/**
 * VDI.snapshot / VDI.clone after the checks: the data moves into a hidden base copy, the source keeps
 * its ref on a new leaf, and the result is a second leaf on the same parent.
 */
export function snapshotVdi(sim: Simulator, vdiRef: string, kind: "snapshot" | "clone"): string {
  const db = sim.db;
  const vdi = db.require("VDI", vdiRef);
  const srRef = vdi.SR as string;
  const sr = db.require("SR", srRef);
  const thick = isThick(sr);
  const sm = vdi.sm_config as Record<string, string>;
  const baseSm: Record<string, string> = { vdi_type: "vhd" };
  if (sm["vhd-parent"]) baseSm["vhd-parent"] = sm["vhd-parent"];
  const base = createVdi(sim, {
    name_label: "base copy", name_description: "", SR: srRef, virtual_size: vdi.virtual_size as number,
    physical_utilisation: vdi.physical_utilisation as number, type: vdi.type as string, managed: false, read_only: true,
    sm_config: baseSm, location: db.newUuid(),
  });
  const baseUuid = db.require("VDI", base).uuid as string;
  // The source's new leaf: thick LVM keeps an attached leaf inflated, a thin one starts empty.
  const leafSize = thick ? (vdi.physical_utilisation as number) : THIN_EMPTY_LEAF;
  account(sim, srRef, leafSize - (vdi.physical_utilisation as number), 0);
  db.update("VDI", vdiRef, { physical_utilisation: leafSize, sm_config: { ...sm, "vhd-parent": baseUuid } });
  const now = new Date();
  const leaf = createVdi(sim, {
    name_label: vdi.name_label as string, name_description: vdi.name_description as string, SR: srRef,
    virtual_size: vdi.virtual_size as number, physical_utilisation: thick ? LVM_EMPTY_LEAF : THIN_EMPTY_LEAF,
    type: vdi.type as string, sharable: vdi.sharable as boolean, read_only: false, managed: true,
    other_config: vdi.other_config as DbValue, xenstore_data: vdi.xenstore_data as DbValue, on_boot: vdi.on_boot as string,
    allow_caching: vdi.allow_caching as boolean, tags: vdi.tags as DbValue, storage_lock: false,
    location: db.newUuid(), sm_config: { vdi_type: "vhd", "vhd-parent": baseUuid },
    ...(kind === "snapshot" ? { is_a_snapshot: true, snapshot_of: vdiRef, snapshot_time: now } : {}),
  });
  sim.disks.copy(vdiRef, leaf); // the snapshot/clone holds the disk's content as of now
  return leaf;
}

/** VDI.copy into `srRef`: a full, independent copy (space checked first). */
export function copyVdi(sim: Simulator, vdiRef: string, srRef: string): string {
  const vdi = sim.db.require("VDI", vdiRef);
  const sr = sim.db.require("SR", srRef);
  const bytes = isThick(sr) ? (vdi.virtual_size as number) : (vdi.physical_utilisation as number);
  if (freeSpace(sr) < bytes) throw srBackendFailure(44, "There is insufficient space");
  const copy = createVdi(sim, {
    name_label: vdi.name_label as string, name_description: vdi.name_description as string, SR: srRef,
    virtual_size: vdi.virtual_size as number, physical_utilisation: bytes, type: vdi.type as string,
    sharable: vdi.sharable as boolean, other_config: vdi.other_config as DbValue, on_boot: vdi.on_boot as string,
    tags: vdi.tags as DbValue, sm_config: { vdi_type: "vhd" }, location: sim.db.newUuid(),
  });
  sim.disks.copy(vdiRef, copy);
  return copy;
}

/** VDI.destroy's precondition: no attached VBD (a checkpoint's VBDs count as attached). */
export function assertVdiNotInUse(sim: Simulator, vdiRef: string): void {
  const vdi = sim.db.require("VDI", vdiRef);
  for (const vbd of vdi.VBDs as string[]) {
    const rec = sim.db.get("VBD", vbd);
    if (rec && (rec.currently_attached === true || rec.reserved === true)) throw new XapiFailure("VDI_IN_USE", [vdiRef, "destroy"]);
  }
}

/** Remove a VDI (and its VBD records), clear suspend_VDI pointers, then coalesce what it leaves. */
export function removeVdi(sim: Simulator, vdiRef: string): void {
  const db = sim.db;
  const vdi = db.get("VDI", vdiRef);
  if (!vdi) return;
  for (const vbd of [...(vdi.VBDs as string[])]) db.delete("VBD", vbd);
  for (const [vmRef, vm] of db.table("VM")) if (vm.suspend_VDI === vdiRef) db.set("VM", vmRef, "suspend_VDI", NULL_REF);
  account(sim, vdi.SR as string, -(vdi.physical_utilisation as number), -(vdi.virtual_size as number));
  db.delete("VDI", vdiRef);
  sim.disks.drop(vdiRef);
  const parentUuid = (vdi.sm_config as Record<string, string>)["vhd-parent"];
  if (parentUuid) coalesce(sim, parentUuid);
}

/** A base copy with no child left is deleted; with one child it is merged into that child. */
function coalesce(sim: Simulator, baseUuid: string): void {
  const db = sim.db;
  const hit = db.byUuid(baseUuid);
  if (!hit) return;
  const base = db.require("VDI", hit.ref);
  if (base.managed !== false) return;
  const srRef = base.SR as string;
  const children = (db.require("SR", srRef).VDIs as string[]).filter(
    (ref) => (db.get("VDI", ref)?.sm_config as Record<string, string> | undefined)?.["vhd-parent"] === baseUuid,
  );
  if (children.length > 1) return;
  const grandParent = (base.sm_config as Record<string, string>)["vhd-parent"];
  const child = children[0];
  if (child) {
    const rec = db.require("VDI", child);
    const sm = { ...(rec.sm_config as Record<string, string>) };
    if (grandParent) sm["vhd-parent"] = grandParent;
    else delete sm["vhd-parent"];
    // Thin: the child absorbs the parent's data; thick: the leaf is already fully inflated.
    const grown = isThick(db.require("SR", srRef)) ? 0 : (base.physical_utilisation as number);
    db.update("VDI", child, { sm_config: sm, physical_utilisation: (rec.physical_utilisation as number) + grown });
    account(sim, srRef, grown, 0);
  }
  account(sim, srRef, -(base.physical_utilisation as number), -(base.virtual_size as number));
  db.delete("VDI", hit.ref);
  if (!child && grandParent) coalesce(sim, grandParent);
}

/** Memory image size of a suspend/checkpoint (`xapi_xenops.ml` `suspend`: ×1.2×1.05 + 100 MiB). */
export const suspendImageBytes = (memoryStaticMax: number): number => Math.ceil(memoryStaticMax * 1.26) + 100 * MiB;

/** Suspend SR choice: VM.suspend_SR → pool.suspend_image_SR → host.suspend_image_sr (`helpers.ml`). */
export function chooseSuspendSr(sim: Simulator, vmRef: string): string {
  const vm = sim.db.require("VM", vmRef);
  const pool = sim.db.require("pool", sim.poolRef());
  const host = sim.db.get("host", sim.masterRef());
  for (const candidate of [vm.suspend_SR, pool.suspend_image_SR, host?.suspend_image_sr]) {
    if (typeof candidate === "string" && sim.db.exists("SR", candidate)) return candidate;
  }
  throw new XapiFailure("VM_NO_SUSPEND_SR", [vmRef]);
}

/** Create a memory image on the suspend SR, or SR_SUSPEND_SPACE_INSUFFICIENT [sr]. */
export function createSuspendImage(sim: Simulator, vmRef: string, extra: Record<string, DbValue> = {}): string {
  const vm = sim.db.require("VM", vmRef);
  const srRef = chooseSuspendSr(sim, vmRef);
  const bytes = suspendImageBytes(vm.memory_static_max as number);
  if (freeSpace(sim.db.require("SR", srRef)) < bytes) throw new XapiFailure("SR_SUSPEND_SPACE_INSUFFICIENT", [srRef]);
  return createVdi(sim, {
    name_label: "Suspend image", name_description: `Suspend image of ${String(vm.name_label)}`, SR: srRef,
    virtual_size: bytes, physical_utilisation: bytes, type: "suspend",
    sm_config: { vdi_type: "vhd", initial_allocation: String(bytes) }, location: sim.db.newUuid(), ...extra,
  });
}
