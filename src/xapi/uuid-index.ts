/**
 * `PoolView.byUuid`: the class and ref of every record of the read, by uuid. At 10,000 VMs that is
 * 860,000 uuids; a frozen `{class, ref}` object each cost 35 MB, so entries are kept as a row
 * number (ref in an array, class in a byte) and the object is made when asked for. Two `get`s of
 * one uuid return equal, not identical, entries. No mutating method.
 */
import type { PoolClass } from "./records";
import type { OpaqueRef, Uuid } from "./types";

export interface UuidEntry {
  readonly class: PoolClass;
  readonly ref: OpaqueRef;
}

const CLASSES: readonly PoolClass[] = ["VM", "VDI", "VBD", "SR", "VMSS", "host", "pool"];

export class UuidIndex implements ReadonlyMap<Uuid, UuidEntry> {
  private readonly rows = new Map<Uuid, number>();
  private readonly refs: OpaqueRef[] = [];
  private classes = new Uint8Array(1024);

  /** Adds `(uuid, ref)` pairs of one class; a uuid seen before now points here (as Map.set would). */
  add(cls: PoolClass, uuids: Iterable<readonly [OpaqueRef, Uuid]>): void {
    const code = CLASSES.indexOf(cls);
    for (const [ref, uuid] of uuids) {
      const row = this.refs.length;
      if (row === this.classes.length) {
        const grown = new Uint8Array(2 * row);
        grown.set(this.classes);
        this.classes = grown;
      }
      this.refs.push(ref);
      this.classes[row] = code;
      this.rows.set(uuid, row);
    }
  }

  get size(): number {
    return this.rows.size;
  }

  get(uuid: Uuid): UuidEntry | undefined {
    const row = this.rows.get(uuid);
    return row === undefined ? undefined : this.entry(row);
  }

  has(uuid: Uuid): boolean {
    return this.rows.has(uuid);
  }

  forEach(callback: (value: UuidEntry, key: Uuid, map: ReadonlyMap<Uuid, UuidEntry>) => void, thisArg?: unknown): void {
    for (const [uuid, row] of this.rows) callback.call(thisArg, this.entry(row), uuid, this);
  }

  *entries(): MapIterator<[Uuid, UuidEntry]> {
    for (const [uuid, row] of this.rows) yield [uuid, this.entry(row)];
  }

  keys(): MapIterator<Uuid> {
    return this.rows.keys();
  }

  *values(): MapIterator<UuidEntry> {
    for (const row of this.rows.values()) yield this.entry(row);
  }

  [Symbol.iterator](): MapIterator<[Uuid, UuidEntry]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "UuidIndex";
  }

  private entry(row: number): UuidEntry {
    return Object.freeze({ class: CLASSES[this.classes[row] as number] as PoolClass, ref: this.refs[row] as OpaqueRef });
  }
}
