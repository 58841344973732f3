/**
 * Apply of `xapi_snapshot_schedule` steps: the only code of the kind that writes to the pool.
 * Create: VMSS.create, the registry entry (uuid only) at once, the VMs attached, then the entry with
 * the applied settings. Update: set_frequency first (it rewrites the schedule map), then set_schedule
 * (merged over the map) and remove_from_schedule of stray keys, then the plain setters, then
 * membership. Destroy: detach every VM still in the schedule, then VMSS.destroy (VMSS_HAS_VM otherwise).
 */
import type { Change } from "../model";
import { NULL_REF, type OpaqueRef, type Uuid, type XapiValue } from "../xapi/types";
import { xapiCode } from "./client";
import type { Applied, ApplyContext } from "./kind";
import { stepOf, type ScheduleEntry, type ScheduleState, type Step, type UpdateStep } from "./schedule-steps";

export async function applySchedule(change: Change, ctx: ApplyContext): Promise<Applied> {
  const step = stepOf(change);
  switch (step.op) {
    case "create": return create(step, ctx);
    case "update": return update(step, ctx);
    case "destroy": await destroy(step, ctx); return {};
    case "forget": await registry(ctx).clear(); return {};
  }
}

async function create(step: Extract<Step, { op: "create" }>, ctx: ApplyContext): Promise<Applied> {
  const s = step.state;
  const ref = String(await ctx.client.call("VMSS.create", [{
    name_label: s.name_label, name_description: s.name_description, type: s.type, frequency: s.frequency,
    schedule: s.schedule, retained_snapshots: s.retained_snapshots, enabled: s.enabled,
  }])) as OpaqueRef;
  const uuid = String(await ctx.client.call("VMSS.get_uuid", [ref]));
  // Recorded at once, without settings: a crash from here leaves a schedule that the next plan
  // finishes (attaches the VMs, records the settings), never a second one.
  await writeEntry(ctx, { uuid });
  for (const vm of s.vms) await attach(ctx, vm, ref);
  await writeEntry(ctx, { uuid, applied: s });
  return { uuid: uuid as Uuid, attrs: { uuid, last_run_time: await lastRun(ctx, ref) } };
}

async function update(step: UpdateStep, ctx: ApplyContext): Promise<Applied> {
  const ref = String(await ctx.client.call("VMSS.get_by_uuid", [step.vmss])) as OpaqueRef;
  const call = (method: string, value: XapiValue): Promise<XapiValue> => ctx.client.call(`VMSS.${method}`, [ref, value]);
  if (step.frequency !== undefined) await call("set_frequency", step.frequency);
  if (step.schedule !== undefined) await call("set_schedule", step.schedule);
  for (const key of step.remove_keys) await call("remove_from_schedule", key);
  const { set } = step;
  if (set.name_label !== undefined) await call("set_name_label", set.name_label);
  if (set.name_description !== undefined) await call("set_name_description", set.name_description);
  if (set.retained_snapshots !== undefined) await call("set_retained_snapshots", set.retained_snapshots);
  if (set.enabled !== undefined) await call("set_enabled", set.enabled);
  for (const vm of step.detach) await detach(ctx, vm, ref);
  // The type after the members leave (set_type to snapshot_with_quiesce checks every VM assigned).
  if (set.type !== undefined) await call("set_type", set.type);
  for (const vm of step.attach) await attach(ctx, vm, ref);
  await writeEntry(ctx, { uuid: step.vmss, applied: step.state });
  return { uuid: step.vmss as Uuid, attrs: { uuid: step.vmss, last_run_time: await lastRun(ctx, ref) } };
}

async function destroy(step: Extract<Step, { op: "destroy" }>, ctx: ApplyContext): Promise<void> {
  const ref = await vmssRef(ctx, step.vmss);
  if (ref) {
    // The members now, not as planned: a VM another schedule took meanwhile is not pulled out of it.
    const vms = (await ctx.client.call("VMSS.get_VMs", [ref])) as readonly XapiValue[];
    for (const vm of vms) await ctx.client.call("VM.set_snapshot_schedule", [String(vm), NULL_REF]);
    await ctx.client.call("VMSS.destroy", [ref]);
  }
  await registry(ctx).clear();
}

/** `xsnap import`: records the VMSS as it is now as the applied settings (the next plan diffs against them). */
export async function adoptSchedule(uuid: Uuid, ctx: ApplyContext): Promise<void> {
  const ref = String(await ctx.client.call("VMSS.get_by_uuid", [uuid])) as OpaqueRef;
  const r = (await ctx.client.call("VMSS.get_record", [ref])) as Readonly<Record<string, XapiValue>>;
  const vms: string[] = [];
  for (const vm of (r.VMs ?? []) as readonly XapiValue[]) vms.push(String(await ctx.client.call("VM.get_uuid", [String(vm)])));
  const applied: ScheduleState = {
    name_label: String(r.name_label ?? ""), name_description: String(r.name_description ?? ""),
    type: String(r.type) as ScheduleState["type"], frequency: String(r.frequency) as ScheduleState["frequency"],
    schedule: Object.fromEntries(Object.entries((r.schedule ?? {}) as Readonly<Record<string, XapiValue>>).map(([k, v]) => [k, String(v)])),
    retained_snapshots: Number(r.retained_snapshots), enabled: r.enabled === true || r.enabled === "true", vms: vms.sort(),
  };
  await writeEntry(ctx, { uuid, applied });
}

/** A VM joins the schedule (XAPI moves it silently out of any other: the plan warned). */
async function attach(ctx: ApplyContext, vmUuid: string, vmss: OpaqueRef): Promise<void> {
  const vm = String(await ctx.client.call("VM.get_by_uuid", [vmUuid]));
  await ctx.client.call("VM.set_snapshot_schedule", [vm, vmss]);
}

/** A VM leaves the schedule, unless it has meanwhile joined another one (or is gone). */
async function detach(ctx: ApplyContext, vmUuid: string, vmss: OpaqueRef): Promise<void> {
  let vm: string;
  try {
    vm = String(await ctx.client.call("VM.get_by_uuid", [vmUuid]));
  } catch (e) {
    if (xapiCode(e) === "UUID_INVALID") return;
    throw e;
  }
  if (String(await ctx.client.call("VM.get_snapshot_schedule", [vm])) === vmss) await ctx.client.call("VM.set_snapshot_schedule", [vm, NULL_REF]);
}

async function vmssRef(ctx: ApplyContext, uuid: string): Promise<OpaqueRef | undefined> {
  try {
    return String(await ctx.client.call("VMSS.get_by_uuid", [uuid])) as OpaqueRef;
  } catch (e) {
    if (xapiCode(e) === "UUID_INVALID") return undefined;
    throw e;
  }
}

async function lastRun(ctx: ApplyContext, ref: OpaqueRef): Promise<string> {
  const v = await ctx.client.call("VMSS.get_last_run_time", [ref]);
  const d = v instanceof Date ? v : new Date(String(v).replace(/^(\d{4})(\d{2})(\d{2})T/, "$1-$2-$3T"));
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

const writeEntry = (ctx: ApplyContext, entry: ScheduleEntry): Promise<void> => registry(ctx).write(JSON.stringify(entry));

function registry(ctx: ApplyContext): NonNullable<ApplyContext["registry"]> {
  if (!ctx.registry) throw new Error(`${ctx.address}: no registry entry in the apply context`);
  return ctx.registry;
}
