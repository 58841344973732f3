/**
 * Field tables for the records of `records.ts`, written from reference/xapi-datamodel.json (types
 * and defaults per field). The record converter reads wire values by these kinds: int64 strings →
 * numbers, datetimes → Dates, maps → frozen string maps. A missing field takes the datamodel's
 * default; unknown fields are not copied. `satisfies` makes the compiler check that every field of
 * each record interface has an entry.
 */
import type { HostRecord, PoolRecord, SrRecord, VbdRecord, VdiRecord, VmRecord, VmssRecord } from "./records";

export type FieldKind =
  | "uuid" // a string unique to the record: copied, not interned
  | "string"
  | "int"
  | "bool"
  | "bool-true" // a bool whose datamodel default is true
  | "datetime"
  | "ref"
  | "refs"
  | "strings"
  | "map";

type Fields<R> = { readonly [K in Exclude<keyof R, "ref">]: FieldKind };

export const VM_FIELDS = {
  uuid: "uuid", name_label: "string", name_description: "string", power_state: "string",
  is_a_template: "bool", is_default_template: "bool", is_a_snapshot: "bool", is_control_domain: "bool",
  is_vmss_snapshot: "bool", snapshot_of: "ref", snapshot_time: "datetime", snapshot_info: "map",
  parent: "ref", snapshot_schedule: "ref", other_config: "map", tags: "strings", blocked_operations: "map",
  allowed_operations: "strings", VBDs: "refs", suspend_VDI: "ref", suspend_SR: "ref",
  memory_static_max: "int", platform: "map",
} as const satisfies Fields<VmRecord>;

export const VDI_FIELDS = {
  uuid: "uuid", name_label: "string", name_description: "string", SR: "ref", virtual_size: "int",
  physical_utilisation: "int", type: "string", sharable: "bool", managed: "bool", missing: "bool",
  is_a_snapshot: "bool", snapshot_of: "ref", sm_config: "map", on_boot: "string", other_config: "map",
} as const satisfies Fields<VdiRecord>;

export const VBD_FIELDS = {
  uuid: "uuid", VM: "ref", VDI: "ref", type: "string", mode: "string", empty: "bool", other_config: "map",
} as const satisfies Fields<VbdRecord>;

export const SR_FIELDS = {
  uuid: "uuid", name_label: "string", type: "string", content_type: "string", shared: "bool",
  physical_size: "int", physical_utilisation: "int", virtual_allocation: "int",
  sm_config: "map", other_config: "map",
} as const satisfies Fields<SrRecord>;

export const VMSS_FIELDS = {
  uuid: "uuid", name_label: "string", name_description: "string", enabled: "bool-true", type: "string",
  retained_snapshots: "int", frequency: "string", schedule: "map", last_run_time: "datetime", VMs: "refs",
} as const satisfies Fields<VmssRecord>;

export const POOL_FIELDS = {
  uuid: "uuid", name_label: "string", master: "ref", default_SR: "ref", suspend_image_SR: "ref",
  other_config: "map", restrictions: "map",
} as const satisfies Fields<PoolRecord>;

export const HOST_FIELDS = {
  uuid: "uuid", name_label: "string", address: "string", software_version: "map",
  API_version_major: "int", API_version_minor: "int",
} as const satisfies Fields<HostRecord>;

/** Datamodel defaults that differ from the kind's zero value (reference/xapi-datamodel.json). */
export const FIELD_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string | number>>>> = {
  VM: { power_state: "Halted" },
  VDI: { on_boot: "persist" },
  VMSS: { retained_snapshots: 7 },
};

/**
 * Members of VM records dropped while decoding: several KiB per snapshot, unused by xsnap
 * (records.ts leaves them out on purpose).
 */
export const VM_SKIPPED_MEMBERS: ReadonlySet<string> = new Set(["snapshot_metadata", "last_booted_record", "recommendations"]);
