/**
 * What `xapi_snapshot_schedule` records and plans: the registry entry
 * `xsnap.vmss/<stack>/<address>` (JSON: the VMSS uuid and the settings last applied, so a plan can
 * tell an edit made outside xsnap from a config change), and the steps a plan carries in
 * `Change.private`, decoded with zod (saved plans are files a person can edit).
 */
import { z } from "zod";
import type { Address, AttrValue, Attrs, Change } from "../model";
import type { PoolView, StringMap, VmssRecord } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import { payloadOf, decodeJson } from "./payload";
import { scheduleAttr, scheduleFromMap } from "./schedule-words";

export const TYPE = "xapi_snapshot_schedule";
export const REGISTRY_NAME = "vmss";

/** The settings of a VMSS as xsnap applies them; `schedule` as XAPI stores it, `vms` as uuids. */
export const stateSchema = z.object({
  name_label: z.string(),
  name_description: z.string(),
  type: z.enum(["snapshot", "checkpoint", "snapshot_with_quiesce"]),
  frequency: z.enum(["hourly", "daily", "weekly"]),
  schedule: z.record(z.string(), z.string()),
  retained_snapshots: z.number().int(),
  enabled: z.boolean(),
  vms: z.array(z.string()),
});
export type ScheduleState = z.infer<typeof stateSchema>;

/** The registry entry. `applied` is absent for a VMSS adopted from an interrupted apply (not yet recorded). */
export const entrySchema = z.object({ uuid: z.string().min(1), applied: stateSchema.optional() });
export type ScheduleEntry = z.infer<typeof entrySchema>;

const setters = z.object({
  name_label: z.string().optional(),
  name_description: z.string().optional(),
  type: stateSchema.shape.type.optional(),
  retained_snapshots: z.number().int().optional(),
  enabled: z.boolean().optional(),
});

export const stepSchema = z.discriminatedUnion("op", [
  /** VMSS.create, then each VM attached; `existing`: VMSS already carrying the name (never adopted). */
  z.object({ op: z.literal("create"), state: stateSchema, existing: z.array(z.string()) }),
  /** Setters in XAPI's order: frequency (rewrites the map), then the map, then the rest; then VMs. */
  z.object({
    op: z.literal("update"), vmss: z.string().min(1), set: setters,
    frequency: stateSchema.shape.frequency.optional(), schedule: z.record(z.string(), z.string()).optional(),
    remove_keys: z.array(z.string()), attach: z.array(z.string()), detach: z.array(z.string()), state: stateSchema,
  }),
  /** Detach every VM still in the schedule, then VMSS.destroy; `vms` as planned (serial keys). */
  z.object({ op: z.literal("destroy"), vmss: z.string().min(1), vms: z.array(z.string()) }),
  /** The VMSS was deleted outside xsnap and the address left the configuration: only the entry goes. */
  z.object({ op: z.literal("forget") }),
]);
export type Step = z.infer<typeof stepSchema>;
export type UpdateStep = Extract<Step, { op: "update" }>;

export const toPrivate = (step: Step): Readonly<Record<string, unknown>> => step;
export const stepOf = (change: Change): Step => payloadOf(stepSchema, change);

export const entryKeyOf = (stack: string, address: Address): string => `xsnap.${REGISTRY_NAME}/${stack}/${address}`;

export const decodeEntry = (value: string | undefined): ScheduleEntry | undefined => decodeJson(entrySchema, value);

/** Every schedule entry of the pool, whatever the stack: VMSS uuid → owner. */
export function scheduleOwners(view: PoolView): ReadonlyMap<string, { readonly stack: string; readonly address: Address }> {
  const out = new Map<string, { stack: string; address: Address }>();
  for (const [key, value] of Object.entries(view.pool.other_config)) {
    const m = /^xsnap\.vmss\/([^/]+)\/(.+)$/.exec(key);
    const entry = m ? decodeEntry(value) : undefined;
    if (m && entry) out.set(entry.uuid, { stack: m[1] as string, address: m[2] as Address });
  }
  return out;
}

export const vmssByUuid = (view: PoolView, uuid: string | undefined): VmssRecord | undefined => {
  const e = uuid ? view.byUuid.get(uuid as Uuid) : undefined;
  return e?.class === "VMSS" ? view.vmss.get(e.ref) : undefined;
};

export const vmName = (view: PoolView, uuid: string): string => {
  const e = view.byUuid.get(uuid as Uuid);
  return (e?.class === "VM" ? view.vms.get(e.ref)?.name_label : undefined) ?? uuid;
};

const byName = (view: PoolView, uuids: readonly string[]): string[] => uuids.map((u) => vmName(view, u)).sort((a, b) => a.localeCompare(b));

/** The VMSS as it is now, in the registry's shape. */
export function stateOf(view: PoolView, vmss: VmssRecord): ScheduleState {
  return {
    name_label: vmss.name_label, name_description: vmss.name_description, type: vmss.type, frequency: vmss.frequency,
    schedule: { ...vmss.schedule }, retained_snapshots: vmss.retained_snapshots, enabled: vmss.enabled,
    vms: vmss.VMs.map((ref) => view.vms.get(ref)?.uuid ?? ref).sort(),
  };
}

/** A state as the plan shows it (schedule in config form, VMs by name). */
export function attrsOfState(view: PoolView, s: ScheduleState): Record<string, AttrValue> {
  return {
    name_label: s.name_label, name_description: s.name_description, type: s.type, frequency: s.frequency,
    schedule: scheduleAttr(scheduleFromMap(s.schedule as StringMap)), retained_snapshots: s.retained_snapshots,
    enabled: s.enabled, vms: byName(view, s.vms),
  };
}

/** The plan's `before`: the VMSS now, with its computed attributes. */
export const liveAttrs = (view: PoolView, vmss: VmssRecord): Attrs =>
  ({ ...attrsOfState(view, stateOf(view, vmss)), uuid: vmss.uuid, last_run_time: vmss.last_run_time.toISOString() });
