/**
 * `PoolView.byUuid`: the class and ref of every record of the read, by uuid. At 10,000 VMs that is
 * 860,000 uuids: a Map entry, a uuid string and a frozen `{class, ref}` each cost ~130 bytes. Here
 * each class answers for its own records: a RecordTable from its uuid column (record-table.ts,
 * nothing more to store), a class of record objects from a Map of uuid → ref, and the entry object
 * is made when asked for. Two `get`s of one uuid return equal, not identical, entries. A uuid held
 * by records of two classes answers for the class added last (as Map.set would); iteration visits
 * each uuid once, where that record stands. No mutating method.
 */
import type { PoolClass } from "./records";
import type { OpaqueRef, Uuid } from "./types";

export interface UuidEntry {
  readonly class: PoolClass;
  readonly ref: OpaqueRef;
}

/** One class's records as the index sees them (RecordTable is one). */
export interface UuidSource {
  refOfUuid(uuid: string): OpaqueRef | undefined;
  /** `(ref, uuid)` of every record, in the class's order. */
  uuidPairs(): Iterable<readonly [OpaqueRef, Uuid]>;
}

/** A UuidSource over record objects: a Map of uuid → ref (a uuid held twice: the later record). */
export class RecordUuids implements UuidSource {
  private readonly refs = new Map<string, OpaqueRef>();

  constructor(private readonly records: ReadonlyMap<OpaqueRef, { readonly uuid: Uuid }>) {
    for (const [ref, record] of records) this.refs.set(record.uuid, ref);
  }

  refOfUuid(uuid: string): OpaqueRef | undefined {
    return this.refs.get(uuid);
  }

  *uuidPairs(): Generator<readonly [OpaqueRef, Uuid]> {
    for (const [ref, record] of this.records) yield [ref, record.uuid];
  }
}

export class UuidIndex implements ReadonlyMap<Uuid, UuidEntry> {
  private readonly sources: { readonly cls: PoolClass; readonly source: UuidSource }[] = [];

  add(cls: PoolClass, source: UuidSource): void {
    this.sources.push({ cls, source });
  }

  /** Counted by visiting every uuid (nothing in xsnap asks). */
  get size(): number {
    let count = 0;
    for (const _ of this.entries()) count++;
    return count;
  }

  get(uuid: Uuid): UuidEntry | undefined {
    for (let i = this.sources.length - 1; i >= 0; i--) {
      const { cls, source } = this.sources[i] as { cls: PoolClass; source: UuidSource };
      const ref = source.refOfUuid(uuid);
      if (ref !== undefined) return Object.freeze({ class: cls, ref });
    }
    return undefined;
  }

  has(uuid: Uuid): boolean {
    return this.get(uuid) !== undefined;
  }

  forEach(callback: (value: UuidEntry, key: Uuid, map: ReadonlyMap<Uuid, UuidEntry>) => void, thisArg?: unknown): void {
    for (const [uuid, entry] of this.entries()) callback.call(thisArg, entry, uuid, this);
  }

  *entries(): MapIterator<[Uuid, UuidEntry]> {
    for (const { cls, source } of this.sources) {
      for (const [ref, uuid] of source.uuidPairs()) {
        const entry = this.get(uuid);
        if (entry?.class === cls && entry.ref === ref) yield [uuid, entry];
      }
    }
  }

  *keys(): MapIterator<Uuid> {
    for (const [uuid] of this.entries()) yield uuid;
  }

  *values(): MapIterator<UuidEntry> {
    for (const [, entry] of this.entries()) yield entry;
  }

  [Symbol.iterator](): MapIterator<[Uuid, UuidEntry]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "UuidIndex";
  }
}
