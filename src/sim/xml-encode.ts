/**
 * XML-RPC value encoder in XAPI's dialect (reference/xapi.md §1.2, after mirage/ocaml-rpc
 * `src/lib/xmlrpc.ml` `add_value`): strings untyped and entity-escaped (never CDATA: the Vates
 * client's parser drops CDATA members, stack-notes §7), int64 as untyped decimal strings,
 * `<boolean>1/0`, `<double>`, `<dateTime.iso8601>YYYYMMDDTHH:MM:SSZ`. Pure; no I/O.
 *
 * Speed: values are appended to one `string[]` and joined once (V8 ropes make `+=` comparable, but a
 * parts array lets the streaming server flush record by record with `encodeValueInto`).
 */
import type { XapiValue } from "../xapi/types";

/** A float that must go out as `<double>` even when it is integral (task progress 0.0 / 1.0). */
export class XmlDouble {
  constructor(readonly value: number) {}
}

/** A 32-bit int sent as `<i4>`: only `event.from`'s `valid_ref_counts` uses it (reference §1.8). */
export class XmlInt32 {
  constructor(readonly value: number) {}
}

/** What the encoder accepts: any decoded XAPI value plus the two explicit numeric wrappers. */
export type EncodableValue =
  | XapiValue
  | bigint
  | XmlDouble
  | XmlInt32
  | readonly EncodableValue[]
  | { readonly [key: string]: EncodableValue };

// Control characters other than TAB/LF/CR are dropped, as rpclib's `encode_buf` does.
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[<>&"\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/**
 * Entity-escape a string for an XML text node; drops control characters XML 1.0 forbids. One native
 * pass per character class that occurs (`&` first, so no entity is escaped twice): a replace with a
 * callback per match costs several times more on snapshot_metadata, which holds hundreds of `"`.
 */
export function escapeXmlText(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  let out = s;
  if (out.includes("&")) out = out.replaceAll("&", "&amp;");
  if (out.includes("<")) out = out.replaceAll("<", "&lt;");
  if (out.includes(">")) out = out.replaceAll(">", "&gt;");
  if (out.includes('"')) out = out.replaceAll('"', "&quot;");
  return out.replace(FORBIDDEN, "");
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** XAPI's datetime text, always UTC: `20250319T04:16:24Z` (`Date.to_rfc3339`, reference §1.2). */
export function formatXapiDate(d: Date): string {
  const t = d.getTime();
  if (Number.isNaN(t)) return "19700101T00:00:00Z";
  return (
    String(d.getUTCFullYear()).padStart(4, "0") +
    pad2(d.getUTCMonth() + 1) +
    pad2(d.getUTCDate()) +
    "T" +
    pad2(d.getUTCHours()) +
    ":" +
    pad2(d.getUTCMinutes()) +
    ":" +
    pad2(d.getUTCSeconds()) +
    "Z"
  );
}

/** `%.16g`-like rendering for `<double>` (rpclib prints floats with 16 significant digits). */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  return String(Number(n.toPrecision(16)));
}

/** Append the `<value>…</value>` encoding of `v` to `out`. Used to stream large responses. */
export function encodeValueInto(v: EncodableValue, out: string[]): void {
  switch (typeof v) {
    case "string":
      out.push("<value>", escapeXmlText(v), "</value>");
      return;
    case "number":
      // Integral numbers are XAPI int64 (untyped strings on the wire); anything else is a float.
      if (Number.isInteger(v)) out.push("<value>", String(v), "</value>");
      else out.push("<value><double>", formatDouble(v), "</double></value>");
      return;
    case "bigint":
      out.push("<value>", v.toString(), "</value>");
      return;
    case "boolean":
      out.push(v ? "<value><boolean>1</boolean></value>" : "<value><boolean>0</boolean></value>");
      return;
    case "object":
      break;
    default:
      throw new Error(`xml-encode: cannot encode a ${typeof v}`);
  }
  if (v instanceof Date) {
    out.push("<value><dateTime.iso8601>", formatXapiDate(v), "</dateTime.iso8601></value>");
  } else if (v instanceof XmlDouble) {
    out.push("<value><double>", formatDouble(v.value), "</double></value>");
  } else if (v instanceof XmlInt32) {
    out.push("<value><i4>", String(Math.trunc(v.value)), "</i4></value>");
  } else if (Array.isArray(v)) {
    out.push("<value><array><data>");
    for (const item of v as readonly EncodableValue[]) encodeValueInto(item, out);
    out.push("</data></array></value>");
  } else {
    const struct = v as { readonly [key: string]: EncodableValue };
    out.push("<value><struct>");
    for (const key of Object.keys(struct)) {
      const member = struct[key];
      if (member === undefined) continue; // absent Option fields are omitted (reference §1.2 "record")
      out.push("<member><name>", escapeXmlText(key), "</name>");
      encodeValueInto(member, out);
      out.push("</member>");
    }
    out.push("</struct></value>");
  }
}

/** The `<value>…</value>` text of one value (task `result`, ova.xml, tests). */
export function encodeValue(v: EncodableValue): string {
  const out: string[] = [];
  encodeValueInto(v, out);
  return out.join("");
}

export const METHOD_RESPONSE_HEAD = '<?xml version="1.0"?><methodResponse><params><param>';
export const METHOD_RESPONSE_TAIL = "</param></params></methodResponse>";

/** Opening of a `{Status: "Success", Value: …}` envelope; the Value's `<value>` follows. */
export const SUCCESS_HEAD =
  METHOD_RESPONSE_HEAD +
  "<value><struct><member><name>Status</name><value>Success</value></member><member><name>Value</name>";
export const SUCCESS_TAIL = "</member></struct></value>" + METHOD_RESPONSE_TAIL;

/** A whole XAPI success response: `{Status: "Success", Value: value}`. */
export function encodeMethodResponse(value: EncodableValue): string {
  const out: string[] = [SUCCESS_HEAD];
  encodeValueInto(value, out);
  out.push(SUCCESS_TAIL);
  return out.join("");
}

/** A whole XAPI failure response: `{Status: "Failure", ErrorDescription: [code, ...params]}`. */
export function encodeFailure(code: string, params: readonly string[] = []): string {
  return (
    METHOD_RESPONSE_HEAD +
    encodeValue({ Status: "Failure", ErrorDescription: [code, ...params] }) +
    METHOD_RESPONSE_TAIL
  );
}

/** A dispatcher-level fault, which XAPI reports as `ErrorDescription = ["Fault", text]` (reference §1.2). */
export function encodeFault(text: string): string {
  return encodeFailure("Fault", [text]);
}
