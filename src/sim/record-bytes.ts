/**
 * One stored record straight into bytes, as JSON-RPC or XML-RPC `get_all_records` sends it. The text
 * is exactly what the generic paths give (`JSON.stringify(toJsonValue(recordToWire(cls, rec)))` and
 * `encodeValue(recordToWire(cls, rec))`, test/sim/record-bytes.test.ts compares them on whole pools)
 * but no wire object, no per-field string and no joined text is built: field heads are encoded once per
 * class and values are written into the sink one by one (a 10,000-VM pool answers ~1.5 GB of JSON).
 */
import type { ByteSink } from "./byte-sink";
import { classSchema, type DbRecord, type DbValue, type Field, type FieldType, holdsDate, PieceText, toJsonValue, toWire } from "./schema";
import { escapeXmlText, formatDouble, formatXapiDate, XmlDouble, XmlInt32, type EncodableValue } from "./xml-encode";

const ascii = (s: string): Buffer => Buffer.from(s, "latin1");
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const JSON_TRUE = ascii("true");
const JSON_FALSE = ascii("false");
const JSON_NULL = ascii("null");

interface ClassBytes {
  readonly fields: readonly Field[];
  /** `{"uuid":`, then `,"name":` per field. */
  readonly jsonHeads: readonly Buffer[];
  /** The same with the opening quote: most values are strings that need no escaping. */
  readonly jsonQuotedHeads: readonly Buffer[];
  /** `<member><name>uuid</name>` per field. */
  readonly xmlHeads: readonly Buffer[];
  /** The same with `<value>`, for fields whose stored string goes out as an XML-RPC string. */
  readonly xmlStringHeads: readonly (Buffer | undefined)[];
  /** Fields whose type holds a date: a non-Date value there takes the generic path. */
  readonly datedTypes: readonly boolean[];
}

const classBytes = new Map<string, ClassBytes>();

function bytesOf(cls: string): ClassBytes {
  let known = classBytes.get(cls);
  if (!known) {
    const fields = classSchema(cls).fields;
    known = {
      fields,
      jsonHeads: fields.map((f, i) => Buffer.from(`${i === 0 ? "{" : ","}${JSON.stringify(f.name)}:`)),
      jsonQuotedHeads: fields.map((f, i) => Buffer.from(`${i === 0 ? "{" : ","}${JSON.stringify(f.name)}:"`)),
      xmlHeads: fields.map((f) => Buffer.from(`<member><name>${escapeXmlText(f.name)}</name>`)),
      // A string in a float field becomes a <double>, in a set an empty array (toWire).
      xmlStringHeads: fields.map((f) => (f.type.kind === "float" || f.type.kind === "set" ? undefined : Buffer.from(`<member><name>${escapeXmlText(f.name)}</name><value>`))),
      datedTypes: fields.map((f) => holdsDate(f.type)),
    };
    classBytes.set(cls, known);
  }
  return known;
}

// ---- JSON ---------------------------------------------------------------------------------------

/** What JSON.stringify escapes: quote, backslash, control characters, surrogates (lone ones become \udxxx). */
// eslint-disable-next-line no-control-regex
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it. */
export function writeJsonString(sink: ByteSink, s: string): void {
  if (JSON_ESCAPED.test(s)) {
    sink.text(JSON.stringify(s));
  } else {
    sink.byte(QUOTE);
    sink.text(s);
    sink.byte(QUOTE);
  }
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== "function";
};

/** Dropped from objects and written as null in arrays, as JSON.stringify does. */
const isUnwritable = (v: unknown): boolean => v === undefined || typeof v === "function" || typeof v === "symbol";

/** A value as JSON.stringify writes it, composed member by member for arrays and plain objects. */
function writeJsonValue(sink: ByteSink, v: unknown): void {
  switch (typeof v) {
    case "string":
      return writeJsonString(sink, v);
    case "number":
      return sink.text(Number.isFinite(v) ? String(v) : "null");
    case "boolean":
      return sink.bytes(v ? JSON_TRUE : JSON_FALSE);
    case "object":
      if (v === null) return sink.bytes(JSON_NULL);
      if (Array.isArray(v)) return writeJsonArray(sink, v);
      if (isPlainObject(v)) return writeJsonObject(sink, v as Record<string, unknown>);
      break;
    default:
      break;
  }
  sink.text(String(JSON.stringify(v))); // Date, PieceText, anything with toJSON; throws on a bigint like JSON.stringify
}

