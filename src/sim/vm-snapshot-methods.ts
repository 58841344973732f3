/**
 * VM.snapshot, VM.checkpoint, VM.snapshot_with_quiesce, VM.clone, VM.copy (reference §3.1–§3.3, §3.5).
 * Each validates, takes the `--task-ms` time (cancellable where XAPI allows it), re-validates, then
 * applies its effects in one synchronous step.
 */
import { XapiFailure } from "./errors";
import { postMessage } from "./messages";
import { versionAtLeast } from "./version";
import { type CallContext, p, type Registry } from "./registry";
import { NULL_REF } from "./schema";
import type { Simulator } from "./simulator";
import { createSuspendImage, freeSpace, isThick, snapshotVdi, suspendImageBytes, chooseSuspendSr } from "./storage";
import { assertDisksCanBeCloned, cloneVm, diskVdis } from "./vm-clone";
import { withVmOperation } from "./vm-lifecycle";

/** `ignore_vdis` appeared in xapi 21.4.0 (reference §0). */
export const IGNORE_VDIS_SINCE = "21.4.0";
/**
 * Quiesce was removed in quebec (CH 8.1); the exact xapi build is not pinned down (reference §3.3), so
 * versions below 1.200 (the 1.1xx line of XenServer 7.x / CH 8.0) keep it.
 */
export const QUIESCE_REMOVED_IN = "1.200";

function restricted(sim: Simulator, feature: string): boolean {
  const restrictions = sim.db.require("pool", sim.poolRef()).restrictions as Record<string, string>;
  return restrictions[`restrict_${feature.toLowerCase()}`] === "true";
}

/** VM.snapshot's effect, shared with VMSS.snapshot_now (which marks `is_vmss_snapshot`). */
export async function takeSnapshot(ctx: CallContext, vm: string, name: string, ignore: readonly string[], isVmss = false): Promise<string> {
  const sim = ctx.sim;
  return withVmOperation(ctx, vm, "snapshot", async () => {
    assertDisksCanBeCloned(sim, vm, { kind: "snapshot", ignoreVdis: ignore });
    await ctx.work({ cancellable: true });
    assertDisksCanBeCloned(sim, vm, { kind: "snapshot", ignoreVdis: ignore });
    const source = sim.db.require("VM", vm);
    const snap = cloneVm(sim, vm, {
      kind: "snapshot", newName: name, ignoreVdis: ignore, powerState: "Halted", isVmssSnapshot: isVmss,
      snapshotInfo: { "disk-snapshot-type": "crash_consistent", "power-state-at-snapshot": String(source.power_state) },
    });
    postMessage(sim, "VM_SNAPSHOTTED", "VM", String(source.uuid),
      `VM '${String(source.name_label)}' (uuid: ${String(source.uuid)}) snapshotted, snapshot name: ${name}`);
    return snap;
  });
}

/** VM.checkpoint's effect (also used by VMSS of type checkpoint). */
export async function takeCheckpoint(ctx: CallContext, vm: string, name: string, isVmss = false): Promise<string> {
  const sim = ctx.sim;
  return withVmOperation(ctx, vm, "checkpoint", async () => {
    if (restricted(sim, "checkpoint")) throw new XapiFailure("LICENCE_RESTRICTION", ["Checkpoint"]);
    const check = (): void => {
      const power = sim.db.require("VM", vm).power_state;
      if (power === "Running") {
        for (const vdi of diskVdis(sim, vm)) {
          const sr = sim.db.require("SR", sim.db.require("VDI", vdi).SR as string);
          if (sr.content_type === "iso") throw new XapiFailure("SR_OPERATION_NOT_SUPPORTED", [vm]);
        }
        const suspendSr = chooseSuspendSr(sim, vm);
        const bytes = suspendImageBytes(sim.db.require("VM", vm).memory_static_max as number);
        if (freeSpace(sim.db.require("SR", suspendSr)) < bytes) throw new XapiFailure("SR_SUSPEND_SPACE_INSUFFICIENT", [suspendSr]);
      }
      assertDisksCanBeCloned(sim, vm, { kind: "checkpoint" });
    };
    check();
    const power = sim.db.require("VM", vm).power_state;
    // A Running VM is visibly Suspended while its memory is saved, then resumed (reference §3.2).
    if (power === "Running") sim.db.set("VM", vm, "power_state", "Suspended");
    try {
      await ctx.work({ cancellable: true });
    } finally {
      if (power === "Running" && sim.db.exists("VM", vm)) sim.db.set("VM", vm, "power_state", "Running");
    }
    check();
    const source = sim.db.require("VM", vm);
    let suspendVdi = NULL_REF;
    if (power === "Running") suspendVdi = createSuspendImage(sim, vm, { is_a_snapshot: true, snapshot_time: new Date() });
    else if (power === "Suspended" && sim.db.exists("VDI", source.suspend_VDI as string)) suspendVdi = snapshotVdi(sim, source.suspend_VDI as string, "snapshot");
    const snap = cloneVm(sim, vm, {
      kind: "checkpoint", newName: name, isVmssSnapshot: isVmss,
      powerState: power === "Paused" ? "Halted" : "Suspended", suspendVdi,
      // Only a Running source records snapshot_info; others get {} (`xapi_vm_snapshot.ml` l.78-84).
      snapshotInfo: power === "Running" ? { "disk-snapshot-type": "crash_consistent", "power-state-at-snapshot": "Running" } : {},
    });
    postMessage(sim, "VM_CHECKPOINTED", "VM", String(source.uuid),
      `VM '${String(source.name_label)}' (uuid: ${String(source.uuid)}) checkpointed, checkpoint name: ${name}`);
    return snap;
  });
}

