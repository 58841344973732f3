/**
 * Preflight for taking a snapshot or checkpoint (DESIGN §3 "Preflight at plan time, not failure at
 * apply"): every condition XAPI would refuse at apply time, found in the PoolView and reported as a
 * Diagnostic naming the address, with the XAPI error code that would otherwise surface.
 */
import { type Address, type Diagnostic, errorAt, warningAt, formatBytes } from "../model";
import type { PoolView, VdiRecord, VmRecord } from "../xapi/records";
import { chainDepth, isRawVdi } from "./disks";
import type { Claim } from "./kind";
import { estimateSpace, freeBytes } from "./space";

/** SM refuses a snapshot when the VHD chain reaches 30 (SR_BACKEND_FAILURE_109, sm:libs/sm/vhdutil.py MAX_CHAIN_SIZE). */
export const MAX_CHAIN_DEPTH = 30;

export interface PreflightArgs {
  readonly address: Address;
  readonly view: PoolView;
  readonly vm: VmRecord;
  /** The disks that will be snapshotted (ignored disks already removed). */
  readonly disks: readonly VdiRecord[];
  readonly withMemory: boolean;
  readonly quiesce: boolean;
}

export interface PreflightResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly estimatedBytes: number;
  readonly claims: readonly Claim[];
}

export function preflight(args: PreflightArgs): PreflightResult {
  const diagnostics = [
    ...operationChecks(args),
    ...diskChecks(args),
    ...(args.quiesce ? quiesceChecks(args) : []),
    ...securityChecks(args),
  ];
  const space = spaceChecks(args);
  return { diagnostics: [...diagnostics, ...space.diagnostics], estimatedBytes: space.estimatedBytes, claims: space.claims };
}

const operationOf = (a: PreflightArgs): string => (a.withMemory ? "checkpoint" : a.quiesce ? "snapshot_with_quiesce" : "snapshot");

function operationChecks(a: PreflightArgs): Diagnostic[] {
  const out: Diagnostic[] = [];
  const op = operationOf(a);
  const vmName = `VM "${a.vm.name_label}"`;
  const blocked = a.vm.blocked_operations[op];
  if (blocked !== undefined) {
    out.push(errorAt(a.address, `${vmName} blocks the ${op} operation (blocked_operations:${op}=${blocked})`,
      `XAPI would refuse with OPERATION_BLOCKED. Remove the block first: xe vm-param-remove uuid=${a.vm.uuid} param-name=blocked-operations param-key=${op}`));
  }
  if (a.withMemory && a.vm.power_state === "Halted") {
    out.push(errorAt(a.address, `a checkpoint needs the VM Running, Paused or Suspended; ${vmName} is Halted`,
      "XAPI would refuse with VM_BAD_POWER_STATE. Use xapi_snapshot for a disk-only snapshot of a halted VM, or start the VM first."));
  }
  if (a.withMemory && a.view.pool.restrictions.restrict_checkpoint === "true") {
    out.push(errorAt(a.address, "the pool's licence does not allow checkpoints (pool.restrictions restrict_checkpoint=true)", "XAPI would refuse with LICENCE_RESTRICTION Checkpoint."));
  }
  return out;
}

function diskChecks(a: PreflightArgs): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const vdi of a.disks) {
    const disk = `disk "${vdi.name_label}" (${vdi.uuid})`;
    const sr = a.view.srs.get(vdi.SR);
    if (isRawVdi(vdi)) {
      out.push(errorAt(a.address, `${disk} is a raw VDI${sr ? ` on ${sr.type} SR "${sr.name_label}"` : ""}, which cannot be snapshotted`,
        "XAPI would fail with UNIMPLEMENTED_IN_SM_BACKEND. Leave the disk out with ignore_disks, or move it to a VHD-based SR."));
    }
    if (vdi.sharable) {
      out.push(errorAt(a.address, `${disk} is sharable, which cannot be snapshotted`, "XAPI would fail with VDI_IS_SHARABLE. Leave the disk out with ignore_disks."));
    }
    if (vdi.on_boot === "reset") {
      out.push(errorAt(a.address, `${disk} has on_boot=reset, which forbids snapshots and checkpoints`,
        "XAPI would refuse with VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION. Set on-boot=persist on the disk, or leave it out with ignore_disks."));
    }
    const depth = chainDepth(a.view, vdi);
    if (depth >= MAX_CHAIN_DEPTH) {
      out.push(errorAt(a.address, `${disk} already has a snapshot chain of depth ${depth}; the storage refuses a new snapshot at ${MAX_CHAIN_DEPTH}`,
        "XAPI would fail with SR_BACKEND_FAILURE_109 (The snapshot chain is too long). Delete older snapshots of this VM and let the SR coalesce first."));
    }
  }
  return out;
}

