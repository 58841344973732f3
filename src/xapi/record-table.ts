/**
 * Column storage for the largest tables of a PoolView (VDI and VBD: four records per VM, 750,000
 * at 10,000 VMs × 10 snapshots, where DESIGN §8 caps the whole plan at 400 MB). A record object
 * with its hidden-class fields, its Map entry and its own uuid costs ~380 bytes; here a record is a
 * row: numbers in a Float64Array, booleans in a Uint8Array, uuids as 16 bytes, interned strings,
 * shared maps and lists as 16-bit codes into a dictionary per column (value-column.ts).
 *
 * Consumers see a ReadonlyMap of frozen records as before (records.ts): `get` and iteration build
 * the record object on the spot from its row (one object literal, so every record of a table keeps
 * one hidden class) and keep nothing. Two `get`s of one ref return equal, not identical, records.
 * The table has no mutating method: after the read it cannot change.
 */
import { fieldReads, membersOf, memoByTable, type FieldReader } from "./record-convert";
import type { FieldKind } from "./record-schema";
import type { OpaqueRef, Uuid, XapiValue } from "./types";
import { RefColumn } from "./ref-column";
import { UuidColumn } from "./uuid-column";
import { ValueColumn } from "./value-column";
import type { UuidSource } from "./uuid-index";

/** Numbers and datetimes (as ms since the epoch) in doubles, booleans in bytes, uuids in 16 bytes, the rest in a ValueColumn. */
type ColumnKind = "number" | "date" | "flag" | "uuid" | "value";

function columnKind(kind: FieldKind): ColumnKind {
  switch (kind) {
    case "int":
      return "number";
    case "datetime":
      return "date";
    case "bool":
    case "bool-true":
      return "flag";
    case "uuid":
      return "uuid";
    default:
      return "value";
  }
}

/**
 * Number and flag columns are pages of PAGE rows: a table grows by one page per column, and no
 * column is ever copied. (Arrays grown one row at a time leave every smaller copy behind as garbage:
 * measured at 10,000 VMs, ~90 MB of old arrays before the next full GC.)
 */
const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;
type Page = Float64Array | Uint8Array;
type Column = Page[] | UuidColumn | ValueColumn;
type Build = (columns: readonly Column[], ref: OpaqueRef, row: number) => Record<string, unknown>;
type Store = (columns: readonly Column[], reader: FieldReader, wire: XapiValue, row: number) => void;

const builders = new WeakMap<object, Build>();
const storers = new WeakMap<object, Map<string, Store>>();

/** The cell of column `i` at the row whose page is `p` and offset `o` (set by the generated code). */
const cellOf = (i: number): string => `c[${i}][p][o]`;
const pageAndOffset = `const p = row >>> ${PAGE_BITS}, o = row & ${PAGE - 1};`;

/**
 * `(columns, ref, row) → {ref, ...fields}` as one object literal, written once per field table.
 * Field names come from record-schema.ts (XAPI identifiers); quoted anyway.
 */
function builderFor(fields: Readonly<Record<string, FieldKind>>): Build {
  let build = builders.get(fields);
  if (!build) {
    const members = Object.entries(fields).map(([name, kind], i) => {
      const cell = cellOf(i);
      const read = { number: cell, date: `new Date(${cell})`, flag: `${cell} === 1`, uuid: `c[${i}].get(row)`, value: `c[${i}].get(row)` }[columnKind(kind)];
      return `${JSON.stringify(name)}: ${read}`;
    });
    build = new Function("c", "ref", "row", `${pageAndOffset} return { "ref": ref, ${members.join(", ")} };`) as Build;
    builders.set(fields, build);
  }
  return build;
}

/**
 * `(columns, reader, wire, row)` reading each field of a wire record (record-convert.ts) straight into
 * its cell: one statement per field, no intermediate array of values.
 */
function storerFor(cls: string, fields: Readonly<Record<string, FieldKind>>): Store {
  return memoByTable(storers, fields, cls, () => {
    const kinds = Object.values(fields);
    const statements = fieldReads(cls, fields).map((read, i) => {
      const cell = cellOf(i);
      return {
        number: `${cell} = ${read};`, date: `${cell} = ${read}.getTime();`, flag: `${cell} = ${read} ? 1 : 0;`,
        uuid: `c[${i}].set(row, ${read});`, value: `c[${i}].set(row, ${read});`,
      }[columnKind(kinds[i] as FieldKind)];
    });
    const body = [pageAndOffset, "const s = membersOf(wire);", ...statements].join("\n");
    return new Function("membersOf", `return function storeRow(c, r, wire, row) { ${body} };`)(membersOf) as Store;
  });
}

