/**
 * `xsnap inventory`: every snapshot, checkpoint, template and schedule of the pool as a tree per VM,
 * each marked managed (stack and address), unmanaged, or owned by a schedule (VMSS). Pure: reads only
 * the PoolView it is handed.
 */
import type { PoolView, VmRecord, VmssRecord } from "../xapi/records";
import type { OpaqueRef } from "../xapi/types";
import { plain, type Paint } from "./paint";

export type Ownership =
  | { readonly kind: "managed"; readonly stack: string; readonly address: string }
  | { readonly kind: "unmanaged" }
  | { readonly kind: "schedule"; readonly schedule: string };

export interface InventoryObject {
  readonly uuid: string;
  readonly name_label: string;
  readonly class: "snapshot" | "checkpoint" | "template";
  readonly snapshot_time?: string;
  readonly owner: Ownership;
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
  readonly retained_snapshots: number;
  readonly enabled: boolean;
  readonly vms: readonly string[];
  readonly owner: Ownership;
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
  const oc = vm.other_config;
  if (oc["xsnap.self"] === vm.uuid && oc["xsnap.stack"] && oc["xsnap.address"]) {
    return { kind: "managed", stack: oc["xsnap.stack"], address: oc["xsnap.address"] };
  }
  if (vm.is_vmss_snapshot) {
    const source = view.vms.get(vm.snapshot_of);
    const vmss = view.vmss.get(vm.snapshot_schedule) ?? (source ? view.vmss.get(source.snapshot_schedule) : undefined);
    return { kind: "schedule", schedule: vmss?.name_label ?? "(deleted schedule)" };
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
  const checkpoint = vm.is_a_snapshot && (vm.power_state === "Suspended" || !isNull(vm.suspend_VDI));
  return {
    uuid: vm.uuid,
    name_label: vm.name_label,
    class: !vm.is_a_snapshot ? "template" : checkpoint ? "checkpoint" : "snapshot",
    ...(vm.is_a_snapshot ? { snapshot_time: vm.snapshot_time.toISOString() } : {}),
    owner: ownerOf(vm, view),
  };
}

const isNull = (ref: OpaqueRef): boolean => !ref || ref === "OpaqueRef:NULL";
const byName = <T extends { readonly name_label: string; readonly uuid: string }>(a: T, b: T): number =>
  a.name_label.localeCompare(b.name_label) || a.uuid.localeCompare(b.uuid);

export function buildInventory(view: PoolView, filter: { readonly vm?: string } = {}): Inventory {
  const all = [...view.vms.values()];
  const vms = all
    .filter((v) => !v.is_a_template && !v.is_a_snapshot && !v.is_control_domain)
    .filter((v) => filter.vm === undefined || v.uuid === filter.vm || v.name_label === filter.vm)
    .map((v): InventoryVm => {
      const vmss = view.vmss.get(v.snapshot_schedule);
      const objects = (view.snapshotsOf.get(v.ref) ?? []).flatMap((ref) => {
        const s = view.vms.get(ref);
        return s ? [objectOf(s, view)] : [];
      }).sort((a, b) => (a.snapshot_time ?? "").localeCompare(b.snapshot_time ?? "") || byName(a, b));
      return {
        uuid: v.uuid, name_label: v.name_label, power_state: v.power_state, objects,
        ...(vmss ? { schedule: { uuid: vmss.uuid, name_label: vmss.name_label, owner: scheduleOwner(vmss, view) } } : {}),
      };
    })
    .sort(byName);
  const templates = filter.vm !== undefined ? [] : all
    .filter((v) => v.is_a_template && !v.is_a_snapshot && !v.is_default_template && !v.is_control_domain)
    .map((v) => objectOf(v, view))
    .sort(byName);
  const schedules = [...view.vmss.values()]
    .filter((s) => filter.vm === undefined || vms.some((v) => v.schedule?.uuid === s.uuid))
    .map((s): InventorySchedule => ({
      uuid: s.uuid, name_label: s.name_label, type: s.type, frequency: s.frequency,
      retained_snapshots: s.retained_snapshots, enabled: s.enabled,
      vms: s.VMs.map((ref) => view.vms.get(ref)?.name_label ?? ref).sort(),
      owner: scheduleOwner(s, view),
    }))
    .sort(byName);
  return { pool: { uuid: view.pool.uuid, name_label: view.pool.name_label }, vms, templates, schedules };
}

function ownerText(o: Ownership, paint: Paint): string {
  switch (o.kind) {
    case "managed": return paint.green(`managed: ${o.stack} ${o.address}`);
    case "unmanaged": return paint.dim("unmanaged");
    case "schedule": return paint.cyan(`schedule "${o.schedule}"`);
  }
}

const short = (uuid: string): string => uuid.slice(0, 8);
const when = (iso: string | undefined): string => (iso ? ` ${iso.slice(0, 16).replace("T", " ")}Z` : "");

function objectLine(o: InventoryObject, paint: Paint): string {
  return `${o.class} "${o.name_label}" (${short(o.uuid)})${when(o.snapshot_time)}  ${ownerText(o.owner, paint)}`;
}

export function renderInventoryText(inv: Inventory, paint: Paint = plain): string {
  const out: string[] = [`Pool "${inv.pool.name_label}" (${short(inv.pool.uuid)})`, ""];
  for (const vm of inv.vms) {
    const schedule = vm.schedule ? `  in schedule "${vm.schedule.name_label}"` : "";
    out.push(`${paint.bold(vm.name_label)} (${short(vm.uuid)}) ${vm.power_state}${schedule}`);
    vm.objects.forEach((o, i) => out.push(`${i === vm.objects.length - 1 ? "└──" : "├──"} ${objectLine(o, paint)}`));
    if (vm.objects.length === 0) out.push(paint.dim("└── (no snapshots)"));
  }
  if (inv.vms.length === 0) out.push("No VM matches.");
  if (inv.templates.length > 0) {
    out.push("", paint.bold("Templates"));
    for (const t of inv.templates) out.push(`  ${objectLine(t, paint)}`);
  }
  if (inv.schedules.length > 0) {
    out.push("", paint.bold("Schedules"));
    for (const s of inv.schedules) {
      const state = s.enabled ? "" : ", disabled";
      out.push(`  "${s.name_label}" (${short(s.uuid)}) ${s.type} ${s.frequency}, keeps ${s.retained_snapshots}${state}: ` +
        `${s.vms.length > 0 ? s.vms.join(", ") : "no VMs"}  ${ownerText(s.owner, paint)}`);
    }
  }
  const objects = inv.vms.flatMap((v) => v.objects).concat(inv.templates);
  const count = (k: Ownership["kind"]): number => objects.filter((o) => o.owner.kind === k).length;
  out.push("", `${objects.length} objects: ${count("managed")} managed, ${count("unmanaged")} unmanaged, ${count("schedule")} owned by schedules.`);
  return `${out.join("\n")}\n`;
}
