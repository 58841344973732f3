/**
 * `vm` accepts a VM uuid or an exact name_label (DESIGN §3). Control domains, templates and snapshots
 * never match, and xsnap never guesses: no match or several matches is an error listing candidates.
 */
import { type Address, type Diagnostic, errorAt } from "../model";
import type { PoolView, VmRecord } from "../xapi/records";
import type { Uuid } from "../xapi/types";

export type VmLookup =
  | { readonly ok: true; readonly vm: VmRecord }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

export const isPlainVm = (vm: VmRecord): boolean => !vm.is_control_domain && !vm.is_a_template && !vm.is_a_snapshot;

const describe = (vm: VmRecord): string => `"${vm.name_label}" (uuid ${vm.uuid}, ${vm.power_state})`;

export function lookupVm(view: PoolView, value: string, address: Address, attribute = "vm"): VmLookup {
  const byUuid = view.byUuid.get(value as Uuid);
  if (byUuid) {
    const vm = byUuid.class === "VM" ? view.vms.get(byUuid.ref) : undefined;
    if (vm && isPlainVm(vm)) return { ok: true, vm };
    return { ok: false, diagnostic: errorAt(address, `${attribute} "${value}" is not a VM that can be snapshotted`,
      vm ? `It is ${vm.is_control_domain ? "a control domain" : vm.is_a_snapshot ? "a snapshot" : "a template"} ("${vm.name_label}").`
        : `The uuid belongs to a ${byUuid.class}, not a VM.`) };
  }
  const named = (view.vmsByName.get(value) ?? []).map((ref) => view.vms.get(ref)).filter((vm): vm is VmRecord => vm !== undefined);
  const candidates = named.filter(isPlainVm);
  const only = candidates[0];
  if (candidates.length === 1 && only) return { ok: true, vm: only };
  if (candidates.length > 1) {
    return { ok: false, diagnostic: errorAt(address, `${attribute} "${value}" matches ${candidates.length} VMs; use the uuid of the one you mean`,
      ["Candidates:", ...candidates.map((vm) => `  - ${describe(vm)}`)].join("\n")) };
  }
  const skipped = named.length > 0
    ? `${named.length} object(s) with that name are templates, snapshots or control domains, which never match.`
    : "No VM has that uuid or that exact name_label (names are case-sensitive).";
  return { ok: false, diagnostic: errorAt(address, `${attribute} "${value}" matches no VM`, skipped) };
}