export class RecordTable<R extends { readonly ref: OpaqueRef }> implements ReadonlyMap<OpaqueRef, R>, UuidSource {
  private readonly refs = new RefColumn();
  private readonly names: readonly string[];
  private readonly kinds: readonly ColumnKind[];
  private readonly columns: Column[];
  private readonly build: Build;
  private readonly store: Store;
  private pages = 0;

  /** `cls` names the XAPI class, whose datamodel defaults fill missing fields (record-schema.ts). */
  constructor(cls: string, fields: Readonly<Record<string, FieldKind>>) {
    this.names = Object.keys(fields);
    this.kinds = Object.values(fields).map(columnKind);
    this.columns = this.kinds.map((kind) => (kind === "uuid" ? new UuidColumn() : kind === "value" ? new ValueColumn() : []));
    this.build = builderFor(fields);
    this.store = storerFor(cls, fields);
  }

  /**
   * Reads the fields of a wire record into the row of `ref`; a ref seen before is overwritten in
   * place, as Map.set would. Only the reader calls this.
   */
  add(ref: OpaqueRef, wire: XapiValue, reader: FieldReader): void {
    const row = this.refs.add(ref);
    if (row >>> PAGE_BITS === this.pages) this.addPage();
    this.store(this.columns, reader, wire, row);
  }

  /** The read is over: drops what only adding rows needed. Only the reader calls this. */
  seal(): void {
    for (const column of this.columns) if (column instanceof ValueColumn) column.seal();
  }

  get size(): number {
    return this.refs.size;
  }

  get(ref: OpaqueRef): R | undefined {
    const row = this.refs.rowOf(ref);
    return row < 0 ? undefined : this.record(row, ref);
  }

  has(ref: OpaqueRef): boolean {
    return this.refs.rowOf(ref) >= 0;
  }

  forEach(callback: (value: R, key: OpaqueRef, map: ReadonlyMap<OpaqueRef, R>) => void, thisArg?: unknown): void {
    for (let row = 0; row < this.refs.size; row++) {
      const ref = this.refs.get(row);
      callback.call(thisArg, this.record(row, ref), ref, this);
    }
  }

  *entries(): MapIterator<[OpaqueRef, R]> {
    for (let row = 0; row < this.refs.size; row++) {
      const ref = this.refs.get(row);
      yield [ref, this.record(row, ref)];
    }
  }

  *keys(): MapIterator<OpaqueRef> {
    for (let row = 0; row < this.refs.size; row++) yield this.refs.get(row);
  }

  *values(): MapIterator<R> {
    for (let row = 0; row < this.refs.size; row++) yield this.record(row, this.refs.get(row));
  }

  /** `(ref, uuid)` of every row (UuidSource: PoolView.byUuid asks the table itself). */
  uuidPairs(): Iterable<readonly [OpaqueRef, Uuid]> {
    return this.fieldEntries("uuid" as Exclude<keyof R, "ref"> & string) as Iterable<readonly [OpaqueRef, Uuid]>;
  }

  /** The ref of the (last) record whose `uuid` field is `uuid` (UuidSource). */
  refOfUuid(uuid: string): OpaqueRef | undefined {
    const column = this.columns[this.names.indexOf("uuid")];
    if (!(column instanceof UuidColumn)) throw new Error("RecordTable has no uuid column");
    const row = column.find(uuid);
    return row < 0 ? undefined : this.refs.get(row);
  }

  /** `(ref, value)` of one field for every row, without building the records (PoolView's indexes). */
  *fieldEntries<K extends Exclude<keyof R, "ref"> & string>(name: K): Generator<readonly [OpaqueRef, R[K]]> {
    const i = this.names.indexOf(name);
    if (i < 0) throw new Error(`RecordTable has no field ${name}`);
    const column = this.columns[i] as Column;
    const kind = this.kinds[i];
    for (let row = 0; row < this.refs.size; row++) {
      const cell = column instanceof UuidColumn || column instanceof ValueColumn ? column.get(row) : (column[row >>> PAGE_BITS] as Page)[row & (PAGE - 1)];
      const value = kind === "date" ? new Date(cell as number) : kind === "flag" ? cell === 1 : cell;
      yield [this.refs.get(row), value as R[K]];
    }
  }

  [Symbol.iterator](): MapIterator<[OpaqueRef, R]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "RecordTable";
  }

  private record(row: number, ref: OpaqueRef): R {
    return Object.freeze(this.build(this.columns, ref, row)) as unknown as R;
  }

  private addPage(): void {
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i] as Column;
      if (Array.isArray(column)) column.push(newPage(this.kinds[i] as ColumnKind));
    }
    this.pages++;
  }
}

function newPage(kind: ColumnKind): Page {
  switch (kind) {
    case "number":
    case "date":
      return new Float64Array(PAGE);
    default:
      return new Uint8Array(PAGE);
  }
}
