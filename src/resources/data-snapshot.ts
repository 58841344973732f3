/**
 * `data.xapi_snapshot`: a snapshot or checkpoint of a VM, filtered by name_regex, schedule (VMSS name)
 * and managed-ness; the newest when `most_recent` (default), else exactly one must match.
 */
import type { VmRecord } from "../xapi/records";
import { isNullRef } from "../xapi/types";
import { errorAt } from "../model";
import type { DataSourceKind } from "./kind";
import { nameRegex } from "./name-regex";
import { ownMarkers } from "./markers";
import { lookupVm } from "./vm-lookup";

export const dataSnapshot = {
  type: "xapi_snapshot",
  read({ address, spec, view }) {
    if (typeof spec.vm !== "string") return { diagnostics: [errorAt(address, "vm must be known at plan time")], reads: [] };
    const found = lookupVm(view, spec.vm, address);
    if (!found.ok) return { diagnostics: [found.diagnostic], reads: [] };
    const vm = found.vm;
    const filter = nameRegex(spec, address);
    if (!filter.ok) return { diagnostics: [filter.diagnostic], reads: [] };
    const regex = filter.regex;
    const schedule = typeof spec.schedule === "string" ? spec.schedule : undefined;
    const scheduleRefs = schedule === undefined ? undefined
      : new Set([...view.vmss.values()].filter((s) => s.name_label === schedule).map((s) => s.ref));
    if (scheduleRefs && scheduleRefs.size === 0) return { diagnostics: [errorAt(address, `no snapshot schedule is named "${schedule}"`)], reads: [] };
    const managed = typeof spec.managed === "boolean" ? spec.managed : undefined;
    const matches = (view.snapshotsOf.get(vm.ref) ?? [])
      .map((ref) => view.vms.get(ref))
      .filter((s): s is VmRecord => s !== undefined)
      .filter((s) => regex === undefined || regex.test(s.name_label))
      .filter((s) => scheduleRefs === undefined || (s.is_vmss_snapshot && vmssOfSnapshot(s, vm, scheduleRefs)))
      .filter((s) => managed === undefined || (ownMarkers(s) !== undefined) === managed)
      .sort((a, b) => b.snapshot_time.getTime() - a.snapshot_time.getTime());
    const newest = matches[0];
    const filters = filterWords({ schedule, regex: regex?.source, managed });
    if (!newest) {
      return { diagnostics: [errorAt(address, `no snapshot of VM "${vm.name_label}" ${filters || "exists"}`,
        schedule !== undefined ? `A schedule snapshots only its own VMs, from its first run on (xe vmss-snapshot-now runs it at once).` : undefined)], reads: [{ uuid: vm.uuid, address }] };
    }
    if (matches.length > 1 && spec.most_recent === false) {
      return { diagnostics: [errorAt(address, `${matches.length} snapshots of VM "${vm.name_label}" match${filters ? ` (${filters})` : ""} and most_recent is false: set most_recent = true for the newest, or narrow the filters`,
        ["Candidates:", ...matches.map((s) => `  - "${s.name_label}" (uuid ${s.uuid}, taken ${s.snapshot_time.toISOString()})`)].join("\n"))], reads: [] };
    }
    return {
      attrs: { uuid: newest.uuid, name_label: newest.name_label, snapshot_time: newest.snapshot_time.toISOString(), power_state: newest.power_state },
      diagnostics: [], reads: [{ uuid: vm.uuid, address }, { uuid: newest.uuid, address }],
    };
  },
} satisfies DataSourceKind;

/** `taken by schedule "nightly", named like /x/, managed by xsnap` — the filters, for errors. */
function filterWords(f: { readonly schedule?: string; readonly regex?: string; readonly managed?: boolean }): string {
  return [
    ...(f.schedule !== undefined ? [`taken by schedule "${f.schedule}"`] : []),
    ...(f.regex !== undefined ? [`named like /${f.regex}/`] : []),
    ...(f.managed !== undefined ? [f.managed ? "managed by xsnap" : "not managed by xsnap"] : []),
  ].join(", ");
}

/** Snapshots do not inherit snapshot_schedule (xapi.md §3.10): the VM's current schedule owns its VMSS snapshots. */
function vmssOfSnapshot(snap: VmRecord, vm: VmRecord, schedules: ReadonlySet<string>): boolean {
  const ref = isNullRef(snap.snapshot_schedule) ? vm.snapshot_schedule : snap.snapshot_schedule;
  return schedules.has(ref);
}
