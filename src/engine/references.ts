/**
 * Evaluates `${type.name.attr}` references (DESIGN §4) against the values the plan has so far: data
 * source results, and the planned `after` (or current state) of managed resources. A value only apply
 * can know stays UNKNOWN; a reference to nothing is an error naming both addresses.
 */
import type { AttrRef, ConfigValue, DesiredResource } from "../config/model";
import { error, type Address, type Diagnostic } from "./diagnostics";
import { UNKNOWN, type Attrs, type AttrValue } from "./plan";

/** Same test as config/model's isAttrRef, kept here so runtime imports point down (config → engine). */
const isAttrRef = (v: unknown): v is AttrRef =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "ref" in v &&
  typeof (v as AttrRef).ref === "object" && typeof (v as AttrRef).ref.address === "string";

export type ValueTable = Map<Address, Attrs>;

export interface Resolved {
  readonly spec: Attrs;
  readonly diagnostics: readonly Diagnostic[];
}

export function resolveAttrs(resource: DesiredResource, table: ValueTable): Resolved {
  const diagnostics: Diagnostic[] = [];
  const resolve = (value: ConfigValue): AttrValue => {
    if (isAttrRef(value)) {
      const { address, attribute } = value.ref;
      const attrs = table.get(address);
      if (!attrs) {
        diagnostics.push(error(`reference to ${address}.${attribute}: ${address} has no value (it is not declared, failed, or is not in this plan)`, resource.address));
        return null;
      }
      const v = attrs[attribute];
      if (v === undefined) {
        diagnostics.push(error(`reference to ${address}.${attribute}: ${address} has no attribute "${attribute}"`, resource.address));
        return null;
      }
      return v;
    }
    if (Array.isArray(value)) return (value as readonly ConfigValue[]).map(resolve);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value as Record<string, ConfigValue>).map(([k, v]) => [k, resolve(v)]));
    }
    return value as string | number | boolean;
  };
  const spec = Object.fromEntries(Object.entries(resource.attrs).map(([k, v]) => [k, resolve(v)]));
  return { spec, diagnostics };
}

/** True when the value (or anything inside it) is only known after apply. */
export function containsUnknown(value: AttrValue): boolean {
  if (typeof value !== "object" || value === null) return false;
  if ((value as object) === UNKNOWN || (value as { unknown?: unknown }).unknown === true) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  return Object.values(value).some((v) => containsUnknown(v as AttrValue));
}
