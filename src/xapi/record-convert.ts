/**
 * Wire record → typed, frozen record, driven by the field tables of record-schema.ts. Tolerant by
 * design: a missing field takes its default, an unknown one is ignored, a value of the wrong shape
 * is coerced the way XAPI's own bindings would read it (int64 strings → numbers).
 *
 * Memory matters here (a 100,000-snapshot pool is ~1 million records, DESIGN §8 caps RSS): records are
 * built by a per-table object literal so V8 keeps them compact fast-mode objects sharing one hidden
 * class (objects filled by keyed stores turn into dictionaries past a dozen fields), and refs are interned
 * so each OpaqueRef is stored once however many records point at it.
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

const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 substrings of 13+
 * characters (slices, and strings JSON.parse reads from a sliced source) keep their whole parent
 * alive: a PoolView holding a uuid per record would otherwise keep the whole wire text (measured:
 * +70 MB on the 20,000-snapshot pool).
 */
export function ownCopy(s: string): string {
  if (s.length < 13) return s; // V8 copies short substrings already
  if (s.length * 3 > scratch.length) return Buffer.from(s, "utf8").toString("utf8");
  return scratch.toString("utf8", 0, scratch.write(s, 0, "utf8"));
}

/**
 * One canonical copy per distinct string (refs, enum values), and per distinct string map or
 * string list (a VM's platform, a snapshot's other_config inherited from its VM, allowed_operations),
 * for the records of one read. Shared maps and lists are frozen, so sharing is invisible.
 */
export class Interner {
  private readonly strings: Map<string, string>;
  private readonly maps: Map<string, Readonly<Record<string, string>>>;
  private readonly lists: Map<string, readonly string[]>;

  /** @param owned see `withOwnedStrings`. */
  constructor(private readonly owned = false, shared?: Interner) {
    this.strings = shared?.strings ?? new Map();
    this.maps = shared?.maps ?? new Map();
    this.lists = shared?.lists ?? new Map();
  }

  /**
   * The same tables, for strings that share no memory with any wire text (JSON.parse of a record's
   * own flat string, as json-records.ts hands them out): kept as they are, no copy.
   */
  withOwnedStrings(): Interner {
    return new Interner(true, this);
  }

  intern(s: string): string {
    const canonical = this.strings.get(s);
    if (canonical !== undefined) return canonical;
    const own = this.owned ? s : ownCopy(s);
    this.strings.set(own, own);
    return own;
  }

  /** The shared copy of a uuid-like string unique to its record: copied, never looked up. */
  unique(s: string): string {
    return this.owned ? s : ownCopy(s);
  }

  /** The one frozen map with these (interned) entries; `key` spells them unambiguously. */
  sharedMap(key: string, build: () => Record<string, string>): Readonly<Record<string, string>> {
    let map = this.maps.get(key);
    if (map === undefined) {
      map = Object.freeze(build());
      this.maps.set(key, map);
    }
    return map;
  }

  /** The one frozen list with these items (interned the first time this content is seen). */
  sharedList(items: readonly XapiValue[]): readonly string[] {
    let key = "";
    for (const item of items) {
      const text = String(item);
      key += `${text.length}:${text}`;
    }
    let list = this.lists.get(key);
    if (list === undefined) {
      list = Object.freeze(items.map((item) => this.intern(String(item))));
      this.lists.set(key, list);
    }
    return list;
  }
}

/** Ref lists are nearly all distinct (a VM's VBDs): items interned, the list frozen as it is. */
function toRefs(v: XapiValue | undefined, interner: Interner): readonly string[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY_LIST;
  return Object.freeze(v.map((item: XapiValue) => interner.intern(String(item))));
}

/** String lists repeat (allowed_operations, tags): one shared list per content. */
function toSharedStrings(v: XapiValue | undefined, interner: Interner): readonly string[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY_LIST;
  return interner.sharedList(v);
}

/**
 * Maps inherit from a frozen empty object with no prototype, so a key like "constructor" or
 * "__proto__" is just a key. Not `Object.create(null)`: V8 makes those dictionaries, and freezing
 * one gives it a hidden class of its own (measured on a 22,000-VM-record view: 45 MB of
 * dictionaries and 45 MB of hidden classes; fast-mode maps share both).
 */
const MAP_PROTO: object = Object.freeze(Object.create(null) as object);

