/**
 * Wire record → typed, frozen record, driven by the field tables of record-schema.ts. Tolerant by
 * design: a missing field takes its default, an unknown one is ignored, a value of the wrong shape
 * is coerced the way XAPI's own bindings would read it (int64 strings → numbers).
 */
import { parseXapiDateTime } from "./codec";
import { FIELD_DEFAULTS, type FieldKind } from "./record-schema";
import { NULL_REF, type OpaqueRef, type XapiValue } from "./types";

const EPOCH = new Date(0);
const EMPTY_LIST: readonly string[] = Object.freeze([]);
const EMPTY_MAP: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

function toInt(v: XapiValue | undefined, fallback: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  return fallback;
}

function toBool(v: XapiValue | undefined, fallback: boolean): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  return fallback;
}

function toDate(v: XapiValue | undefined): Date {
  if (v instanceof Date) return v;
  if (typeof v === "string") return parseXapiDateTime(v) ?? EPOCH;
  return EPOCH;
}

function toStrings(v: XapiValue | undefined): readonly string[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY_LIST;
  return Object.freeze(v.map((item: XapiValue) => String(item)));
}

/** Null-prototype so a key like "constructor" is just a key. */
function toMap(v: XapiValue | undefined): Readonly<Record<string, string>> {
  if (v === undefined || typeof v !== "object" || Array.isArray(v) || v instanceof Date) return EMPTY_MAP;
  const keys = Object.keys(v);
  if (keys.length === 0) return EMPTY_MAP;
  const map = Object.create(null) as Record<string, string>;
  for (const key of keys) map[key] = String((v as Record<string, XapiValue>)[key]);
  return Object.freeze(map);
}

function convertField(kind: FieldKind, v: XapiValue | undefined, fallback: string | number | undefined): unknown {
  switch (kind) {
    case "string":
      return typeof v === "string" ? v : v === undefined ? (fallback ?? "") : String(v);
    case "int":
      return toInt(v, typeof fallback === "number" ? fallback : 0);
    case "bool":
      return toBool(v, false);
    case "bool-true":
      return toBool(v, true);
    case "datetime":
      return toDate(v);
    case "ref":
      return typeof v === "string" && v !== "" ? v : NULL_REF;
    case "refs":
    case "strings":
      return toStrings(v);
    case "map":
      return toMap(v);
  }
}

/** Converts one wire record of `cls` into a frozen record typed `R` (the table decides the shape). */
export function convertRecord<R>(cls: string, fields: Readonly<Record<string, FieldKind>>, ref: OpaqueRef, wire: XapiValue): R {
  const source = (typeof wire === "object" && wire !== null && !Array.isArray(wire) && !(wire instanceof Date) ? wire : {}) as Record<string, XapiValue>;
  const defaults = FIELD_DEFAULTS[cls] ?? {};
  const record: Record<string, unknown> = { ref };
  for (const name of Object.keys(fields)) {
    record[name] = convertField(fields[name] as FieldKind, source[name], defaults[name]);
  }
  return Object.freeze(record) as R;
}

/** All records of a `get_all_records` answer (`{ref: record}`), keyed by ref. */
export function convertAll<R>(cls: string, fields: Readonly<Record<string, FieldKind>>, all: XapiValue): Map<OpaqueRef, R> {
  const out = new Map<OpaqueRef, R>();
  if (typeof all !== "object" || all === null || Array.isArray(all) || all instanceof Date) return out;
  for (const ref of Object.keys(all)) {
    out.set(ref as OpaqueRef, convertRecord<R>(cls, fields, ref as OpaqueRef, (all as Record<string, XapiValue>)[ref] as XapiValue));
  }
  return out;
}
