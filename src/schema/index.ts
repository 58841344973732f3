/**
 * The provider schema API. `config/` validates against it, `engine/` and `resources/` read the
 * metadata (immutable attributes, defaults, computed attributes) from it, the code generator and the
 * docs render it. Pure data; no I/O.
 */
import { dataSources } from "./data-sources";
import { providerSchema } from "./provider";
import { managedResources } from "./resources";
import type { AttributeSchema, BlockSchema, DefaultValue, ResourceMode, ResourceSchema } from "./types";

export type { AttributeSchema, AttrType, BlockSchema, DefaultValue, NumberRange, ProviderSchemaDef, ResourceMode, ResourceSchema } from "./types";
export { DEFAULT_PASSWORD_ENV, PROVIDER_FQPN, PROVIDER_NAME, PROVIDER_VERSION, providerSchema } from "./provider";
export { POWER_STATES, WEEKDAYS } from "./attribute-builders";
export { providerSchemaDocument } from "./terraform-json";
export { dataSources, managedResources };

const byKey = new Map<string, ResourceSchema>(
  [...managedResources, ...dataSources].map((r) => [`${r.mode}:${r.type}`, r]),
);

/** The schema of one resource (`mode` "managed") or data source (`mode` "data"); undefined if unknown. */
export function resourceSchema(type: string, mode: ResourceMode = "managed"): ResourceSchema | undefined {
  return byKey.get(`${mode}:${type}`);
}

/** Every type name of a mode, in schema order (for "did you mean" suggestions and docs). */
export function typeNames(mode: ResourceMode): readonly string[] {
  return (mode === "managed" ? managedResources : dataSources).map((r) => r.type);
}

export function attributeSchema(schema: ResourceSchema, name: string): AttributeSchema | undefined {
  return schema.attributes.find((a) => a.name === name);
}

export function blockSchema(schema: ResourceSchema, name: string): BlockSchema | undefined {
  return schema.blocks.find((b) => b.name === name);
}

/** Names a reference may read: every attribute, input or computed, and every block. */
export function referenceableNames(schema: ResourceSchema): readonly string[] {
  return [...schema.attributes.map((a) => a.name), ...schema.blocks.map((b) => b.name)];
}

/** Attributes that cannot change in place (a change means a new object, or an error for point-in-time kinds). */
export function immutableAttributes(schema: ResourceSchema): readonly string[] {
  return schema.attributes.filter((a) => a.immutable).map((a) => a.name);
}

/** Attributes only the pool knows (not configurable). */
export function computedOnlyAttributes(schema: ResourceSchema): readonly string[] {
  return schema.attributes.filter((a) => a.computed && !a.optional && !a.required).map((a) => a.name);
}

/** Defaults the loader fills into `DesiredResource.attrs` for attributes left out. */
export function defaults(schema: ResourceSchema): Readonly<Record<string, DefaultValue>> {
  const out: Record<string, DefaultValue> = {};
  for (const a of schema.attributes) if (a.default !== undefined) out[a.name] = a.default;
  return out;
}

/** Configurable provider attributes (for validation and docs). */
export const providerAttributes: readonly AttributeSchema[] = providerSchema.attributes;
