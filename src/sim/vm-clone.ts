/**
 * The one routine behind VM.snapshot, VM.checkpoint, VM.clone and VM.copy (`xapi_vm_clone.ml` `clone`
 * and `copy_vm_record`, reference §3.1, §3.2, §3.5): a new VM record from the source's fields, its disks
 * snapshotted / cloned / copied, VBDs and VIFs copied, genealogy updated.
 */
import { type DbRecord, type DbValue, EPOCH, NULL_REF } from "./schema";
import type { Simulator } from "./simulator";
import { recordToSexpr } from "./sexpr";
import { assertCanSnapshotVdi, assertSpaceForSnapshots, copyVdi, snapshotVdi } from "./storage";
import { updateAllowedOperations } from "./vm-lifecycle";

export type CloneKind = "snapshot" | "checkpoint" | "clone" | "copy";

/** Fields that belong to the object itself or are maintained by XAPI; never copied to a new VM. */
const NOT_COPIED = new Set([
  "uuid", "allowed_operations", "current_operations", "resident_on", "scheduled_to_be_resident_on", "consoles", "VIFs",
  "VBDs", "VUSBs", "crash_dumps", "VTPMs", "domid", "metrics", "guest_metrics", "snapshots", "children", "VGPUs",
  "attached_PCIs", "snapshot_of", "parent", "suspend_VDI", "blobs",
]);

export interface CloneOptions {
  readonly kind: CloneKind;
  readonly newName: string;
  /** VDIs left out (VM.snapshot's `ignore_vdis`). */
  readonly ignoreVdis?: readonly string[];
  /** VM.copy's target SR; NULL/invalid keeps each disk in its own SR. */
  readonly sr?: string;
  readonly powerState: string;
  readonly suspendVdi?: string;
  readonly snapshotInfo?: Record<string, string>;
  readonly isVmssSnapshot?: boolean;
}

/** Disk VBDs of `vm` that the operation will process, with their VDIs (CD/empty VBDs have none). */
export function diskVdis(sim: Simulator, vmRef: string, ignore: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const vbd of sim.db.require("VM", vmRef).VBDs as string[]) {
    const rec = sim.db.get("VBD", vbd);
    if (!rec || rec.type !== "Disk" || rec.empty === true) continue;
    const vdi = rec.VDI as string;
    if (sim.db.exists("VDI", vdi) && !ignore.includes(vdi)) out.push(vdi);
  }
  return out;
}

/** Every check the disks must pass before anything is created (so a failure leaves nothing behind). */
export function assertDisksCanBeCloned(sim: Simulator, vmRef: string, opts: Pick<CloneOptions, "kind" | "ignoreVdis">): void {
  if (opts.kind === "copy") return; // VDI.copy of any format works; space is checked per disk
  const disks = diskVdis(sim, vmRef, opts.ignoreVdis);
  for (const vdi of disks) assertCanSnapshotVdi(sim, vdi);
  assertSpaceForSnapshots(sim, disks);
}

