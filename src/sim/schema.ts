/**
 * Types of the simulator's fields, parsed once from the field tables: default values, the wire form
 * (XML-RPC / JSON-RPC), the DB string form that `get_all_records_where` compares against
 * (reference §2.7, `gen_db_actions.ml` `dm_to_string`) and the S-expression used for
 * `snapshot_metadata` (`helpers.ml` `vm_to_string`).
 */
import { ENUMS, FIELD_TABLES, type Qualifier } from "./schema-fields";
import { formatXapiDate, XmlDouble, type EncodableValue } from "./xml-encode";

export type FieldType =
  | { readonly kind: "string" | "int" | "float" | "bool" | "datetime" }
  | { readonly kind: "enum"; readonly name: string; readonly values: readonly string[] }
  | { readonly kind: "ref"; readonly cls: string }
  | { readonly kind: "set"; readonly of: FieldType }
  | { readonly kind: "map"; readonly key: FieldType; readonly value: FieldType };

/**
 * A long string kept as the pieces it was assembled from, read by `toString()`: `snapshot_metadata`
 * is ~4.4 KiB per snapshot but made of (column, value) pairs that repeat across snapshots and VMs,
 * so interned pieces cost a few hundred bytes (a 100,000-snapshot pool: ~450 MB as strings).
 * Immutable; JSON (the state file) and every encoder see the joined string.
 */
export class PieceText {
  constructor(readonly pieces: readonly string[]) {}
  toString(): string {
    return this.pieces.join("");
  }
  toJSON(): string {
    return this.toString();
  }
}

/** A stored value: ints and floats are numbers, datetimes Dates, maps plain objects, long assembled strings PieceText. */
export type DbValue = string | number | boolean | Date | PieceText | DbValue[] | { [key: string]: DbValue };
export type DbRecord = Record<string, DbValue>;

export interface Field {
  readonly name: string;
  readonly qualifier: Qualifier;
  readonly type: FieldType;
  readonly defaultValue: () => DbValue;
}

export const NULL_REF = "OpaqueRef:NULL";
export const EPOCH = new Date(0);

export function parseType(text: string): FieldType {
  const t = text.trim();
  const map = /^\((.+) -> (.+)\) map$/.exec(t);
  if (map) return { kind: "map", key: parseType(map[1] ?? ""), value: parseType(map[2] ?? "") };
  if (t.endsWith(" set")) return { kind: "set", of: parseType(t.slice(0, -4)) };
  if (t.endsWith(" ref")) return { kind: "ref", cls: t.slice(0, -4) };
  if (t.startsWith("enum ")) {
    const name = t.slice(5);
    return { kind: "enum", name, values: ENUMS[name] ?? [] };
  }
  switch (t) {
    case "string": case "int": case "float": case "bool": case "datetime":
      return { kind: t };
    default:
      throw new Error(`schema: unknown field type ${t}`);
  }
}

function zeroOf(type: FieldType): DbValue {
  switch (type.kind) {
    case "string": return "";
    case "int": case "float": return 0;
    case "bool": return false;
    case "datetime": return EPOCH;
    case "enum": return type.values[0] ?? "";
    case "ref": return NULL_REF;
    case "set": return [];
    case "map": return {};
  }
}

/** Parse a datamodel default text (`"\"\""`, `{}`, `Null`, `1.`, `{"a" -> "b"}`, `{0}`) into a value. */
function parseDefault(type: FieldType, text: string | undefined): DbValue {
  if (text === undefined) return zeroOf(type);
  switch (type.kind) {
    case "string": return text.startsWith('"') ? (JSON.parse(text) as string) : text;
    case "int": case "float": return Number(text);
    case "bool": return text === "true";
    case "datetime": return new Date(Date.UTC(1970, 0, 1));
    case "enum": return text;
    case "ref": return NULL_REF;
    case "set": {
      const inner = text.replace(/^\{|\}$/g, "").trim();
      return inner === "" ? [] : inner.split(",").map((s) => parseDefault(type.of, s.trim()));
    }
    case "map": {
      const out: Record<string, DbValue> = {};
      for (const m of text.matchAll(/"([^"]*)" -> "([^"]*)"/g)) out[m[1] ?? ""] = m[2] ?? "";
      return out;
    }
  }
}

/** Deep copy so a default or a copied value is never shared between records. */
export function cloneValue(v: DbValue): DbValue {
  if (Array.isArray(v)) return v.map(cloneValue);
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof PieceText) return v; // immutable
  if (typeof v === "object") {
    const out: Record<string, DbValue> = {};
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k] as DbValue);
    return out;
  }
  return v;
}

