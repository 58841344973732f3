/**
 * Decodes a synthesized Terraform JSON document (cdk.tf.json) into provider blocks and resource
 * blocks with their addresses. Structure only: attribute values stay `unknown` for validation.
 * Pure; every structural problem becomes a Diagnostic.
 */
import { IDENTIFIER, asAddress, error, type Address, type Diagnostic } from "../model";

export type JsonObject = { readonly [key: string]: unknown };

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export interface RawResource {
  readonly address: Address;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** The block without cdktf's `"//"` metadata. */
  readonly body: JsonObject;
}

export interface RawProviderBlock {
  /** `provider.xapi` or `provider.xapi.<alias>`: how diagnostics name the block. */
  readonly address: Address;
  readonly body: JsonObject;
}

export interface RawDocument {
  /** `"//".metadata.stackName`, when cdktf wrote one. */
  readonly stackName?: string;
  /** Blocks of provider `xapi` (other providers are reported as diagnostics). */
  readonly providers: readonly RawProviderBlock[];
  readonly resources: readonly RawResource[];
}

/** Top-level keys xsnap reads or may safely ignore (outputs and variables are not evaluated). */
const KNOWN_TOP_LEVEL = new Set(["//", "terraform", "provider", "resource", "data", "output", "variable", "locals"]);

function stackNameOf(doc: JsonObject): string | undefined {
  const meta = isObject(doc["//"]) && isObject(doc["//"].metadata) ? doc["//"].metadata : undefined;
  return meta && typeof meta.stackName === "string" && meta.stackName !== "" ? meta.stackName : undefined;
}

function withoutMetadata(body: JsonObject): JsonObject {
  const { "//": _metadata, ...rest } = body;
  return rest;
}

function decodeProviders(value: unknown, diagnostics: Diagnostic[]): RawProviderBlock[] {
  if (value === undefined) return [];
  if (!isObject(value)) {
    diagnostics.push(error("\"provider\" must be an object keyed by provider name"));
    return [];
  }
  const blocks: RawProviderBlock[] = [];
  for (const [name, entry] of Object.entries(value)) {
    const list = Array.isArray(entry) ? entry : [entry];
    for (const body of list) {
      const alias = isObject(body) && typeof body.alias === "string" ? body.alias : undefined;
      const address = asAddress(alias ? `provider.${name}.${alias}` : `provider.${name}`);
      if (name !== "xapi") {
        diagnostics.push(error(`provider "${name}" is not supported; xsnap manages only provider "xapi"`, address));
      } else if (!isObject(body)) {
        diagnostics.push(error("a provider block must be an object", address));
      } else {
        blocks.push({ address, body: withoutMetadata(body) });
      }
    }
  }
  return blocks;
}

function decodeResources(value: unknown, mode: "managed" | "data", diagnostics: Diagnostic[]): RawResource[] {
  if (value === undefined) return [];
  const section = mode === "data" ? "data" : "resource";
  if (!isObject(value)) {
    diagnostics.push(error(`"${section}" must be an object keyed by type`));
    return [];
  }
  const out: RawResource[] = [];
  for (const [type, byName] of Object.entries(value)) {
    if (!isObject(byName)) {
      diagnostics.push(error(`"${section}.${type}" must be an object keyed by name`));
      continue;
    }
    for (const [name, body] of Object.entries(byName)) {
      const address = asAddress(mode === "data" ? `data.${type}.${name}` : `${type}.${name}`);
      if (!IDENTIFIER.test(name)) diagnostics.push(error(`"${name}" is not a valid resource name: use letters, digits, "_" and "-", starting with a letter or "_"`, address));
      else if (!isObject(body)) diagnostics.push(error("a resource block must be an object", address));
      else out.push({ address, mode, type, name, body: withoutMetadata(body) });
    }
  }
  return out;
}

export function decodeDocument(doc: unknown): { readonly document: RawDocument; readonly diagnostics: readonly Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  if (!isObject(doc)) {
    diagnostics.push(error("the configuration must be a JSON object (a cdk.tf.json document)"));
    return { document: { providers: [], resources: [] }, diagnostics };
  }
  for (const key of Object.keys(doc)) {
    if (key === "module") {
      for (const name of isObject(doc.module) ? Object.keys(doc.module) : [""]) {
        diagnostics.push(error("modules are not supported by xsnap", asAddress(`module.${name}`)));
      }
    } else if (!KNOWN_TOP_LEVEL.has(key)) {
      diagnostics.push(error(`unknown top-level key "${key}"`));
    }
  }
  const stackName = stackNameOf(doc);
  const document: RawDocument = {
    ...(stackName ? { stackName } : {}),
    providers: decodeProviders(doc.provider, diagnostics),
    resources: [...decodeResources(doc.resource, "managed", diagnostics), ...decodeResources(doc.data, "data", diagnostics)],
  };
  return { document, diagnostics };
}
