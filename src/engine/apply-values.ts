/**
 * Values at apply time (Terraform re-evaluates a node when it runs): every change's planned values,
 * overwritten by what each applied step reported. A change's `deferred` inputs — shown in the plan as
 * "(known after apply)" — are resolved from here when the step is about to run.
 */
import { containsUnknown, resolveValue, type Address, type Attrs, type AttrValue, type Change, type Plan } from "../model";
import type { Applied } from "../resources/kind";

export interface ApplyTimeValues {
  get(address: Address): Attrs | undefined;
  /** Records what a step left: its planned values with the ones only apply knew filled in. */
  applied(change: Change, result: Applied): void;
}

export function valueTable(plans: readonly Plan[]): ApplyTimeValues {
  const table = new Map<Address, Attrs>();
  for (const plan of plans) for (const c of plan.changes) table.set(c.address, c.after ?? c.before ?? {});
  return {
    get: (address) => table.get(address),
    applied: (change, result) => {
      if (change.action === "destroy") return;
      table.set(change.address, { ...(table.get(change.address) ?? {}), ...(result.uuid ? { uuid: result.uuid } : {}), ...(result.attrs ?? {}) });
    },
  };
}

export type InputsResult = { readonly ok: true; readonly value: Attrs } | { readonly ok: false; readonly message: string };

/** The change's deferred inputs, resolved; an input still unknown is an error naming the reference. */
export function applyTimeInputs(change: Change, values: ApplyTimeValues): InputsResult {
  const out: Record<string, AttrValue> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(change.deferred ?? {})) {
    const resolved = resolveValue(value, (a) => values.get(a), ({ ref }) => problems.push(`${name} refers to ${ref.address}.${ref.attribute}, which this apply does not produce`));
    if (containsUnknown(resolved)) problems.push(`${name} is still unknown: the step that produces it did not report it`);
    out[name] = resolved;
  }
  return problems.length > 0 ? { ok: false, message: `${change.address}: cannot resolve its inputs at apply time: ${problems.join("; ")}` } : { ok: true, value: out };
}
