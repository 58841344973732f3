/**
 * `ova.xml`, the first member of an XVA: a bare XML-RPC `<value><struct>` (no XML declaration) holding
 * `version` and `objects: [{class, id, snapshot}]` (xapi-project/xen-api:ocaml/xapi/importexport.ml
 * `header`, `obj`, `version`; reference/xapi.md §3.13 item 1).
 */
import type { XapiValue } from "../xapi/types";
import { encodeValue } from "./xml-encode";
import { parseMethodResponse } from "./xmlrpc-parse";
import { XvaFormatError } from "./xva-errors";

/** The `version` struct xapi writes; ints go out as untyped strings, like every XAPI int64. */
export interface OvaVersion {
  readonly hostname: string;
  readonly date: string;
  readonly product_version: string;
  readonly product_brand: string;
  readonly build_number: string;
  readonly xapi_major: number;
  readonly xapi_minor: number;
  /** 2 for every current exporter (`Xapi_globs.export_vsn`). */
  readonly export_vsn: number;
}

/** One exported object. `id` is an archive-local `Ref:<n>`; references inside `snapshot` use these ids. */
export interface OvaObject {
  readonly class: string;
  readonly id: string;
  readonly snapshot: { readonly [field: string]: XapiValue };
}

/** What `parseOvaXml` returns. `version` values come back as the wire gives them (ints as strings). */
export interface ParsedOva {
  readonly version: { readonly [field: string]: XapiValue };
  readonly objects: readonly OvaObject[];
}

/** Pure: the text of `ova.xml`. */
export function buildOvaXml(args: { readonly version: OvaVersion; readonly objects: readonly OvaObject[] }): string {
  return encodeValue({
    version: { ...args.version },
    objects: args.objects.map((o) => ({ class: o.class, id: o.id, snapshot: o.snapshot })),
  });
}

type Struct = { readonly [key: string]: XapiValue };

const isStruct = (v: unknown): v is Struct =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);

/** Narrow what the `xmlrpc` Deserializer produced to an XapiValue; `<nil/>` and `<base64>` have no place in ova.xml. */
function toXapiValue(v: unknown, path: string): XapiValue {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map((item, i) => toXapiValue(item, `${path}[${i}]`));
  if (isStruct(v)) {
    const out: Record<string, XapiValue> = {};
    for (const [key, item] of Object.entries(v)) out[key] = toXapiValue(item, `${path}.${key}`);
    return out;
  }
  throw new XvaFormatError("BAD_OVA_XML", "ova.xml", `unsupported value at ${path}`);
}

function toObject(v: XapiValue, index: number): OvaObject {
  if (!isStruct(v)) throw new XvaFormatError("BAD_OVA_XML", "ova.xml", `objects[${index}] is not a struct`);
  const { class: cls, id, snapshot } = v;
  if (typeof cls !== "string" || typeof id !== "string" || snapshot === undefined || !isStruct(snapshot)) {
    throw new XvaFormatError("BAD_OVA_XML", "ova.xml", `objects[${index}] needs class, id and a snapshot struct`);
  }
  return { class: cls, id, snapshot };
}

/** Parse `ova.xml`. Rejects with XvaFormatError BAD_OVA_XML on malformed XML or a wrong shape. */
export async function parseOvaXml(xml: string): Promise<ParsedOva> {
  // The bare <value> is wrapped as a method response so the xmlrpc package's parser accepts it.
  const wrapped = `<?xml version="1.0"?><methodResponse><params><param>${xml}</param></params></methodResponse>`;
  let raw: unknown;
  try {
    raw = await parseMethodResponse(wrapped);
  } catch (e) {
    throw new XvaFormatError("BAD_OVA_XML", "ova.xml", e instanceof Error ? e.message : String(e));
  }
  const top = toXapiValue(raw, "ova");
  if (!isStruct(top)) throw new XvaFormatError("BAD_OVA_XML", "ova.xml", "top-level value is not a struct");
  const { version, objects } = top;
  if (version === undefined || !isStruct(version)) throw new XvaFormatError("BAD_OVA_XML", "ova.xml", "no version struct");
  if (!Array.isArray(objects)) throw new XvaFormatError("BAD_OVA_XML", "ova.xml", "no objects array");
  return { version, objects: (objects as readonly XapiValue[]).map(toObject) };
}