function writeJsonArray(sink: ByteSink, items: readonly unknown[]): void {
  sink.byte(0x5b); // [
  for (let i = 0; i < items.length; i++) {
    if (i > 0) sink.byte(COMMA);
    const item = items[i];
    if (isUnwritable(item)) sink.bytes(JSON_NULL);
    else writeJsonValue(sink, item);
  }
  sink.byte(0x5d); // ]
}

function writeJsonObject(sink: ByteSink, map: Record<string, unknown>): void {
  sink.byte(0x7b); // {
  let first = true;
  for (const key of Object.keys(map)) {
    const member = map[key];
    if (isUnwritable(member)) continue;
    if (!first) sink.byte(COMMA);
    first = false;
    writeJsonString(sink, key);
    sink.byte(COLON);
    writeJsonValue(sink, member);
  }
  sink.byte(0x7d); // }
}

/** One field's value: snapshot_metadata as a string, dates as XAPI date text, the rest as stored. */
function writeJsonField(sink: ByteSink, f: Field, dated: boolean, v: DbValue): void {
  if (v instanceof PieceText) writeJsonString(sink, v.toString());
  else if (v instanceof Date) {
    sink.byte(QUOTE);
    sink.text(formatXapiDate(v));
    sink.byte(QUOTE);
  } else if (dated) sink.text(String(JSON.stringify(toJsonValue(toWire(f.type, v)))));
  else writeJsonValue(sink, v);
}

/** `{"field":value,…}` of a record, fields in table order (missing ones as their default). */
export function writeRecordJson(sink: ByteSink, cls: string, rec: DbRecord): void {
  const { fields, jsonHeads, jsonQuotedHeads, datedTypes } = bytesOf(cls);
  if (fields.length === 0) return sink.text("{}");
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as Field;
    const raw = rec[f.name];
    if (typeof raw === "string" && !JSON_ESCAPED.test(raw)) {
      sink.bytes(jsonQuotedHeads[i] as Buffer);
      sink.text(raw);
      sink.byte(QUOTE);
      continue;
    }
    sink.bytes(jsonHeads[i] as Buffer);
    writeJsonField(sink, f, datedTypes[i] as boolean, raw === undefined ? f.defaultValue() : raw);
  }
  sink.byte(0x7d); // }
}

// ---- XML-RPC ------------------------------------------------------------------------------------

const VALUE_OPEN = ascii("<value>");
const VALUE_CLOSE = ascii("</value>");
const DOUBLE_OPEN = ascii("<value><double>");
const DOUBLE_CLOSE = ascii("</double></value>");
const DATE_OPEN = ascii("<value><dateTime.iso8601>");
const DATE_CLOSE = ascii("</dateTime.iso8601></value>");
const I4_OPEN = ascii("<value><i4>");
const I4_CLOSE = ascii("</i4></value>");
const XML_TRUE = ascii("<value><boolean>1</boolean></value>");
const XML_FALSE = ascii("<value><boolean>0</boolean></value>");
const ARRAY_OPEN = ascii("<value><array><data>");
const ARRAY_CLOSE = ascii("</data></array></value>");
const STRUCT_OPEN = ascii("<value><struct>");
const STRUCT_CLOSE = ascii("</struct></value>");
const MEMBER_OPEN = ascii("<member><name>");
const NAME_CLOSE = ascii("</name>");
const MEMBER_CLOSE = ascii("</member>");
const VALUE_MEMBER_CLOSE = ascii("</value></member>");

/** `<value>text</value>`, entity-escaped. */
export function writeXmlString(sink: ByteSink, s: string): void {
  sink.bytes(VALUE_OPEN);
  sink.text(escapeXmlText(s));
  sink.bytes(VALUE_CLOSE);
}

function writeXmlDouble(sink: ByteSink, n: number): void {
  sink.bytes(DOUBLE_OPEN);
  sink.text(formatDouble(n));
  sink.bytes(DOUBLE_CLOSE);
}