export function cloneVm(sim: Simulator, vmRef: string, opts: CloneOptions): string {
  const db = sim.db;
  const source = db.require("VM", vmRef);
  const isSnapshot = opts.kind === "snapshot" || opts.kind === "checkpoint";
  const fields: Record<string, DbValue> = {};
  for (const [k, v] of Object.entries(source)) if (!NOT_COPIED.has(k)) fields[k] = v;
  const otherConfig = { ...(source.other_config as Record<string, string>) };
  delete otherConfig.default_template;
  delete otherConfig.xensource_internal;
  if (source.is_a_template === true) otherConfig.base_template_name = String(source.name_label);
  if (!isSnapshot) otherConfig.mac_seed = db.newUuid();
  Object.assign(fields, {
    name_label: opts.newName,
    other_config: otherConfig,
    power_state: opts.powerState,
    is_default_template: false,
    is_control_domain: false,
    ha_always_run: false,
    protection_policy: NULL_REF,
    appliance: NULL_REF,
    start_delay: 0, shutdown_delay: 0, order: 0,
    domid: -1,
    generation_id: `${db.rng.int(1 << 30)}:${db.rng.int(1 << 30)}`,
    snapshot_schedule: NULL_REF,
    is_vmss_snapshot: opts.isVmssSnapshot === true,
  });
  if (isSnapshot) {
    Object.assign(fields, {
      is_a_template: true, is_a_snapshot: true, snapshot_of: vmRef, snapshot_time: new Date(),
      snapshot_info: opts.snapshotInfo ?? {}, snapshot_metadata: recordToSexpr("VM", vmRef, source),
      blocked_operations: {}, suspend_SR: NULL_REF, parent: source.parent as string,
      suspend_VDI: opts.suspendVdi ?? NULL_REF,
    });
  } else {
    Object.assign(fields, {
      is_a_snapshot: false, snapshot_time: EPOCH, snapshot_info: {}, snapshot_metadata: "",
      is_a_template: source.is_a_template === true, transportable_snapshot_id: "",
    });
  }
  fields.metrics = copyMetrics(sim, "VM_metrics", source.metrics as string);
  fields.guest_metrics = copyMetrics(sim, "VM_guest_metrics", source.guest_metrics as string);
  const newRef = db.create("VM", fields);
  if (isSnapshot) db.set("VM", vmRef, "parent", newRef);
  copyDisks(sim, vmRef, newRef, opts);
  copyVifs(sim, vmRef, newRef, isSnapshot);
  updateAllowedOperations(sim, newRef);
  return newRef;
}

function copyMetrics(sim: Simulator, cls: string, ref: string): string {
  const rec = sim.db.get(cls, ref);
  if (!rec) return NULL_REF;
  const { uuid: _uuid, ...rest } = rec;
  return sim.db.create(cls, rest);
}

function copyDisks(sim: Simulator, fromVm: string, toVm: string, opts: CloneOptions): void {
  const db = sim.db;
  const ignore = opts.ignoreVdis ?? [];
  const attached = opts.powerState === "Suspended"; // a checkpoint keeps "attached" VBDs (§2.3)
  for (const vbdRef of [...(db.require("VM", fromVm).VBDs as string[])]) {
    const vbd = db.get("VBD", vbdRef);
    if (!vbd) continue;
    let vdi = vbd.VDI as string;
    const isDisk = vbd.type === "Disk" && vbd.empty !== true && db.exists("VDI", vdi);
    if (isDisk && ignore.includes(vdi)) continue;
    if (isDisk) vdi = newDisk(sim, vdi, opts);
    const otherConfig = { ...(vbd.other_config as Record<string, string>) };
    if (isDisk && otherConfig.owner === undefined) otherConfig.owner = ""; // "the new VM owns these disks"
    db.create("VBD", {
      VM: toVm, VDI: vdi, userdevice: vbd.userdevice as string, device: vbd.device as string, bootable: vbd.bootable as boolean,
      mode: vbd.mode as string, type: vbd.type as string, unpluggable: vbd.unpluggable as boolean, empty: vbd.empty as boolean,
      other_config: otherConfig, currently_attached: attached && isDisk,
      qos_algorithm_type: vbd.qos_algorithm_type as string, qos_algorithm_params: vbd.qos_algorithm_params as DbValue,
    });
  }
}

function newDisk(sim: Simulator, vdi: string, opts: CloneOptions): string {
  if (opts.kind === "copy") {
    const target = opts.sr && sim.db.exists("SR", opts.sr) ? opts.sr : (sim.db.require("VDI", vdi).SR as string);
    return copyVdi(sim, vdi, target);
  }
  return snapshotVdi(sim, vdi, opts.kind === "clone" ? "clone" : "snapshot");
}

/** Snapshots keep MAC addresses; clones and copies get new ones (from the new mac_seed). */
export function copyVifs(sim: Simulator, fromVm: string, toVm: string, keepMacs: boolean): void {
  for (const vifRef of [...(sim.db.require("VM", fromVm).VIFs as string[])]) {
    const vif = sim.db.get("VIF", vifRef);
    if (!vif) continue;
    const fields: DbRecord = {};
    for (const [k, v] of Object.entries(vif)) if (!["uuid", "VM", "currently_attached", "allowed_operations", "current_operations"].includes(k)) fields[k] = v;
    if (!keepMacs) fields.MAC = sim.db.rng.mac();
    sim.db.create("VIF", { ...fields, VM: toVm, currently_attached: false });
  }
}
