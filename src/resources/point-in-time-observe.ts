/** Finding the snapshots/checkpoints a stack manages, and what the plan shows of them. */
import type { Address, AttrValue } from "../model";
import type { PoolView, VmRecord } from "../xapi/records";
import { isNullRef } from "../xapi/types";
import { diskVdis } from "./disks";
import type { Live } from "./kind";
import { markedObjects, ownMarkers, typeOfAddress } from "./markers";
import type { Flavor } from "./point-in-time-steps";
import { decodeSpec } from "./spec-record";

export function observe(flavor: Flavor, view: PoolView, stack: string): ReadonlyMap<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const [address, records] of markedObjects(view, stack)) {
    if (typeOfAddress(address) !== flavor.type) continue;
    const lives = records.filter((r) => r.is_a_snapshot).map((r) => liveOf(flavor, view, address, r));
    if (lives.length > 0) out.set(address, lives);
  }
  return out;
}

export function liveOf(flavor: Flavor, view: PoolView, address: Address, snap: VmRecord): Live {
  const source = isNullRef(snap.snapshot_of) ? undefined : view.vms.get(snap.snapshot_of);
  const attrs: Record<string, AttrValue> = {
    uuid: snap.uuid,
    vm_uuid: source?.uuid ?? "",
    name_label: snap.name_label,
    name_description: snap.name_description,
    snapshot_time: snap.snapshot_time.toISOString(),
    disk_uuids: diskVdis(view, snap).map((d) => d.uuid),
  };
  if (flavor.withMemory) {
    attrs.power_state = snap.power_state;
    attrs.memory_bytes = snap.memory_static_max;
  }
  const spec = ownMarkers(snap)?.spec;
  const recorded = decodeSpec(spec);
  return { address, uuid: snap.uuid, attrs, order: snap.snapshot_time.getTime(), ...(recorded ? { recorded } : {}) };
}