/** A guest that announces VSS support: Windows PV tools set feature-quiesce (reference §3.3). */
function supportsQuiesce(sim: Simulator, vm: string): boolean {
  const gm = sim.db.get("VM_guest_metrics", sim.db.require("VM", vm).guest_metrics as string);
  const other = (gm?.other ?? {}) as Record<string, string>;
  return other["feature-quiesce"] === "1" && other["feature-snapshot"] === "1";
}

export function registerSnapshotMethods(reg: Registry, xapiVersion: string): void {
  const vmParam = p("VM ref", "vm");
  const modernSnapshot = versionAtLeast(xapiVersion, IGNORE_VDIS_SINCE);
  reg.set("VM.snapshot", {
    params: modernSnapshot ? [vmParam, p("string", "new_name"), p("VDI ref set", "ignore_vdis")] : [vmParam, p("string", "new_name")],
    optional: modernSnapshot ? 1 : 0,
    async: true,
    mutating: true,
    handler: (ctx, [vm, name, ignore]) => takeSnapshot(ctx, String(vm), String(name), (ignore as string[] | undefined) ?? []),
  });
  reg.set("VM.checkpoint", {
    params: [vmParam, p("string", "new_name")],
    async: true,
    mutating: true,
    handler: (ctx, [vm, name]) => takeCheckpoint(ctx, String(vm), String(name)),
  });
  const quiesceRemoved = versionAtLeast(xapiVersion, QUIESCE_REMOVED_IN);
  reg.set("VM.snapshot_with_quiesce", {
    params: [vmParam, p("string", "new_name")],
    async: true,
    mutating: true,
    removed: quiesceRemoved,
    handler: (ctx, [vmArg, nameArg]) => {
      const vm = String(vmArg);
      const sim = ctx.sim;
      return withVmOperation(ctx, vm, "snapshot_with_quiesce", async () => {
        if (!supportsQuiesce(sim, vm)) throw new XapiFailure("VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", [vm]);
        assertDisksCanBeCloned(sim, vm, { kind: "snapshot" });
        await ctx.work({ cancellable: true });
        const source = sim.db.require("VM", vm);
        // snapshot_info of a VSS snapshot on pre-8.1 XAPI: UNCONFIRMED spelling ("quiesced").
        return cloneVm(sim, vm, {
          kind: "snapshot", newName: String(nameArg), powerState: "Halted",
          snapshotInfo: { "disk-snapshot-type": "quiesced", "power-state-at-snapshot": String(source.power_state) },
        });
      });
    },
  });
  reg.set("VM.clone", {
    params: [vmParam, p("string", "new_name")],
    async: true,
    mutating: true,
    handler: (ctx, [vmArg, name]) => {
      const vm = String(vmArg);
      return withVmOperation(ctx, vm, "clone", async () => {
        assertDisksCanBeCloned(ctx.sim, vm, { kind: "clone" });
        await ctx.work();
        assertDisksCanBeCloned(ctx.sim, vm, { kind: "clone" });
        // A checkpoint's clone comes out Halted: XAPI hard-shuts it down at once (§3.5).
        return cloneVm(ctx.sim, vm, { kind: "clone", newName: String(name), powerState: "Halted" });
      });
    },
  });
  reg.set("VM.copy", {
    params: [vmParam, p("string", "new_name"), p("SR ref", "sr")],
    async: true,
    mutating: true,
    handler: (ctx, [vmArg, name, srArg]) => {
      const vm = String(vmArg);
      const sr = String(srArg);
      const sim = ctx.sim;
      return withVmOperation(ctx, vm, "copy", async () => {
        const target = sim.db.get("SR", sr);
        if (target && (target.content_type === "iso" || target.type === "iso")) {
          throw new XapiFailure("OPERATION_NOT_ALLOWED", ["Cannot copy a VM's disks to an ISO SR"]);
        }
        assertCopySpace(sim, vm, target ? sr : undefined);
        await ctx.work({ cancellable: true });
        assertCopySpace(sim, vm, target ? sr : undefined);
        return cloneVm(sim, vm, { kind: "copy", newName: String(name), sr: target ? sr : undefined, powerState: "Halted" });
      });
    },
  });
}

function assertCopySpace(sim: Simulator, vm: string, sr: string | undefined): void {
  const need = new Map<string, number>();
  for (const vdi of diskVdis(sim, vm)) {
    const rec = sim.db.require("VDI", vdi);
    const target = sr ?? (rec.SR as string);
    const thick = isThick(sim.db.require("SR", target));
    need.set(target, (need.get(target) ?? 0) + ((thick ? rec.virtual_size : rec.physical_utilisation) as number));
  }
  for (const [srRef, bytes] of need) {
    if (freeSpace(sim.db.require("SR", srRef)) < bytes) throw new XapiFailure("SR_BACKEND_FAILURE_44", ["", "There is insufficient space", ""]);
  }
}
