/**
 * Fingerprints for saved-plan staleness (DESIGN §5, iac-conventions §6.7): sha256 of the fields of an
 * object that a plan's decisions rest on. Space counters (SR utilisation) are left out on purpose:
 * they move all the time and would make every saved plan stale.
 */
import { hashValue } from "../model";
import type { PoolView } from "../xapi/records";
import type { Uuid } from "../xapi/types";

/** The fingerprint of an object that no longer exists. */
export const ABSENT = "absent";

export function fingerprintOf(view: PoolView, uuid: string): string {
  const entry = view.byUuid.get(uuid as Uuid);
  if (!entry) return ABSENT;
  switch (entry.class) {
    case "VM": {
      const vm = view.vms.get(entry.ref);
      if (!vm) return ABSENT;
      const markers = Object.fromEntries(Object.entries(vm.other_config).filter(([k]) => k.startsWith("xsnap.")));
      return hashValue({
        class: "VM", name_label: vm.name_label, name_description: vm.name_description, power_state: vm.power_state,
        is_a_snapshot: vm.is_a_snapshot, is_a_template: vm.is_a_template, snapshot_of: vm.snapshot_of,
        snapshot_time: vm.snapshot_time, markers, blocked_operations: vm.blocked_operations,
        vbds: vm.VBDs.length, suspend_VDI: vm.suspend_VDI,
      });
    }
    case "VDI": {
      const vdi = view.vdis.get(entry.ref);
      if (!vdi) return ABSENT;
      return hashValue({ class: "VDI", name_label: vdi.name_label, SR: vdi.SR, sharable: vdi.sharable, on_boot: vdi.on_boot });
    }
    case "VMSS": {
      const vmss = view.vmss.get(entry.ref);
      if (!vmss) return ABSENT;
      return hashValue({ class: "VMSS", ...vmss, last_run_time: undefined });
    }
    default:
      return hashValue({ class: entry.class, ref: entry.ref });
  }
}

/** Hash of the set of managed (address, uuid) pairs of a stack. */
export function managedSetHash(members: Iterable<readonly [string, string]>): string {
  return hashValue([...members].map(([a, u]) => `${a}=${u}`).sort());
}

/** The fingerprint of a registry entry in `pool.other_config` (a revert's recorded token, …). */
export function fingerprintOfEntry(view: PoolView, key: string): string {
  const value = view.pool.other_config[key];
  return value === undefined ? ABSENT : hashValue({ entry: key, value });
}
