/**
 * What an interrupted `xapi_template` step left in the pool (engine/intents.ts asks the kind).
 *
 * Adoption rule: XAPI's clone/copy keeps no link to the snapshot (xapi.md §3.5: snapshot_of = NULL),
 * but it does copy the snapshot's other_config and adds `base_template_name` = the snapshot's name.
 * So an unmarked template is the step's own when it carries the expected name, did not exist when the
 * step was planned (`existing`), and shows it came from the intent's source: the source's own
 * `xsnap.self` inherited from a managed snapshot, or `base_template_name` = the source's name. When
 * the source is gone, the name alone decides. One such template is adopted; several block (ambiguous).
 */
import type { PoolView, VmRecord } from "../xapi/records";
import { intentLeftovers } from "./disks";
import type { Uuid } from "../xapi/types";
import type { IntentRecord, KindIntentOutcome } from "./kind";
import { MARKER, ownMarkers } from "./markers";
import { isPlainTemplate, liveOf } from "./template-observe";

export const SOURCE_FACT = "source";

export function resolveIntent(view: PoolView, intent: IntentRecord): KindIntentOutcome {
  const { cleanup, notACreate } = intentLeftovers(view, intent, "template");
  if (notACreate) return notACreate;
  const existing = new Set<string>([...(intent.existing ?? []), ...(intent.object ? [intent.object] : [])]);
  const named = [...view.vms.values()].filter((t) => isPlainTemplate(t) && t.name_label === intent.expected_name && !existing.has(t.uuid));
  const marked = named.filter((t) => ownMarkers(t)?.address === intent.address);
  if (marked.length > 0) return { status: "done", detail: `template ${marked[0]?.uuid} was created and marked; only the record remains`, ...cleanup };
  const source = intent.facts?.[SOURCE_FACT];
  const unmarked = named.filter((t) => ownMarkers(t) === undefined && cameFrom(view, t, source));
  const only = unmarked[0];
  if (unmarked.length === 0) return { status: "discard", detail: `no template named "${intent.expected_name}" was created from ${source ?? "its source"}`, ...cleanup };
  if (unmarked.length === 1 && only) {
    return { status: "adopt", detail: `template "${only.name_label}" (${only.uuid}) was created from ${source ?? "its source"} without markers; it will be adopted`,
      live: liveOf(intent.address, only) };
  }
  return { status: "ambiguous", detail: `${unmarked.length} unmarked templates named "${intent.expected_name}" appeared; xsnap cannot tell which one the interrupted apply created`,
    candidates: unmarked.map((t) => `"${t.name_label}" (${t.uuid})`), candidateUuids: unmarked.map((t) => t.uuid) };
}

/** Evidence that `template` was cloned/copied from `source` (see the adoption rule above). */
function cameFrom(view: PoolView, template: VmRecord, source: string | undefined): boolean {
  if (!source) return true;
  const hit = view.byUuid.get(source as Uuid);
  const snapshot = hit?.class === "VM" ? view.vms.get(hit.ref) : undefined;
  if (!snapshot) return true;   // the source is gone: the name (and not pre-existing) decides
  return template.other_config[MARKER.self] === source || template.other_config.base_template_name === snapshot.name_label;
}
