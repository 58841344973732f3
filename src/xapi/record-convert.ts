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
type StringMap = Readonly<Record<string, string>>;
const EMPTY_MAP: StringMap = Object.freeze(Object.create(null) as Record<string, string>);

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
/** Strings JSON.parse internalises (V8's kMaxInternalizedStringValueLength): already one copy each. */
const JSON_SHARED_LENGTH = 10;

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
  /** Shared maps by content hash (a bucket becomes a list on a collision). */
  private readonly maps: Map<number, StringMap | StringMap[]>;
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
    // V8's JSON.parse already hands out one copy of each string of up to 10 characters (measured on
    // Node 20: 200,000 parsed "persist" values cost no memory): enums, most map keys and values.
    if (this.owned && s.length <= JSON_SHARED_LENGTH) return s;
    const canonical = this.strings.get(s);
    if (canonical !== undefined) return canonical;
    const own = this.owned ? s : ownCopy(s);
    this.strings.set(own, own);
    return own;
  }

  /**
   * A string inside a container: a key or value of a map seen for the first time, an item of a ref
   * list. Parsed JSON's keys are already one copy each (V8 internalises property names), a map value
   * repeats with its whole map (which is shared), and a ref list's items are back-pointers no other
   * record holds (a VM's VBDs): only the text path, whose strings are slices, looks them up. At
   * 10,000 VMs these were 540,000 of the table's 990,000 entries (VBD refs, `vhd-parent` uuids).
   */
  contained(s: string): string {
    return this.owned ? s : this.intern(s);
  }

  /** The shared copy of a uuid-like string unique to its record: copied, never looked up. */
  unique(s: string): string {
    return this.owned ? s : ownCopy(s);
  }

  /**
   * The one frozen map with the entries of `source` (its `keys`, values as strings). Found by a hash
   * of the content, confirmed entry by entry: a table keyed by the content itself held 16 MB of keys
   * at 10,000 VMs (a distinct `sm_config` per VDI snapshot) until the read ended.
   */
  sharedMap(source: Readonly<Record<string, XapiValue>>, keys: readonly string[]): StringMap {
    const hash = contentHash(source, keys);
    const bucket = this.maps.get(hash);
    if (bucket !== undefined) {
      if (!Array.isArray(bucket)) {
        if (sameEntries(bucket, source, keys)) return bucket;
      } else {
        for (const map of bucket) if (sameEntries(map, source, keys)) return map;
      }
    }
    const map = Object.create(MAP_PROTO) as Record<string, string>;
    for (const key of keys) map[this.contained(key)] = this.contained(String(source[key]));
    Object.freeze(map);
    if (bucket === undefined) this.maps.set(hash, map);
    else if (Array.isArray(bucket)) bucket.push(map);
    else this.maps.set(hash, [bucket, map]);
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

/** Ref lists are nearly all distinct (a VM's VBDs): the list frozen as it is. */
function toRefs(v: XapiValue | undefined, interner: Interner): readonly string[] {
  if (!Array.isArray(v) || v.length === 0) return EMPTY_LIST;
  return Object.freeze(v.map((item: XapiValue) => interner.contained(String(item))));
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

/** FNV-1a over every key and value (each followed by a separator), as a small integer. */
function contentHash(source: Readonly<Record<string, XapiValue>>, keys: readonly string[]): number {
  let hash = 0x811c9dc5;
  for (const key of keys) {
    hash = textHash(hash, key);
    hash = textHash(hash, String(source[key]));
  }
  return hash >>> 1;
}

function textHash(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xffff, 0x01000193);
}

/** Whether `map` has exactly the entries of `source`. */
function sameEntries(map: StringMap, source: Readonly<Record<string, XapiValue>>, keys: readonly string[]): boolean {
  let size = 0;
  for (const _ in map) size++; // no prototype keys: MAP_PROTO has none
  if (size !== keys.length) return false;
  for (const key of keys) if (map[key] !== String(source[key])) return false;
  return true;
}

function toMap(v: XapiValue | undefined, interner: Interner): StringMap {
  if (v === undefined || typeof v !== "object" || Array.isArray(v) || v instanceof Date) return EMPTY_MAP;
  const keys = Object.keys(v);
  if (keys.length === 0) return EMPTY_MAP;
  // Whole maps repeat (platform; a snapshot's other_config is its VM's): looked up by content
  // first, so a map seen before costs no interning at all.
  return interner.sharedMap(v as Readonly<Record<string, XapiValue>>, keys);
}

/**
 * The field readers of one read: one method per field kind, bound to the read's interner. The
 * generated readers (`recordReader`, RecordTable's row writer) call them one field at a time.
 */
export class FieldReader {
  constructor(readonly interner: Interner) {}

  uuid(v: XapiValue | undefined): string {
    return this.interner.unique(typeof v === "string" ? v : v === undefined ? "" : String(v));
  }

  /** Names, enums, types repeat (a disk's snapshots share its name): one copy each. */
  string(v: XapiValue | undefined, fallback: string): string {
    return this.interner.intern(typeof v === "string" ? v : v === undefined ? fallback : String(v));
  }

  int(v: XapiValue | undefined, fallback: number): number {
    return toInt(v, fallback);
  }

  bool(v: XapiValue | undefined, fallback: boolean): boolean {
    return toBool(v, fallback);
  }

  datetime(v: XapiValue | undefined): Date {
    return toDate(v);
  }

  /** A record's own ref (its key in the answer): one copy with every field that points at it. */
  ownRef(ref: string): string {
    return this.interner.intern(ref);
  }

  ref(v: XapiValue | undefined): string {
    return typeof v === "string" && v !== "" && v !== NULL_REF ? this.interner.intern(v) : NULL_REF;
  }

  refs(v: XapiValue | undefined): readonly string[] {
    return toRefs(v, this.interner);
  }

  strings(v: XapiValue | undefined): readonly string[] {
    return toSharedStrings(v, this.interner);
  }

  map(v: XapiValue | undefined): StringMap {
    return toMap(v, this.interner);
  }
}

/** A wire record's members, or none when the value is not a struct. */
export function membersOf(wire: XapiValue): Record<string, XapiValue> {
  return (typeof wire === "object" && wire !== null && !Array.isArray(wire) && !(wire instanceof Date) ? wire : {}) as Record<string, XapiValue>;
}

/**
 * Per field of the table, in order, the source text of the expression reading it from wire members
 * `s` with FieldReader `r`. Generated code, not a loop over the field table: each field is a named
 * property load that V8 caches per table, and no kind is dispatched at run time (against a loop
 * with keyed loads, a switch on the kind and an array of values: read CPU −5 % at 200 and 2,000
 * VMs). Field names come from record-schema.ts (XAPI identifiers); quoted anyway.
 */
export function fieldReads(cls: string, fields: Readonly<Record<string, FieldKind>>): string[] {
  const defaults = FIELD_DEFAULTS[cls] ?? {};
  return Object.entries(fields).map(([name, kind]) => {
    const member = `s[${JSON.stringify(name)}]`;
    const fallback = defaults[name];
    switch (kind) {
      case "string":
        return `r.string(${member}, ${JSON.stringify(String(fallback ?? ""))})`;
      case "int":
        return `r.int(${member}, ${typeof fallback === "number" ? fallback : 0})`;
      case "bool":
        return `r.bool(${member}, false)`;
      case "bool-true":
        return `r.bool(${member}, true)`;
      default:
        return `r.${kind}(${member})`;
    }
  });
}

/** Caches one generated function per (field table, class). */
export function memoByTable<F>(cache: WeakMap<object, Map<string, F>>, fields: object, cls: string, make: () => F): F {
  let byClass = cache.get(fields);
  if (!byClass) cache.set(fields, (byClass = new Map()));
  let made = byClass.get(cls);
  if (!made) byClass.set(cls, (made = make()));
  return made;
}

/** Wire record → frozen record of its table's fields. */
export type RecordRead<R> = (reader: FieldReader, wire: XapiValue, ref: string) => R;
const recordReads = new WeakMap<object, Map<string, RecordRead<unknown>>>();

/**
 * A function returning `{ref, ...every field of the table}` as one object literal, frozen. V8 gives
 * all records of a table one hidden class that way; a clone of a template filled by keyed stores and
 * then frozen got a hidden class of its own per record once a field had held both small ints and
 * doubles (measured: 312,000 hidden classes, 74 MB, for a 22,000-VM-record view).
 */
export function recordReader<R>(cls: string, fields: Readonly<Record<string, FieldKind>>): RecordRead<R> {
  return memoByTable(recordReads, fields, cls, () => {
    const names = Object.keys(fields);
    const members = fieldReads(cls, fields).map((read, i) => `${JSON.stringify(names[i])}: ${read}`);
    const body = `const s = membersOf(wire); return Object.freeze({ "ref": r.ownRef(ref), ${members.join(", ")} });`;
    return new Function("membersOf", `return function readRecord(r, wire, ref) { ${body} };`)(membersOf) as RecordRead<unknown>;
  }) as RecordRead<R>;
}

export interface ConvertContext {
  readonly cls: string;
  readonly fields: Readonly<Record<string, FieldKind>>;
  readonly interner: Interner;
}

/** Converts one wire record into a frozen record typed `R` (the table decides the shape). */
export function convertRecord<R>(ctx: ConvertContext, ref: OpaqueRef, wire: XapiValue): R {
  return recordReader<R>(ctx.cls, ctx.fields)(new FieldReader(ctx.interner), wire, ref);
}
