/**
 * Validates one resource or data source block against the schema and turns it into a
 * DesiredResource: unknown/computed/missing attributes, types, enums, ranges, meta-arguments,
 * provider alias, kind rules (VMSS schedule). Collects every problem; never fails fast. Pure.
 */
import { error, type Address, type Diagnostic, type ConfigValue, type DesiredResource } from "../model";
import {
  attributeSchema, blockSchema, defaults, resourceSchema, typeNames,
  type BlockSchema, type ResourceSchema,
} from "../schema";
import { checkAttribute, type CheckContext } from "./attribute-check";
import { parseDependsOn } from "./expressions";
import { addressOf, convertValue, type ReferenceScope } from "./references";
import { checkSchedule } from "./schedule-rules";
import { didYouMean } from "./suggest";
import { isObject, type RawResource } from "./tf-json";

export const DEFAULT_ALIAS = "default";

const UNSUPPORTED_META = ["count", "for_each", "lifecycle", "provisioner", "connection"];

export interface ResourceValidation {
  readonly resource?: DesiredResource;
  readonly diagnostics: readonly Diagnostic[];
}

/** Kind rules beyond per-attribute checks, keyed by type; each may normalise the attributes. */
const KIND_RULES: Readonly<Record<string, (attrs: Record<string, ConfigValue>, ctx: CheckContext) => boolean>> = {
  xapi_snapshot_schedule: (attrs, ctx) => {
    const block = attrs.schedule;
    const schedule = checkSchedule(isObject(block) ? (block as Record<string, ConfigValue>) : {}, attrs.frequency, ctx);
    if (schedule === undefined) return false;
    attrs.schedule = schedule;
    return true;
  },
};

function inputNames(schema: ResourceSchema): string[] {
  return [...schema.attributes.filter((a) => a.required || a.optional).map((a) => a.name), ...schema.blocks.map((b) => b.name)];
}

/** A block is an object in cdktf's output, or a one-element list in hand-written Terraform JSON. */
function blockValue(path: string, v: ConfigValue, ctx: CheckContext): Readonly<Record<string, ConfigValue>> | undefined {
  if (Array.isArray(v) && v.length === 0) return {}; // Terraform JSON's way of writing "no block"
  const single = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (isObject(single) && !("ref" in single)) return single as Readonly<Record<string, ConfigValue>>;
  ctx.diagnostics.push(error(`${path} must be a block (an object)`, ctx.address));
  return undefined;
}

function checkBlock(b: BlockSchema, v: ConfigValue, ctx: CheckContext): Record<string, ConfigValue> | undefined {
  const body = blockValue(b.name, v, ctx);
  if (!body) return undefined;
  const out: Record<string, ConfigValue> = {};
  let ok = true;
  for (const [key, value] of Object.entries(body)) {
    const a = b.attributes.find((x) => x.name === key);
    if (!a) {
      ctx.diagnostics.push(error(`unknown attribute "${b.name}.${key}"${didYouMean(key, b.attributes.map((x) => x.name))}`, ctx.address));
      ok = false;
    } else if (checkAttribute(`${b.name}.${key}`, value, a, ctx)) {
      out[key] = value;
    } else {
      ok = false;
    }
  }
  return ok ? out : undefined;
}

function providerAlias(raw: unknown, aliases: ReadonlySet<string>, ctx: CheckContext): string | undefined {
  if (raw === undefined || raw === null) return DEFAULT_ALIAS;
  const m = typeof raw === "string" ? /^xapi(?:\.([A-Za-z_][A-Za-z0-9_-]*))?$/.exec(raw) : null;
  if (!m) {
    ctx.diagnostics.push(error(`provider must be "xapi" or "xapi.<alias>" (got ${JSON.stringify(raw)})`, ctx.address));
    return undefined;
  }
  const alias = m[1] ?? DEFAULT_ALIAS;
  if (m[1] !== undefined && !aliases.has(alias)) {
    const known = [...aliases].filter((a) => a !== DEFAULT_ALIAS);
    const hint = known.length > 0 ? ` (configured aliases: ${known.join(", ")})` : " (no xapi provider block has this alias)";
    ctx.diagnostics.push(error(`provider "xapi.${alias}" is not configured${hint}`, ctx.address));
    return undefined;
  }
  return alias;
}

