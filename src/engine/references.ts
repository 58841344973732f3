/**
 * Evaluates `${type.name.attr}` references (DESIGN §4) against the values known so far: data source
 * results and the planned `after` (or current state) of managed resources at plan time; the applied
 * results of earlier steps at apply time. A value only apply can know stays UNKNOWN; a reference to
 * nothing is an error naming both addresses.
 */
import { error, resolveValue, type Address, type Attrs, type AttrValue, type ConfigValue, type Diagnostic } from "../model";

export type ValueTable = Map<Address, Attrs>;

export interface Resolved {
  readonly spec: Attrs;
  readonly diagnostics: readonly Diagnostic[];
}

export function resolveAttrs(resource: { readonly address: Address; readonly attrs: Readonly<Record<string, ConfigValue>> }, table: ValueTable): Resolved {
  const diagnostics: Diagnostic[] = [];
  const spec: Record<string, AttrValue> = {};
  for (const [name, value] of Object.entries(resource.attrs)) {
    spec[name] = resolveValue(value, (a) => table.get(a), ({ ref, problem }) => diagnostics.push(error(problem === "no_address"
      ? `reference to ${ref.address}.${ref.attribute}: ${ref.address} has no value (it is not declared, failed, or is not in this plan)`
      : `reference to ${ref.address}.${ref.attribute}: ${ref.address} has no attribute "${ref.attribute}"`, resource.address)));
  }
  return { spec, diagnostics };
}
