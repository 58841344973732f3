/**
 * VM.revert (reference §3.4, `xapi_vm_snapshot.ml` `revert`): the target VM is hard-shut-down, its fields
 * are restored from `snapshot_metadata` except a do-not-copy list (tags, VMSS, genealogy … are kept), its
 * disks that have a counterpart in the snapshot are destroyed and replaced by clones of the snapshot's
 * disks (new VDI refs), VIFs are copied back, and it ends in the snapshot's power state. Not cancellable.
 * On failure the VM is left Halted; SM space/chain errors pass through, others become VM_REVERT_FAILED.
 */
import { toFailure, XapiFailure } from "./errors";
import { postMessage } from "./messages";
import { type CallContext, p, type Registry } from "./registry";
import { type DbValue, NULL_REF } from "./schema";
import { sexprToRecord } from "./sexpr";
import type { Simulator } from "./simulator";
import { assertSpaceForSnapshots, removeVdi, snapshotVdi } from "./storage";
import { copyVifs, diskVdis } from "./vm-clone";
import { updateAllowedOperations, withVmOperation } from "./vm-lifecycle";
import { hardShutdown, setPowerState } from "./vm-methods";

/** `do_not_copy` (l.505-541): fields a revert never takes from the snapshot. */
const KEPT_ON_REVERT = new Set([
  "uuid", "suspend_VDI", "power_state", "parent", "current_operations", "allowed_operations", "metrics", "guest_metrics",
  "resident_on", "domid", "protection_policy", "snapshot_schedule", "scheduled_to_be_resident_on", "snapshots", "tags",
  "affinity", "consoles", "VBDs", "VIFs", "VGPUs", "VUSBs", "VTPMs", "attached_PCIs", "children", "crash_dumps",
  // Identity flags of the target: the metadata of a VM describes a VM, never a snapshot.
  "is_a_snapshot", "snapshot_of", "snapshot_time", "snapshot_info", "snapshot_metadata", "is_vmss_snapshot", "blobs",
]);
const PASSED_THROUGH = new Set(["SR_BACKEND_FAILURE_44", "SR_BACKEND_FAILURE_109", "VDI_INCOMPATIBLE_TYPE"]);

/** The snapshot's source VM; recreated with its original uuid when it was destroyed (§3.4). */
function targetOf(sim: Simulator, snapshot: string): string {
  const snap = sim.db.require("VM", snapshot);
  const target = snap.snapshot_of as string;
  if (sim.db.exists("VM", target)) return target;
  if (target === NULL_REF) throw new XapiFailure("VM_REVERT_FAILED", [snapshot, target]);
  const meta = sexprToRecord("VM", String(snap.snapshot_metadata));
  const uuid = typeof meta.uuid === "string" && !sim.db.byUuid(meta.uuid) ? meta.uuid : undefined;
  const fields: Record<string, DbValue> = {};
  for (const [k, v] of Object.entries(snap)) if (!KEPT_ON_REVERT.has(k)) fields[k] = v;
  const ref = sim.db.create("VM", { ...fields, ...(uuid ? { uuid } : {}), is_a_template: false, power_state: "Halted" });
  for (const [vm, rec] of sim.db.table("VM")) if (rec.snapshot_of === target) sim.db.set("VM", vm, "snapshot_of", ref);
  return ref;
}

function revertFields(sim: Simulator, vm: string, snapshot: string): void {
  const snap = sim.db.require("VM", snapshot);
  const meta = sexprToRecord("VM", String(snap.snapshot_metadata));
  const patch: Record<string, DbValue> = {};
  for (const [k, v] of Object.entries(meta)) if (!KEPT_ON_REVERT.has(k)) patch[k] = v;
  patch.ha_always_run = false;
  sim.db.update("VM", vm, patch);
}

