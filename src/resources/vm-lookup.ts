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
  const near = closestVmNames(view, value);
  const hint = near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : "";
  return { ok: false, diagnostic: errorAt(address, `${attribute} "${value}" matches no VM${hint}`, skipped) };
}

/** Edit distance, case-insensitive: a typo ("web01", "Web-01") is one or two edits away. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length] ?? 0;
}

/**
 * Up to three names of VMs that could be meant (never a guess: the plan still fails). Close enough:
 * within a third of the name's length (at least 2 edits), or containing the value as typed.
 */
export function closestVmNames(view: PoolView, value: string): string[] {
  const names = [...new Set([...view.vms.values()].filter(isPlainVm).map((vm) => vm.name_label))];
  const near = names
    .map((name) => ({ name, d: distance(value, name) }))
    .filter(({ name, d }) => d <= Math.max(2, Math.floor(name.length / 3)) || (value.length >= 3 && name.toLowerCase().includes(value.toLowerCase())))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  // Only the case differs: that is the VM meant, the others are noise.
  const sameLetters = near.filter(({ d }) => d === 0);
  return (sameLetters.length > 0 ? sameLetters : near).slice(0, 3).map(({ name }) => name);
}
