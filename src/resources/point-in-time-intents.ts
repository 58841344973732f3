/** What an interrupted snapshot/checkpoint step left in the pool (engine/intents.ts asks the kind). */
import type { PoolView, VmRecord } from "../xapi/records";
import { intentLeftovers } from "./disks";
import type { KindIntentOutcome, IntentRecord } from "./kind";
import { ownMarkers } from "./markers";
import { liveOf } from "./point-in-time-observe";
import type { Flavor } from "./point-in-time-steps";
import { isPlainVm } from "./vm-lookup";

export function resolveIntent(flavor: Flavor, view: PoolView, intent: IntentRecord): KindIntentOutcome {
  const { cleanup, notACreate } = intentLeftovers(view, intent, flavor.noun);
  if (notACreate) return notACreate;
  const vmEntry = intent.vm ? view.byUuid.get(intent.vm) : undefined;
  const vm = vmEntry?.class === "VM" ? view.vms.get(vmEntry.ref) : undefined;
  if (!vm || !isPlainVm(vm)) return { status: "discard", detail: `the VM ${intent.vm ?? "?"} no longer exists, so nothing of ${intent.address} can remain`, ...cleanup };
  const existing = new Set(intent.existing ?? []);
  const candidates = (view.snapshotsOf.get(vm.ref) ?? [])
    .map((ref) => view.vms.get(ref))
    .filter((s): s is VmRecord => s !== undefined && s.name_label === intent.expected_name && !existing.has(s.uuid));
  const marked = candidates.filter((s) => ownMarkers(s)?.address === intent.address);
  if (marked.length > 0) return { status: "done", detail: `${flavor.noun} ${marked[0]?.uuid} was created and marked; only the record remains`, ...cleanup };
  const unmarked = candidates.filter((s) => ownMarkers(s) === undefined);
  const only = unmarked[0];
  if (unmarked.length === 0) return { status: "discard", detail: `no ${flavor.noun} named "${intent.expected_name}" of VM "${vm.name_label}" was created`, ...cleanup };
  if (unmarked.length === 1 && only) {
    return { status: "adopt", detail: `${flavor.noun} "${only.name_label}" (${only.uuid}) of VM "${vm.name_label}" was created without markers; it will be adopted`,
      live: liveOf(flavor, view, intent.address, only) };
  }
  return { status: "ambiguous", detail: `${unmarked.length} unmarked ${flavor.noun}s named "${intent.expected_name}" of VM "${vm.name_label}" appeared; xsnap cannot tell which one the interrupted apply created`,
    candidates: unmarked.map((s) => `"${s.name_label}" (${s.uuid}, taken ${s.snapshot_time.toISOString()})`), candidateUuids: unmarked.map((s) => s.uuid) };
}