export interface ClassSchema {
  readonly name: string;
  readonly fields: readonly Field[];
  readonly byName: ReadonlyMap<string, Field>;
  /**
   * A record from the values of `fields`, in order, as one object literal: V8 keeps it a compact
   * fast-mode object (filled by keyed stores, an 89-field VM record becomes a dictionary several
   * times its size, and the 10,000-VM pool has 1.2 million records).
   */
  readonly construct: (values: readonly DbValue[]) => DbRecord;
}

function buildClass(name: string): ClassSchema {
  const table = FIELD_TABLES[name] ?? {};
  const fields = Object.entries(table).map(([field, [qualifier, typeText, defaultText]]): Field => {
    const type = parseType(typeText);
    const initial = parseDefault(type, defaultText);
    // Scalars and empty sets/maps need no copy (the database stores shared frozen empties).
    const shared = typeof initial !== "object" || (Array.isArray(initial) ? initial.length === 0 : !(initial instanceof Date) && Object.keys(initial).length === 0);
    if (shared && typeof initial === "object") Object.freeze(initial);
    return { name: field, qualifier, type, defaultValue: shared ? () => initial : () => cloneValue(initial) };
  });
  // Field names come from the datamodel tables (identifiers), quoted anyway.
  const literal = fields.map((f, i) => `${JSON.stringify(f.name)}: v[${i}]`).join(", ");
  const construct = new Function("v", `return { ${literal} };`) as (values: readonly DbValue[]) => DbRecord;
  return { name, fields, byName: new Map(fields.map((f) => [f.name, f])), construct };
}

export const CLASSES: ReadonlyMap<string, ClassSchema> = new Map(
  Object.keys(FIELD_TABLES).map((name) => [name, buildClass(name)]),
);

export function classSchema(cls: string): ClassSchema {
  const schema = CLASSES.get(cls);
  if (!schema) throw new Error(`schema: unknown class ${cls}`);
  return schema;
}

/** A value in the wire vocabulary of the encoder: floats wrapped so 1.0 stays a `<double>`. */
export function toWire(type: FieldType, v: DbValue): EncodableValue {
  if (v instanceof PieceText) return v.toString();
  switch (type.kind) {
    case "float": return new XmlDouble(typeof v === "number" ? v : Number(v));
    case "set": return Array.isArray(v) ? v.map((x) => toWire(type.of, x)) : [];
    case "map": {
      if (type.value.kind === "string" || typeof v !== "object" || v instanceof Date) return v as EncodableValue;
      const out: Record<string, EncodableValue> = {};
      for (const [k, x] of Object.entries(v as Record<string, DbValue>)) out[k] = toWire(type.value, x);
      return out;
    }
    default: return v as EncodableValue;
  }
}

/** One record in wire form, fields in table order. */
export function recordToWire(cls: string, rec: DbRecord): Record<string, EncodableValue> {
  const out: Record<string, EncodableValue> = {};
  for (const f of classSchema(cls).fields) {
    const v = rec[f.name];
    out[f.name] = toWire(f.type, v === undefined ? f.defaultValue() : v);
  }
  return out;
}

/** Whether a value of this type is a date or holds one (those need XAPI's date text in JSON). */
export function holdsDate(type: FieldType): boolean {
  switch (type.kind) {
    case "datetime": return true;
    case "set": return holdsDate(type.of);
    case "map": return holdsDate(type.key) || holdsDate(type.value);
    default: return false;
  }
}

/** A value for JSON-RPC: dates as XAPI date strings (reference §1.3), everything else as is. */
export function toJsonValue(v: unknown): unknown {
  if (v instanceof Date) return formatXapiDate(v);
  if (v instanceof XmlDouble) return v.value;
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJsonValue(x);
    return out;
  }
  return v;
}

const sexprQuote = (s: string): string => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** The DB string form of a value (what filters compare and what snapshot_metadata stores). */
export function toDbString(type: FieldType, v: DbValue): string {
  switch (type.kind) {
    case "bool": return v ? "true" : "false";
    case "datetime": return formatXapiDate(v instanceof Date ? v : new Date(String(v)));
    case "float": return Number(v).toFixed(6);
    case "set": return `(${(Array.isArray(v) ? v : []).map((x) => sexprQuote(toDbString(type.of, x))).join(" ")})`;
    case "map": {
      const entries = Object.entries(typeof v === "object" && !(v instanceof Date) ? (v as Record<string, DbValue>) : {});
      return `(${entries.map(([k, x]) => `(${sexprQuote(k)} ${sexprQuote(toDbString(type.value, x))})`).join(" ")})`;
    }
    default: return String(v);
  }
}
