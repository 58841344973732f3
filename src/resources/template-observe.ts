/**
 * Finding the templates a stack manages (markers on the template, `xsnap.self` = its own uuid), and
 * what the plan shows of them. VM.clone / VM.copy of a snapshot keep no link to it (xapi.md §3.5:
 * `snapshot_of` = NULL, only `base_template_name` = the snapshot's name), so xsnap records the source
 * uuid itself, beside the markers, in `xsnap.source`; `xsnap.created` orders two templates that claim
 * one address (an interrupted replace), since a clone's snapshot_time is the epoch.
 */
import type { Address, AttrValue } from "../model";
import type { PoolView, VmRecord } from "../xapi/records";
import { isNullRef, type Uuid } from "../xapi/types";
import type { Live } from "./kind";
import { markedObjects, ownMarkers, typeOfAddress } from "./markers";
import { decodeSpec } from "./spec-record";

export const TEMPLATE_TYPE = "xapi_template";

/** Keys xsnap writes on a template besides the four markers (inherited copies are replaced with them). */
export const TEMPLATE_KEY = { source: "xsnap.source", created: "xsnap.created" } as const;

/** A template in XAPI's sense that xsnap may manage: not a snapshot, not a control domain, not built in. */
export const isPlainTemplate = (vm: VmRecord): boolean =>
  vm.is_a_template && !vm.is_a_snapshot && !vm.is_control_domain && !vm.is_default_template;

/** The template still holds a memory image (power state or suspend VDI), which xsnap never keeps. */
export const carriesMemory = (vm: VmRecord): boolean => vm.power_state !== "Halted" || !isNullRef(vm.suspend_VDI);

/**
 * The snapshot a managed template was made from, as xsnap recorded it (undefined for unmanaged
 * templates: an inherited `xsnap.source` never counts). For `xsnap inventory`.
 */
export function templateSource(vm: VmRecord): Uuid | undefined {
  if (!isPlainTemplate(vm) || !ownMarkers(vm)) return undefined;
  const source = vm.other_config[TEMPLATE_KEY.source];
  return source ? (source as Uuid) : undefined;
}

export function observe(view: PoolView, stack: string): ReadonlyMap<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const [address, records] of markedObjects(view, stack)) {
    if (typeOfAddress(address) !== TEMPLATE_TYPE) continue;
    const lives = records.filter(isPlainTemplate).map((r) => liveOf(address, r));
    if (lives.length > 0) out.set(address, lives);
  }
  return out;
}

/** Own `xsnap.source` only: a template found through an intent has inherited keys at most. */
export function liveOf(address: Address, template: VmRecord): Live {
  const own = ownMarkers(template);
  const attrs: Record<string, AttrValue> = {
    uuid: template.uuid,
    source: own ? template.other_config[TEMPLATE_KEY.source] ?? "" : "",
    name_label: template.name_label,
    name_description: template.name_description,
  };
  const recorded = decodeSpec(own?.spec);
  const created = Number(own ? template.other_config[TEMPLATE_KEY.created] : undefined);
  return { address, uuid: template.uuid, attrs, order: Number.isFinite(created) ? created : 0, ...(recorded ? { recorded } : {}) };
}