/** A wire value as `encodeValueInto` writes it (xml-encode.ts), branch for branch. */
function writeXmlValue(sink: ByteSink, v: EncodableValue): void {
  switch (typeof v) {
    case "string":
      return writeXmlString(sink, v);
    case "number":
      if (!Number.isInteger(v)) return writeXmlDouble(sink, v);
      sink.bytes(VALUE_OPEN);
      sink.text(String(v));
      return sink.bytes(VALUE_CLOSE);
    case "bigint":
      sink.bytes(VALUE_OPEN);
      sink.text(v.toString());
      return sink.bytes(VALUE_CLOSE);
    case "boolean":
      return sink.bytes(v ? XML_TRUE : XML_FALSE);
    case "object":
      break;
    default:
      throw new Error(`xml-encode: cannot encode a ${typeof v}`);
  }
  if (v instanceof Date) {
    sink.bytes(DATE_OPEN);
    sink.text(formatXapiDate(v));
    sink.bytes(DATE_CLOSE);
  } else if (v instanceof XmlDouble) writeXmlDouble(sink, v.value);
  else if (v instanceof XmlInt32) {
    sink.bytes(I4_OPEN);
    sink.text(String(Math.trunc(v.value)));
    sink.bytes(I4_CLOSE);
  } else if (Array.isArray(v)) {
    sink.bytes(ARRAY_OPEN);
    for (const item of v as readonly EncodableValue[]) writeXmlValue(sink, item);
    sink.bytes(ARRAY_CLOSE);
  } else {
    const struct = v as { readonly [key: string]: EncodableValue };
    sink.bytes(STRUCT_OPEN);
    for (const key of Object.keys(struct)) {
      const member = struct[key];
      if (member === undefined) continue;
      writeXmlMemberName(sink, key);
      writeXmlValue(sink, member);
      sink.bytes(MEMBER_CLOSE);
    }
    sink.bytes(STRUCT_CLOSE);
  }
}

function writeXmlMemberName(sink: ByteSink, name: string): void {
  sink.bytes(MEMBER_OPEN);
  sink.text(escapeXmlText(name));
  sink.bytes(NAME_CLOSE);
}

/** A stored value of `type` as `encodeValueInto(toWire(type, v))` writes it, without the wire copy. */
function writeXmlTyped(sink: ByteSink, type: FieldType, v: DbValue): void {
  if (v instanceof PieceText) return writeXmlString(sink, v.toString());
  switch (type.kind) {
    case "float":
      return writeXmlDouble(sink, typeof v === "number" ? v : Number(v));
    case "set":
      sink.bytes(ARRAY_OPEN);
      if (Array.isArray(v)) for (const item of v) writeXmlTyped(sink, type.of, item);
      return sink.bytes(ARRAY_CLOSE);
    case "map": {
      if (type.value.kind === "string" || typeof v !== "object" || v instanceof Date) return writeXmlValue(sink, v as EncodableValue);
      sink.bytes(STRUCT_OPEN);
      for (const [key, member] of Object.entries(v as Record<string, DbValue>)) {
        // toWire keeps an undefined member undefined (then dropped) unless its type makes a value of it.
        if (member === undefined && type.value.kind !== "float" && type.value.kind !== "set") continue;
        writeXmlMemberName(sink, key);
        writeXmlTyped(sink, type.value, member);
        sink.bytes(MEMBER_CLOSE);
      }
      return sink.bytes(STRUCT_CLOSE);
    }
    default:
      return writeXmlValue(sink, v as EncodableValue);
  }
}

/** `<value><struct><member>…` of a record, fields in table order (missing ones as their default). */
export function writeRecordXml(sink: ByteSink, cls: string, rec: DbRecord): void {
  const { fields, xmlHeads, xmlStringHeads } = bytesOf(cls);
  sink.bytes(STRUCT_OPEN);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as Field;
    const raw = rec[f.name];
    const stringHead = xmlStringHeads[i];
    if (typeof raw === "string" && stringHead !== undefined) {
      sink.bytes(stringHead);
      sink.text(escapeXmlText(raw));
      sink.bytes(VALUE_MEMBER_CLOSE);
      continue;
    }
    sink.bytes(xmlHeads[i] as Buffer);
    writeXmlTyped(sink, f.type, raw === undefined ? f.defaultValue() : raw);
    sink.bytes(MEMBER_CLOSE);
  }
  sink.bytes(STRUCT_CLOSE);
}

/** `<member><name>ref</name>` before a record of a `ref → record` struct. */
export function writeXmlMemberHead(sink: ByteSink, name: string): void {
  writeXmlMemberName(sink, name);
}

export const writeXmlMemberTail = (sink: ByteSink): void => sink.bytes(MEMBER_CLOSE);
