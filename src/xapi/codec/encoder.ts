/**
 * XML-RPC request encoder, following what XAPI accepts (reference/xapi.md §1.2) and what xen-api
 * sends: integers as decimal strings (XAPI's int64 accepts a string; `<int>` is only 32-bit in
 * XML-RPC), non-integral numbers as `<double>`, booleans as `<boolean>1/0</boolean>` (XAPI reads
 * anything but `1` as false), datetimes in UTC `YYYYMMDDTHH:MM:SSZ`, strings untyped and
 * entity-escaped. Values XAPI cannot receive faithfully are refused with XmlRpcEncodeError, never
 * guessed: undefined, null, NaN/Infinity, integers beyond 2^53, bigint, invalid dates, control
 * characters. Error messages name the path of the bad value, never the value (it may be a password).
 */
import { formatXapiDateTime } from "./datetime";
import { escapeText, findForbiddenChar } from "./entities";

export class XmlRpcEncodeError extends Error {
  override readonly name = "XmlRpcEncodeError";
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`cannot send ${path}: ${problem}`);
  }
}

function encodeString(s: string, path: string): string {
  const bad = findForbiddenChar(s);
  if (bad !== -1) {
    const code = s.charCodeAt(bad).toString(16).toUpperCase().padStart(4, "0");
    throw new XmlRpcEncodeError(path, `character U+${code} at index ${bad} cannot be sent in XML`);
  }
  return `<value>${escapeText(s)}</value>`;
}

function encodeNumber(n: number, path: string): string {
  if (!Number.isFinite(n)) throw new XmlRpcEncodeError(path, `${n} is not a finite number`);
  if (Number.isInteger(n)) {
    if (!Number.isSafeInteger(n)) throw new XmlRpcEncodeError(path, "integer beyond 2^53 would lose precision");
    return `<value>${String(n)}</value>`;
  }
  return `<value><double>${String(n)}</double></value>`;
}

function encodeValue(value: unknown, path: string): string {
  switch (typeof value) {
    case "string":
      return encodeString(value, path);
    case "number":
      return encodeNumber(value, path);
    case "boolean":
      return `<value><boolean>${value ? "1" : "0"}</boolean></value>`;
    case "object":
      return encodeObject(value, path);
    default:
      throw new XmlRpcEncodeError(path, `${typeof value} has no XML-RPC encoding`);
  }
}

function encodeObject(value: object | null, path: string): string {
  if (value === null) throw new XmlRpcEncodeError(path, "null has no XAPI encoding");
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new XmlRpcEncodeError(path, "invalid Date");
    return `<value><dateTime.iso8601>${formatXapiDateTime(value)}</dateTime.iso8601></value>`;
  }
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, i) => encodeValue(item, `${path}[${i}]`));
    return `<value><array><data>${items.join("")}</data></array></value>`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new XmlRpcEncodeError(path, `${value.constructor.name} is not a plain object`);
  }
  const members = Object.entries(value).map(([key, member]: [string, unknown]) => {
    const name = encodeString(key, `${path} member name`).slice(7, -8);
    return `<member><name>${name}</name>${encodeValue(member, `${path}.${key}`)}</member>`;
  });
  return `<value><struct>${members.join("")}</struct></value>`;
}

/** Encodes one call. Throws XmlRpcEncodeError before anything is sent. */
export function encodeMethodCall(method: string, params: readonly unknown[]): string {
  const name = encodeString(method, "method name").slice(7, -8);
  const encoded = params.map((p, i) => `<param>${encodeValue(p, `params[${i}]`)}</param>`);
  return `<?xml version="1.0"?><methodCall><methodName>${name}</methodName><params>${encoded.join("")}</params></methodCall>`;
}

/** Encodes a single value as a `<value>` fragment (the form of a task result). */
export function encodeValueFragment(value: unknown): string {
  return encodeValue(value, "value");
}