function revertDisks(sim: Simulator, vm: string, snapshot: string): void {
  const db = sim.db;
  const snapDisks = new Map<string, string>(); // VM disk → snapshot disk
  for (const vbd of db.require("VM", snapshot).VBDs as string[]) {
    const vdi = db.get("VBD", vbd)?.VDI as string | undefined;
    const of = vdi ? db.get("VDI", vdi)?.snapshot_of : undefined;
    if (vdi && typeof of === "string") snapDisks.set(of, vdi);
  }
  for (const vbd of [...(db.require("VM", vm).VBDs as string[])]) {
    const vdi = db.get("VBD", vbd)?.VDI as string;
    db.delete("VBD", vbd);
    // Disks added after the snapshot (or ignored by it) stay in the SR, detached.
    if (snapDisks.has(vdi)) removeVdi(sim, vdi);
  }
  const oldSuspend = db.require("VM", vm).suspend_VDI as string;
  if (db.exists("VDI", oldSuspend)) removeVdi(sim, oldSuspend);
  for (const vbd of db.require("VM", snapshot).VBDs as string[]) {
    const rec = db.get("VBD", vbd);
    if (!rec) continue;
    let vdi = rec.VDI as string;
    if (rec.type === "Disk" && rec.empty !== true && db.exists("VDI", vdi)) {
      const clone = snapshotVdi(sim, vdi, "clone");
      const original = db.require("VDI", vdi).snapshot_of as string;
      // Every VDI snapshot of the replaced disk now hangs off its replacement.
      for (const [other, o] of db.table("VDI")) if (o.snapshot_of === original && original !== NULL_REF) db.set("VDI", other, "snapshot_of", clone);
      vdi = clone;
    }
    const { uuid: _u, VM: _vm, VDI: _vdi, ...rest } = rec;
    db.create("VBD", { ...rest, VM: vm, VDI: vdi });
  }
  const snapSuspend = db.require("VM", snapshot).suspend_VDI as string;
  db.set("VM", vm, "suspend_VDI", db.exists("VDI", snapSuspend) ? snapshotVdi(sim, snapSuspend, "clone") : NULL_REF);
}

export async function revert(ctx: CallContext, snapshot: string): Promise<void> {
  const sim = ctx.sim;
  await withVmOperation(ctx, snapshot, "revert", async () => {
    const vm = targetOf(sim, snapshot);
    await withVmOperation(ctx, vm, "reverting", async () => {
      await ctx.work({ cancellable: false });
      try {
        if (sim.db.require("VM", vm).power_state !== "Halted") hardShutdown(sim, vm);
        revertFields(sim, vm, snapshot);
        assertSpaceForSnapshots(sim, diskVdis(sim, snapshot));
        revertDisks(sim, vm, snapshot);
        for (const vif of [...(sim.db.require("VM", vm).VIFs as string[])]) sim.db.delete("VIF", vif);
        copyVifs(sim, snapshot, vm, true);
        sim.db.set("VM", vm, "parent", snapshot);
        const snap = sim.db.require("VM", snapshot);
        setPowerState(sim, vm, snap.power_state === "Suspended" ? "Suspended" : "Halted");
        const target = sim.db.require("VM", vm);
        postMessage(sim, "VM_SNAPSHOT_REVERTED", "VM", String(target.uuid),
          `VM '${String(target.name_label)}' (uuid: ${String(target.uuid)}) reverted to snapshot: ${String(snap.name_label)} (uuid ${String(snap.uuid)})`);
      } catch (e) {
        if (sim.db.exists("VM", vm)) setPowerState(sim, vm, "Halted");
        const failure = toFailure(e);
        if (PASSED_THROUGH.has(failure.code)) throw failure;
        throw new XapiFailure("VM_REVERT_FAILED", [snapshot, vm]);
      } finally {
        updateAllowedOperations(sim, vm);
      }
    });
  });
}

export function registerRevert(reg: Registry): void {
  reg.set("VM.revert", {
    params: [p("VM ref", "snapshot")],
    async: true,
    mutating: true,
    handler: (ctx, [snapshot]) => revert(ctx, String(snapshot)),
  });
}