function dependsOnList(raw: unknown, scope: ReferenceScope, ctx: CheckContext, deps: Set<Address>): void {
  if (raw === undefined || raw === null) return;
  if (!Array.isArray(raw)) {
    ctx.diagnostics.push(error("depends_on must be a list of resource addresses", ctx.address));
    return;
  }
  raw.forEach((item: unknown, i: number) => {
    const parsed = typeof item === "string" ? parseDependsOn(item) : undefined;
    const target = parsed ? scope.targets.get(addressOf(parsed.mode, parsed.type, parsed.name)) : undefined;
    if (target) deps.add(target.address);
    else ctx.diagnostics.push(error(`depends_on[${i}]: ${JSON.stringify(item)} is not a resource of this configuration${didYouMean(String(item), [...scope.targets.keys()])}`, ctx.address));
  });
}

export function validateResource(raw: RawResource, scope: ReferenceScope, aliases: ReadonlySet<string>): ResourceValidation {
  const diagnostics: Diagnostic[] = [];
  const schema = resourceSchema(raw.type, raw.mode);
  if (!schema) {
    const what = raw.mode === "data" ? "data source" : "resource";
    const known = typeNames(raw.mode);
    const hint = didYouMean(raw.type, known) || ` (${what} types: ${known.join(", ")})`;
    diagnostics.push(error(`unknown ${what} type "${raw.type}"${hint}`, raw.address));
    return { diagnostics };
  }
  const ctx: CheckContext = { address: raw.address, scope, diagnostics };
  const deps = new Set<Address>();
  const sink = { address: raw.address, diagnostics, dependsOn: deps };
  const attrs: Record<string, ConfigValue> = {};
  /** Every converted value, including those whose own check failed (for the kind rules below). */
  const converted: Record<string, ConfigValue> = {};
  let provider: string | undefined = DEFAULT_ALIAS;
  let ok = true;

  for (const [key, rawValue] of Object.entries(raw.body)) {
    if (key === "depends_on") { dependsOnList(rawValue, scope, ctx, deps); continue; }
    if (key === "provider") { provider = providerAlias(rawValue, aliases, ctx); continue; }
    if (UNSUPPORTED_META.includes(key)) { diagnostics.push(error(`${key} is not supported by xsnap; declare each object separately`, raw.address)); ok = false; continue; }
    if (rawValue === null) continue;
    const a = attributeSchema(schema, key);
    const b = blockSchema(schema, key);
    if (!a && !b) {
      diagnostics.push(error(`unknown attribute "${key}"${didYouMean(key, inputNames(schema))}`, raw.address));
      ok = false;
      continue;
    }
    if (a && !a.required && !a.optional) {
      diagnostics.push(error(`${key} is computed by xsnap and cannot be set`, raw.address));
      ok = false;
      continue;
    }
    const value = convertValue(key, rawValue, scope, sink);
    if (value !== undefined) converted[key] = value;
    const checked = value === undefined ? undefined : a ? (checkAttribute(key, value, a, ctx) ? value : undefined) : checkBlock(b as BlockSchema, value, ctx);
    if (checked === undefined) ok = false;
    else attrs[key] = checked;
  }

  for (const a of schema.attributes) {
    if (a.required && (raw.body[a.name] === undefined || raw.body[a.name] === null)) {
      diagnostics.push(error(`missing required attribute "${a.name}"`, raw.address));
      ok = false;
    }
  }
  for (const group of schema.exactlyOneOf ?? []) {
    const set = group.filter((n) => raw.body[n] !== undefined && raw.body[n] !== null);
    if (set.length !== 1) {
      diagnostics.push(error(`exactly one of ${group.join(", ")} must be set (got ${set.length === 0 ? "none" : set.join(", ")})`, raw.address));
      ok = false;
    }
  }
  // Kind rules also see values whose own check failed, so every problem of a block is reported at
  // once (e.g. an out-of-range hour and a bad minute); the resource is rejected either way.
  const withDefaults: Record<string, ConfigValue> = { ...defaults(schema), ...converted, ...attrs };
  const rule = KIND_RULES[schema.type];
  if (rule && !rule(withDefaults, ctx)) ok = false;
  if (!ok || provider === undefined) {
    // Dropping a resource without saying why would plan its destruction: that must never happen.
    if (!diagnostics.some((d) => d.severity === "error")) throw new Error(`bug: ${raw.address} rejected without a diagnostic`);
    return { diagnostics };
  }
  return {
    resource: {
      address: raw.address, mode: raw.mode, type: raw.type, name: raw.name, provider,
      attrs: withDefaults, dependsOn: [...deps].sort(),
    },
    diagnostics,
  };
}
