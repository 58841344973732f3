/**
 * `xsnap inventory`'s model: every snapshot, checkpoint, template and schedule of the pool as a tree
 * per VM, each marked managed (stack and address), unmanaged, or owned by a schedule (VMSS). Pure:
 * reads only the PoolView it is handed; `render/inventory.ts` turns it into text.
 */
import { ownMarkers } from "../resources/markers";
import { templateSource } from "../resources/template-observe";
import { scheduleFromMap, whenWords } from "../resources/schedule-words";
import type { PoolView, VmRecord, VmssRecord } from "../xapi/records";
import { isNullRef } from "../xapi/types";

export type Ownership =
  | { readonly kind: "managed"; readonly stack: string; readonly address: string }
  | { readonly kind: "unmanaged" }
  /** Taken by a snapshot schedule (is_vmss_snapshot), which keeps its newest `retained_snapshots` per VM. */
  | { readonly kind: "schedule"; readonly schedule: string; readonly retained_snapshots?: number };

export interface InventoryObject {
  readonly uuid: string;
  readonly name_label: string;
  readonly class: "snapshot" | "checkpoint" | "template";
  readonly snapshot_time?: string;
  readonly owner: Ownership;
  /** Templates made from this snapshot (xsnap records the source on the templates it makes). */
  readonly templates?: readonly InventoryObject[];
}

export interface InventoryVm {
  readonly uuid: string;
  readonly name_label: string;
  readonly power_state: string;
  readonly schedule?: { readonly uuid: string; readonly name_label: string; readonly owner: Ownership };
  readonly objects: readonly InventoryObject[];
}

export interface InventorySchedule {
  readonly uuid: string;
  readonly name_label: string;
  readonly type: string;
  readonly frequency: string;
  /** The timetable in words, e.g. `daily at 02:30` (pool time). */
  readonly when: string;
  readonly retained_snapshots: number;
  readonly enabled: boolean;
  readonly vms: readonly string[];
  readonly owner: Ownership;
  /** The snapshots it took (of its current VMs), oldest first. */
  readonly snapshots: readonly ScheduleSnapshot[];
}

export interface ScheduleSnapshot {
  readonly vm: string;
  readonly uuid: string;
  readonly name_label: string;
  readonly snapshot_time: string;
}

export interface Inventory {
  readonly pool: { readonly uuid: string; readonly name_label: string };
  readonly vms: readonly InventoryVm[];
  /** Templates xsnap made, or made by hand from a VM (not XAPI's built-in ones). */
  readonly templates: readonly InventoryObject[];
  readonly schedules: readonly InventorySchedule[];
}

/** A marker counts only on the object that carries its own uuid in `xsnap.self` (DESIGN §5). */
function ownerOf(vm: VmRecord, view: PoolView): Ownership {
  const own = ownMarkers(vm);
  if (own) return { kind: "managed", stack: own.stack, address: own.address };
  if (vm.is_vmss_snapshot) {
    const source = view.vms.get(vm.snapshot_of);
    const vmss = view.vmss.get(vm.snapshot_schedule) ?? (source ? view.vmss.get(source.snapshot_schedule) : undefined);
    return vmss ? { kind: "schedule", schedule: vmss.name_label, retained_snapshots: vmss.retained_snapshots } : { kind: "schedule", schedule: "(deleted schedule)" };
  }
  return { kind: "unmanaged" };
}

/** VMSS has no other_config: ownership is the pool registry entry `xsnap.vmss/<stack>/<address>`. */
function scheduleOwner(vmss: VmssRecord, view: PoolView): Ownership {
  for (const [key, value] of Object.entries(view.pool.other_config)) {
    const m = /^xsnap\.vmss\/([^/]+)\/(.+)$/.exec(key);
    if (m && value.includes(vmss.uuid)) return { kind: "managed", stack: m[1] ?? "", address: m[2] ?? "" };
  }
  return { kind: "unmanaged" };
}

