/**
 * Renders the schema tables as Terraform's `providers schema -json` document, the input of
 * @cdktf/provider-generator. Pure; key order is fixed so that generation is byte-for-byte stable.
 */
import { dataSources } from "./data-sources";
import { PROVIDER_FQPN, PROVIDER_VERSION, providerSchema } from "./provider";
import { managedResources } from "./resources";
import type { AttributeSchema, AttrType, BlockSchema, ResourceSchema } from "./types";

export type TfAttributeType = "string" | "number" | "bool" | readonly ["list", "string"];

export interface TfAttribute {
  readonly type: TfAttributeType;
  readonly description: string;
  readonly description_kind: "markdown";
  readonly required?: true;
  readonly optional?: true;
  readonly computed?: true;
  readonly sensitive?: true;
}

export interface TfBlock {
  readonly attributes: Readonly<Record<string, TfAttribute>>;
  readonly block_types: Readonly<Record<string, TfBlockType>>;
  readonly description: string;
  readonly description_kind: "markdown";
}

export interface TfBlockType {
  readonly nesting_mode: "list";
  readonly block: TfBlock;
  readonly max_items: 1;
}

export interface TfSchema {
  readonly version: 0;
  readonly block: TfBlock;
}

export interface TfProviderSchemaDocument {
  readonly format_version: "1.0";
  readonly provider_schemas: Readonly<Record<string, {
    readonly provider: TfSchema;
    readonly resource_schemas: Readonly<Record<string, TfSchema>>;
    readonly data_source_schemas: Readonly<Record<string, TfSchema>>;
  }>>;
  readonly provider_versions: Readonly<Record<string, string>>;
}

function tfType(type: AttrType): TfAttributeType {
  return type === "list(string)" ? ["list", "string"] : type;
}

function tfAttribute(a: AttributeSchema): TfAttribute {
  return {
    type: tfType(a.type),
    description: a.description,
    description_kind: "markdown",
    ...(a.required ? { required: true as const } : {}),
    ...(a.optional ? { optional: true as const } : {}),
    ...(a.computed ? { computed: true as const } : {}),
    ...(a.sensitive ? { sensitive: true as const } : {}),
  };
}

function tfAttributes(attrs: readonly AttributeSchema[]): Record<string, TfAttribute> {
  return Object.fromEntries(attrs.map((a) => [a.name, tfAttribute(a)]));
}

function tfBlockType(b: BlockSchema): TfBlockType {
  // A list block with max_items 1 becomes a single object in the constructs (`schedule: {...}`).
  return {
    nesting_mode: "list",
    max_items: 1,
    block: { attributes: tfAttributes(b.attributes), block_types: {}, description: b.description, description_kind: "markdown" },
  };
}

function tfSchema(r: ResourceSchema): TfSchema {
  return {
    version: 0,
    block: {
      attributes: tfAttributes(r.attributes),
      block_types: Object.fromEntries(r.blocks.map((b) => [b.name, tfBlockType(b)])),
      description: r.description,
      description_kind: "markdown",
    },
  };
}

/** The whole provider as `terraform providers schema -json` would print it. */
export function providerSchemaDocument(): TfProviderSchemaDocument {
  return {
    format_version: "1.0",
    provider_schemas: {
      [PROVIDER_FQPN]: {
        provider: {
          version: 0,
          block: { attributes: tfAttributes(providerSchema.attributes), block_types: {}, description: providerSchema.description, description_kind: "markdown" },
        },
        resource_schemas: Object.fromEntries(managedResources.map((r) => [r.type, tfSchema(r)])),
        data_source_schemas: Object.fromEntries(dataSources.map((r) => [r.type, tfSchema(r)])),
      },
    },
    provider_versions: { [PROVIDER_FQPN]: PROVIDER_VERSION },
  };
}
