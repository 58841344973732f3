/** Text of `xsnap inventory`: the tree per VM built by `engine/inventory.ts`. Pure. */
import type { Inventory, InventoryObject, Ownership } from "../engine/inventory";
import { plain, type Paint } from "./paint";

function ownerText(o: Ownership, paint: Paint): string {
  switch (o.kind) {
    case "managed": return paint.green(`managed: ${o.stack} ${o.address}`);
    case "unmanaged": return paint.dim("unmanaged");
    case "schedule": return paint.cyan(`schedule "${o.schedule}"${o.retained_snapshots !== undefined ? ` (keeps ${o.retained_snapshots})` : ""}`);
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
    vm.objects.forEach((o, i) => {
      const last = i === vm.objects.length - 1;
      out.push(`${last ? "└──" : "├──"} ${objectLine(o, paint)}`);
      (o.templates ?? []).forEach((t, j) => out.push(`${last ? "    " : "│   "}${j === (o.templates?.length ?? 0) - 1 ? "└──" : "├──"} ${objectLine(t, paint)}`));
    });
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
      out.push(`  "${s.name_label}" (${short(s.uuid)}) ${s.type} ${s.when}, keeps ${s.retained_snapshots}${state}: ` +
        `${s.vms.length > 0 ? s.vms.join(", ") : "no VMs"}  ${ownerText(s.owner, paint)}`);
      s.snapshots.forEach((t, i) => out.push(`    ${i === s.snapshots.length - 1 ? "└──" : "├──"} ${t.vm}: "${t.name_label}" (${short(t.uuid)})${when(t.snapshot_time)}`));
    }
  }
  const objects = inv.vms.flatMap((v) => v.objects.flatMap((o) => [o, ...(o.templates ?? [])])).concat(inv.templates);
  const count = (k: Ownership["kind"]): number => objects.filter((o) => o.owner.kind === k).length;
  out.push("", `${objects.length} objects: ${count("managed")} managed, ${count("unmanaged")} unmanaged, ${count("schedule")} owned by schedules.`);
  return `${out.join("\n")}\n`;
}