function toMap(v: XapiValue | undefined, interner: Interner): Readonly<Record<string, string>> {
  if (v === undefined || typeof v !== "object" || Array.isArray(v) || v instanceof Date) return EMPTY_MAP;
  const keys = Object.keys(v);
  if (keys.length === 0) return EMPTY_MAP;
  // Whole maps repeat (platform; a snapshot's other_config is its VM's): looked up by content
  // first, so a map seen before costs no interning at all; a new one gets interned keys and values.
  let content = "";
  for (const key of keys) {
    const value = String((v as Record<string, XapiValue>)[key]);
    content += `${key.length}:${key}${value.length}:${value}`;
  }
  return interner.sharedMap(content, () => {
    const map = Object.create(MAP_PROTO) as Record<string, string>;
    for (const key of keys) map[interner.intern(key)] = interner.intern(String((v as Record<string, XapiValue>)[key]));
    return map;
  });
}

function convertField(kind: FieldKind, v: XapiValue | undefined, fallback: string | number | undefined, interner: Interner): unknown {
  switch (kind) {
    case "uuid":
      return interner.unique(typeof v === "string" ? v : v === undefined ? "" : String(v));
    case "string": {
      // Names, enums, types repeat (a disk's snapshots share its name): one copy each.
      const text = typeof v === "string" ? v : v === undefined ? String(fallback ?? "") : String(v);
      return interner.intern(text);
    }
    case "int":
      return toInt(v, typeof fallback === "number" ? fallback : 0);
    case "bool":
      return toBool(v, false);
    case "bool-true":
      return toBool(v, true);
    case "datetime":
      return toDate(v);
    case "ref":
      return typeof v === "string" && v !== "" && v !== NULL_REF ? interner.intern(v) : NULL_REF;
    case "refs":
      return toRefs(v, interner);
    case "strings":
      return toSharedStrings(v, interner);
    case "map":
      return toMap(v, interner);
  }
}

type Construct = (values: readonly unknown[]) => Record<string, unknown>;
const constructors = new WeakMap<object, Construct>();

/**
 * A function that returns `{ref, ...every field of the table}` as one object literal. V8 gives all
 * records of a table one hidden class that way; a clone of a template filled by keyed stores and
 * then frozen got a hidden class of its own per record once a field had held both small ints and
 * doubles (measured: 312,000 hidden classes, 74 MB, for a 22,000-VM-record view).
 */
function constructorFor(fields: Readonly<Record<string, FieldKind>>): Construct {
  let construct = constructors.get(fields);
  if (!construct) {
    const names = ["ref", ...Object.keys(fields)];
    // Field names come from record-schema.ts (XAPI identifiers); quoted anyway.
    construct = new Function("v", `return { ${names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(", ")} };`) as Construct;
    constructors.set(fields, construct);
  }
  return construct;
}

export interface ConvertContext {
  readonly cls: string;
  readonly fields: Readonly<Record<string, FieldKind>>;
  readonly interner: Interner;
  /**
   * false when the record's own ref is kept as bytes (a RecordTable row, ref-column.ts): interning it
   * would be wasted work (4 % of a 2,000-VM read) and a table entry held to the end of the read.
   */
  readonly internOwnRef?: boolean;
}

/**
 * One wire record's values in the table's order, its interned ref first: what a RecordTable row
 * stores (record-table.ts) and what a record object is built from.
 */
export function convertValues(ctx: ConvertContext, ref: OpaqueRef, wire: XapiValue): unknown[] {
  const source = (typeof wire === "object" && wire !== null && !Array.isArray(wire) && !(wire instanceof Date) ? wire : {}) as Record<string, XapiValue>;
  const defaults = FIELD_DEFAULTS[ctx.cls] ?? {};
  const values: unknown[] = [ctx.internOwnRef === false ? ref : ctx.interner.intern(ref)];
  for (const name of Object.keys(ctx.fields)) {
    values.push(convertField(ctx.fields[name] as FieldKind, source[name], defaults[name], ctx.interner));
  }
  return values;
}

/** The frozen record of the values convertValues returned for a table of these fields. */
export function recordOf<R>(fields: Readonly<Record<string, FieldKind>>, values: readonly unknown[]): R {
  return Object.freeze(constructorFor(fields)(values)) as R;
}

/** Converts one wire record into a frozen record typed `R` (the table decides the shape). */
export function convertRecord<R>(ctx: ConvertContext, ref: OpaqueRef, wire: XapiValue): R {
  return recordOf<R>(ctx.fields, convertValues(ctx, ref, wire));
}