function objectOf(vm: VmRecord, view: PoolView): InventoryObject {
  const checkpoint = vm.is_a_snapshot && (vm.power_state === "Suspended" || !isNullRef(vm.suspend_VDI));
  return {
    uuid: vm.uuid,
    name_label: vm.name_label,
    class: !vm.is_a_snapshot ? "template" : checkpoint ? "checkpoint" : "snapshot",
    ...(vm.is_a_snapshot ? { snapshot_time: vm.snapshot_time.toISOString() } : {}),
    owner: ownerOf(vm, view),
  };
}

const byName = <T extends { readonly name_label: string; readonly uuid: string }>(a: T, b: T): number =>
  a.name_label.localeCompare(b.name_label) || a.uuid.localeCompare(b.uuid);

/** Snapshots XAPI marks as a schedule's (is_vmss_snapshot) of the schedule's VMs: the VM's schedule owns them. */
function takenBy(vmss: VmssRecord, view: PoolView): ScheduleSnapshot[] {
  return vmss.VMs.flatMap((ref) => {
    const vm = view.vms.get(ref);
    return (view.snapshotsOf.get(ref) ?? []).flatMap((s) => {
      const snap = view.vms.get(s);
      return snap?.is_vmss_snapshot && ownMarkers(snap) === undefined
        ? [{ vm: vm?.name_label ?? ref, uuid: snap.uuid, name_label: snap.name_label, snapshot_time: snap.snapshot_time.toISOString() }] : [];
    });
  }).sort((a, b) => a.snapshot_time.localeCompare(b.snapshot_time) || a.uuid.localeCompare(b.uuid));
}

export function buildInventory(view: PoolView, filter: { readonly vm?: string } = {}): Inventory {
  const all = [...view.vms.values()];
  const allTemplates = all.filter((v) => v.is_a_template && !v.is_a_snapshot && !v.is_default_template && !v.is_control_domain);
  const madeFrom = new Map<string, InventoryObject[]>();
  for (const t of allTemplates) {
    const source = templateSource(t);
    if (source && view.byUuid.has(source)) madeFrom.set(source, [...(madeFrom.get(source) ?? []), objectOf(t, view)].sort(byName));
  }
  const vms = all
    .filter((v) => !v.is_a_template && !v.is_a_snapshot && !v.is_control_domain)
    .filter((v) => filter.vm === undefined || v.uuid === filter.vm || v.name_label === filter.vm)
    .map((v): InventoryVm => {
      const vmss = view.vmss.get(v.snapshot_schedule);
      const objects = (view.snapshotsOf.get(v.ref) ?? []).flatMap((ref) => {
        const s = view.vms.get(ref);
        const made = s ? madeFrom.get(s.uuid) : undefined;
        return s ? [{ ...objectOf(s, view), ...(made ? { templates: made } : {}) }] : [];
      }).sort((a, b) => (a.snapshot_time ?? "").localeCompare(b.snapshot_time ?? "") || byName(a, b));
      return {
        uuid: v.uuid, name_label: v.name_label, power_state: v.power_state, objects,
        ...(vmss ? { schedule: { uuid: vmss.uuid, name_label: vmss.name_label, owner: scheduleOwner(vmss, view) } } : {}),
      };
    })
    .sort(byName);
  // Templates whose source snapshot is listed under its VM appear there; the rest stand on their own.
  const nested = new Set([...madeFrom.values()].flat().map((t) => t.uuid));
  const templates = filter.vm !== undefined ? [] : allTemplates
    .filter((v) => !nested.has(v.uuid))
    .map((v) => objectOf(v, view))
    .sort(byName);
  const schedules = [...view.vmss.values()]
    .filter((s) => filter.vm === undefined || vms.some((v) => v.schedule?.uuid === s.uuid))
    .map((s): InventorySchedule => ({
      uuid: s.uuid, name_label: s.name_label, type: s.type, frequency: s.frequency, when: whenWords(s.frequency, scheduleFromMap(s.schedule)),
      retained_snapshots: s.retained_snapshots, enabled: s.enabled,
      vms: s.VMs.map((ref) => view.vms.get(ref)?.name_label ?? ref).sort(),
      owner: scheduleOwner(s, view),
      snapshots: takenBy(s, view),
    }))
    .sort(byName);
  return { pool: { uuid: view.pool.uuid, name_label: view.pool.name_label }, vms, templates, schedules };
}