/** VM.snapshot_with_quiesce is `Removed` since Citrix Hypervisor 8.1 (xapi.md §3.3): MESSAGE_REMOVED. */
export function quiesceRemoved(xapiVersion: string): boolean {
  const [major = 0, minor = 0] = xapiVersion.split(".").map((p) => Number.parseInt(p, 10) || 0);
  // Numbered releases (21.x, 26.x) are all after quebec. The exact 1.x build of quebec is not pinned
  // down (xapi.md §3.3); like the simulator, builds below 1.200 (XenServer 7.x / CH 8.0) keep quiesce.
  return major >= 2 || (major === 1 && minor >= 200);
}

/** `VM.snapshot`'s `ignore_vdis` parameter arrived in xapi 21.4; older pools answer MESSAGE_PARAMETER_COUNT_MISMATCH. */
export function ignoreVdisSupported(xapiVersion: string): boolean {
  const [major = 0, minor = 0] = xapiVersion.split(".").map((p) => Number.parseInt(p, 10) || 0);
  return major > 21 || (major === 21 && minor >= 4);
}

/** VSS exists only in Windows guests; viridian is the platform flag XAPI sets for them. */
const looksWindows = (vm: VmRecord): boolean =>
  vm.platform.viridian === "true" || /windows/i.test(vm.other_config.base_template_name ?? "") || /windows/i.test(vm.other_config.os ?? "");

function quiesceChecks(a: PreflightArgs): Diagnostic[] {
  if (quiesceRemoved(a.view.xapiVersion)) {
    return [errorAt(a.address, `quiesce is not available on this pool (xapi ${a.view.xapiVersion}): VM.snapshot_with_quiesce was removed in Citrix Hypervisor 8.1 / XCP-ng 8.x`,
      "XAPI would answer MESSAGE_REMOVED. Use xapi_checkpoint for a snapshot with the VM's memory, or drop quiesce.")];
  }
  const out: Diagnostic[] = [];
  if (a.view.pool.restrictions.restrict_vss === "true") out.push(errorAt(a.address, "the pool's licence does not allow quiesced snapshots (restrict_vss=true)"));
  if (!looksWindows(a.vm)) out.push(errorAt(a.address, `quiesce needs a Windows guest with VSS; VM "${a.vm.name_label}" is not a Windows guest`, "XAPI would fail with VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED."));
  if (a.vm.power_state !== "Running") out.push(errorAt(a.address, `quiesce needs the VM Running; VM "${a.vm.name_label}" is ${a.vm.power_state}`, "XAPI would refuse with VM_BAD_POWER_STATE."));
  if (a.vm.VBDs.length > 2) {
    out.push(warningAt(a.address, `VM "${a.vm.name_label}" has ${a.vm.VBDs.length} VBDs; quiesced snapshots of VMs with more than 2 often time out`,
      "xsnap retries VM_SNAPSHOT_WITH_QUIESCE_FAILED/_TIMEOUT with backoff; consider xapi_checkpoint."));
  }
  return out;
}

function securityChecks(a: PreflightArgs): Diagnostic[] {
  if (a.vm.other_config.snapmanager !== "true") return [];
  return [warningAt(a.address, `VM "${a.vm.name_label}" has other_config:snapmanager=true: the VM can attach the snapshot disks of other VMs`,
    "A VM with snapmanager=true may take VSS snapshots and attach any snapshot's disks, other VMs' included: a security risk unless the guest is fully trusted. Remove the key unless a backup agent in the guest needs it.")];
}

function spaceChecks(a: PreflightArgs): { diagnostics: Diagnostic[]; estimatedBytes: number; claims: Claim[] } {
  const estimate = estimateSpace({ view: a.view, vm: a.vm, disks: a.disks, withMemory: a.withMemory });
  const out: Diagnostic[] = [];
  if (estimate.noSuspendSr) {
    out.push(errorAt(a.address, `VM "${a.vm.name_label}" has no suspend SR and the pool has no suspend_image_SR; a checkpoint cannot save its memory`,
      "XAPI would refuse with VM_NO_SUSPEND_SR. Set the pool's suspend-image-SR or the VM's suspend-SR."));
  }
  for (const need of estimate.perSr) {
    const free = freeBytes(need.sr);
    if (need.bytes > free) {
      out.push(errorAt(a.address, `SR "${need.sr.name_label}" has ${formatBytes(free)} free; this ${a.withMemory ? "checkpoint" : "snapshot"} needs about ${formatBytes(need.bytes)} there`,
        a.withMemory ? "Estimate: memory image 1.26 × memory_static_max + 100 MiB on the suspend SR, plus per-disk snapshot cost. XAPI would fail with SR_BACKEND_FAILURE_44 or SR_SUSPEND_SPACE_INSUFFICIENT."
          : "Estimate: per-disk snapshot cost (used size + 16 MiB on LVM SRs, 16 MiB on file SRs). XAPI would fail with SR_BACKEND_FAILURE_44."));
    }
  }
  const claims = estimate.perSr.map((n) => ({ resource: n.sr.uuid, label: `SR "${n.sr.name_label}"`, bytes: n.bytes, available: freeBytes(n.sr) }));
  return { diagnostics: out, estimatedBytes: estimate.total, claims };
}
