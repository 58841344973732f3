/**
 * `xapi_snapshot_schedule` outside a plain plan: leftover intents of an interrupted apply, and
 * `xsnap import` of an existing VMSS. Pure: reads only the PoolView.
 */
import type { Address } from "../model";
import type { PoolView } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import type { IntentRecord, KindIntentOutcome } from "./kind";
import { decodeEntry, liveAttrs, scheduleOwners, vmssByUuid } from "./schedule-steps";

/**
 * What an interrupted step left. create: recorded → done; else the VMSS carrying the expected name
 * that did not exist at plan time and no registry entry claims → adopt (the next apply attaches the
 * VMs and records it); none → discard; several → ambiguous. update/destroy are idempotent: the plan
 * decides again (a destroy whose VMSS is gone is done).
 */
export function resolveIntent(view: PoolView, intent: IntentRecord, registry: ReadonlyMap<Address, string>): KindIntentOutcome {
  const entry = decodeEntry(registry.get(intent.address));
  if (intent.op === "create") {
    if (entry && vmssByUuid(view, entry.uuid)) return { status: "done", detail: `the schedule was created and recorded (${entry.uuid}); only the intent remains` };
    const owners = scheduleOwners(view);
    const candidates = [...view.vmss.values()].filter((s) => s.name_label === intent.expected_name && !(intent.existing ?? []).includes(s.uuid) && !owners.has(s.uuid));
    const [only] = candidates;
    if (candidates.length === 0) return { status: "discard", detail: `no schedule named "${intent.expected_name ?? ""}" was created; the plan creates it` };
    if (candidates.length === 1 && only) {
      return { status: "adopt", detail: `schedule "${only.name_label}" (${only.uuid}) was created but not recorded; the next apply records it and attaches its VMs`,
        live: { address: intent.address, uuid: only.uuid, attrs: liveAttrs(view, only), order: 0, adoptedFrom: intent.id } };
    }
    return { status: "ambiguous", detail: `${candidates.length} unmanaged schedules are named "${intent.expected_name ?? ""}"; xsnap cannot tell which one the interrupted apply created`,
      candidates: candidates.map((s) => `schedule "${s.name_label}" (${s.uuid})`), candidateUuids: candidates.map((s) => s.uuid) };
  }
  if (intent.op === "destroy" && !vmssByUuid(view, intent.object)) return { status: "done", detail: `the schedule ${intent.object ?? "?"} is gone` };
  return { status: "discard", detail: `nothing of ${intent.address} needs finishing; the plan decides again` };
}

export function unadoptable(view: PoolView, uuid: Uuid): string | undefined {
  const vmss = vmssByUuid(view, uuid);
  if (!vmss) {
    const e = view.byUuid.get(uuid);
    const vm = e?.class === "VM" ? view.vms.get(e.ref) : undefined;
    if (vm?.is_vmss_snapshot) return `"${vm.name_label}" (${uuid}) is a snapshot a schedule took; import its schedule instead`;
    return `${uuid} is not a snapshot schedule (VMSS) of this pool`;
  }
  const owner = scheduleOwners(view).get(uuid);
  if (owner) return `schedule "${vmss.name_label}" (${uuid}) is already managed as ${owner.address} in stack "${owner.stack}"`;
  return undefined;
}

