/**
 * Desired stacks for unit tests, with the schema defaults the config loader fills in, and a helper
 * that "applies" a plan's creates into a PoolBuilder the way the kinds do (markers, registry).
 */
import { type ConfigValue, type DesiredResource, type DesiredStack, asAddress, type Address, type Change, type Plan, type PoolIdentity } from "../../src/model";
import { planStack, type PlanOptions } from "../../src/engine/planner";
import { registryKey } from "../../src/engine/registry";
import { markerValues } from "../../src/resources/markers";
import type { CreateStep } from "../../src/resources/point-in-time-steps";
import type { VmRecord } from "../../src/xapi/records";
import type { Uuid } from "../../src/xapi/types";
import type { PoolBuilder } from "./pool-view";

export const STACK = "demo";

const DEFAULTS: Readonly<Record<string, Readonly<Record<string, ConfigValue>>>> = {
  xapi_snapshot: { name_description: "", on_destroy: "uninstall", protect: false, quiesce: false },
  xapi_checkpoint: { name_description: "", on_destroy: "uninstall", protect: false },
  xapi_template: { name_description: "", protect: false },
  xapi_vm_revert: { safety_snapshot: false, restore_power_state: false },
};

export interface ResourceInput {
  readonly address: string;
  readonly attrs: Readonly<Record<string, ConfigValue>>;
  readonly dependsOn?: readonly string[];
}

export function resource(input: ResourceInput): DesiredResource {
  const data = input.address.startsWith("data.");
  const [type = "", name = ""] = (data ? input.address.slice(5) : input.address).split(".");
  return {
    address: asAddress(input.address), mode: data ? "data" : "managed", type, name, provider: "default",
    attrs: { ...(data ? {} : DEFAULTS[type] ?? {}), ...input.attrs },
    dependsOn: (input.dependsOn ?? []).map(asAddress),
  };
}

export function stackOf(...inputs: ResourceInput[]): DesiredStack {
  return { stack: STACK, configHash: `hash-of-${inputs.length}`, providers: { default: { alias: "default" } }, resources: inputs.map(resource) };
}

export const POOL: PoolIdentity = { uuid: "pool-uuid", name_label: "test-pool", url: "http://127.0.0.1", xapi_version: "26.1.16", insecure: false };

export function plan(b: PoolBuilder, stack: DesiredStack, options: PlanOptions = {}): Plan {
  const view = b.build();
  return planStack({ stack, provider: "default", view, pool: { ...POOL, uuid: view.pool.uuid }, options, now: new Date("2026-11-25T00:00:00Z") });
}

export const changeAt = (p: Plan, address: string): Change | undefined => p.changes.find((c) => c.address === address);

/** Performs a create the way the kind would: VM.snapshot/checkpoint, markers, registry entry. */
export function materialize(b: PoolBuilder, change: Change): VmRecord {
  const step = change.private as unknown as { readonly op: string; readonly create?: CreateStep };
  const create = (step.op === "replace" ? step.create : step) as CreateStep;
  const vm = [...b.vms.values()].find((v) => v.uuid === create.vm);
  if (!vm) throw new Error(`no VM ${create.vm}`);
  const snap = b.snapshot(vm, { name_label: create.name_label, memory: change.type === "xapi_checkpoint" });
  const markers = markerValues({ stack: STACK, address: change.address as Address, spec: create.spec, self: snap.uuid as Uuid });
  b.edit(snap, { other_config: { ...snap.other_config, ...markers }, name_description: create.name_description });
  b.pool.other_config = { ...b.pool.other_config, [registryKey(STACK, change.address)]: snap.uuid };
  return b.get(snap.ref);
}
