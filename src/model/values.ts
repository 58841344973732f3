/**
 * Attribute values, as config writes them (with symbolic references) and as plans hold them (with
 * UNKNOWN where only apply can know), and the one reference resolver that planner and applier share.
 */
import type { Address } from "./address";

/** Attribute values as rendered: plain JSON, plus the marker for "(known after apply)". */
export type AttrValue = string | number | boolean | null | readonly AttrValue[] | { readonly [k: string]: AttrValue };
export type Attrs = Readonly<Record<string, AttrValue>>;

/** Stands in a value whose content only apply can know; survives JSON (saved plans). */
export const UNKNOWN = { unknown: true } as const;
export const isUnknown = (v: unknown): boolean =>
  typeof v === "object" && v !== null && (v as { unknown?: unknown }).unknown === true && Object.keys(v).length === 1;

/** True when the value (or anything inside it) is only known after apply. */
export function containsUnknown(value: AttrValue | undefined): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  return Object.values(value).some((v) => containsUnknown(v as AttrValue));
}

/** A reference to another resource's attribute, from `${type.name.attr}` / `${data.type.name.attr}`. */
export interface AttrRef {
  readonly ref: { readonly address: Address; readonly attribute: string };
}

/** A config value after reference parsing; references stay symbolic until the engine resolves them. */
export type ConfigValue =
  | string
  | number
  | boolean
  | AttrRef
  | readonly ConfigValue[]
  | { readonly [key: string]: ConfigValue };

export const isAttrRef = (v: unknown): v is AttrRef =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "ref" in v &&
  typeof (v as AttrRef).ref === "object" && (v as AttrRef).ref !== null && typeof (v as AttrRef).ref.address === "string";

/** Why a reference has no value: the address is unknown to the lookup, or lacks the attribute. */
export type MissingRef = { readonly ref: AttrRef["ref"]; readonly problem: "no_address" | "no_attribute" };

/**
 * Replaces every reference inside `value` by what `lookup` holds for its address (UNKNOWN stays
 * UNKNOWN). Missing values become null and are reported, so a caller sees every problem at once.
 */
export function resolveValue(value: ConfigValue, lookup: (address: Address) => Attrs | undefined, missing: (m: MissingRef) => void): AttrValue {
  if (isAttrRef(value)) {
    const attrs = lookup(value.ref.address);
    if (!attrs) {
      missing({ ref: value.ref, problem: "no_address" });
      return null;
    }
    const v = attrs[value.ref.attribute];
    if (v === undefined) {
      missing({ ref: value.ref, problem: "no_attribute" });
      return null;
    }
    return v;
  }
  if (Array.isArray(value)) return (value as readonly ConfigValue[]).map((v) => resolveValue(v, lookup, missing));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value as Record<string, ConfigValue>).map(([k, v]) => [k, resolveValue(v, lookup, missing)]));
  }
  return value as string | number | boolean;
}

/**
 * The config value with every reference whose value is fully known replaced by that value; references
 * to values still unknown stay symbolic, for the applier to resolve when the step runs.
 */
export function keepUnknownRefs(value: ConfigValue, lookup: (address: Address) => Attrs | undefined): ConfigValue {
  if (isAttrRef(value)) {
    const v = lookup(value.ref.address)?.[value.ref.attribute];
    return v === undefined || containsUnknown(v) ? value : (v as ConfigValue);
  }
  if (Array.isArray(value)) return (value as readonly ConfigValue[]).map((v) => keepUnknownRefs(v, lookup));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value as Record<string, ConfigValue>).map(([k, v]) => [k, keepUnknownRefs(v, lookup)]));
  }
  return value;
}

/** The value when it is a non-empty string (a known uuid, path, name), else undefined. */
export const nonEmptyString = (v: AttrValue | undefined): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
