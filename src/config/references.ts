/**
 * Turns raw JSON attribute values into ConfigValues: literal strings stay, `${...}` references become
 * AttrRefs (and dependencies), anything else is refused naming the address. Pure.
 */
import { asAddress, error, type Address, type Diagnostic, type AttrRef, type ConfigValue } from "../model";
import { attributeSchema, blockSchema, referenceableNames, type AttrType, type ResourceSchema } from "../schema";
import { parseString } from "./expressions";
import { didYouMean } from "./suggest";
import { isObject } from "./tf-json";

/** What a reference may point at: a resource or data source of the same configuration. */
export interface RefTarget {
  readonly address: Address;
  /** Undefined when the target's type is unknown (already reported there). */
  readonly schema: ResourceSchema | undefined;
}

export interface ReferenceScope {
  /** By address (`xapi_snapshot.web`, `data.xapi_vm.web`). */
  readonly targets: ReadonlyMap<string, RefTarget>;
}

/** Collects what converting one resource's values found. */
export interface ConversionSink {
  readonly address: Address;
  readonly diagnostics: Diagnostic[];
  readonly dependsOn: Set<Address>;
}

/** The value type of a referenced attribute, or undefined when it cannot be known. */
export function referencedType(ref: AttrRef, scope: ReferenceScope): AttrType | "block" | undefined {
  const schema = scope.targets.get(ref.ref.address)?.schema;
  if (!schema) return undefined;
  if (blockSchema(schema, ref.ref.attribute)) return "block";
  return attributeSchema(schema, ref.ref.attribute)?.type;
}

function convertString(path: string, s: string, scope: ReferenceScope, sink: ConversionSink): ConfigValue | undefined {
  const parsed = parseString(s);
  switch (parsed.kind) {
    case "literal":
      return parsed.value;
    case "unsupported":
      sink.diagnostics.push(error(`${path}: ${parsed.why} (got ${JSON.stringify(s)})`, sink.address));
      return undefined;
    case "reference": {
      const targetAddress = parsed.mode === "data" ? `data.${parsed.type}.${parsed.name}` : `${parsed.type}.${parsed.name}`;
      const target = scope.targets.get(targetAddress);
      if (!target) {
        const candidates = [...scope.targets.keys()];
        sink.diagnostics.push(error(`${path}: reference to undeclared resource ${targetAddress}${didYouMean(targetAddress, candidates)}`, sink.address));
        return undefined;
      }
      if (target.schema && !referenceableNames(target.schema).includes(parsed.attribute)) {
        sink.diagnostics.push(error(
          `${path}: ${targetAddress} has no attribute "${parsed.attribute}"${didYouMean(parsed.attribute, referenceableNames(target.schema))}`,
          sink.address,
        ));
        return undefined;
      }
      sink.dependsOn.add(target.address);
      return { ref: { address: target.address, attribute: parsed.attribute } };
    }
  }
}

/**
 * Converts a raw JSON value. Returns undefined, always after reporting why, for values that cannot
 * be used. A top-level `null` (attribute not set) never gets here; a null inside a value is an error.
 */
export function convertValue(path: string, raw: unknown, scope: ReferenceScope, sink: ConversionSink): ConfigValue | undefined {
  if (typeof raw === "string") return convertString(path, raw, scope, sink);
  if (typeof raw === "number" || typeof raw === "boolean") return raw;
  if (Array.isArray(raw)) {
    const items = raw.map((item, i) => convertValue(`${path}[${i}]`, item, scope, sink));
    return items.every((i) => i !== undefined) ? (items as ConfigValue[]) : undefined;
  }
  if (isObject(raw)) {
    const out: Record<string, ConfigValue> = {};
    let ok = true;
    for (const [k, v] of Object.entries(raw)) {
      if (v === null) continue;
      const c = convertValue(`${path}.${k}`, v, scope, sink);
      if (c === undefined) ok = false;
      else out[k] = c;
    }
    return ok ? out : undefined;
  }
  // null inside a list or block; JSON has no other value left.
  sink.diagnostics.push(error(`${path} must not be null`, sink.address));
  return undefined;
}

export const addressOf = (mode: "managed" | "data", type: string, name: string): Address =>
  asAddress(mode === "data" ? `data.${type}.${name}` : `${type}.${name}`);
