/**
 * The simulator's pool database: one table per class, records keyed by OpaqueRef, a uuid index, the
 * reverse ("one-to-many") fields XAPI maintains itself (VM.VBDs, SR.VDIs, VM.snapshots, VMSS.VMs …) and
 * a change log with generations that `event.from` reads. Records are mutated in place; callers never
 * hand a record to the outside without encoding it first.
 */
import { classSchema, cloneValue, type DbRecord, type DbValue, NULL_REF, PieceText } from "./schema";
import { handleInvalid } from "./errors";
import { RecordEncodings } from "./record-encodings";
import { Rng } from "./rng";

/** child.field (a ref) ↔ parent.field (a ref set), kept in step by every write. */
const RELATIONS: readonly (readonly [string, string, string, string])[] = [
  ["VBD", "VM", "VM", "VBDs"],
  ["VBD", "VDI", "VDI", "VBDs"],
  ["VDI", "SR", "SR", "VDIs"],
  ["PBD", "SR", "SR", "PBDs"],
  ["PBD", "host", "host", "PBDs"],
  ["VM", "snapshot_of", "VM", "snapshots"],
  ["VM", "parent", "VM", "children"],
  ["VM", "snapshot_schedule", "VMSS", "VMs"],
  ["VM", "resident_on", "host", "resident_VMs"],
  ["VDI", "snapshot_of", "VDI", "snapshots"],
  ["VIF", "VM", "VM", "VIFs"],
  ["VIF", "network", "network", "VIFs"],
  ["task", "subtask_of", "task", "subtasks"],
];
type Relation = readonly [childCls: string, childField: string, parentCls: string, parentField: string];
const RELATIONS_BY_CLASS = new Map<string, Map<string, Relation[]>>();
for (const rel of RELATIONS) {
  const byField = RELATIONS_BY_CLASS.get(rel[0]) ?? new Map<string, Relation[]>();
  byField.set(rel[1], [...(byField.get(rel[1]) ?? []), rel]);
  RELATIONS_BY_CLASS.set(rel[0], byField);
}
const NO_RELATIONS: readonly Relation[] = [];
const relationsOf = (cls: string, field: string): readonly Relation[] => RELATIONS_BY_CLASS.get(cls)?.get(field) ?? NO_RELATIONS;

/**
 * Empty sets and maps are stored as these shared, frozen values: a 10,000-VM pool has ~2 million
 * empty fields, 30–50 bytes each when every record has its own. Writers replace values (the
 * handlers copy a map before changing it) and addToSet swaps in a fresh array, so nothing writes
 * into them; being frozen, an in-place write would throw rather than leak into other records.
 */
const EMPTY_SET: DbValue[] = Object.freeze([]) as unknown as DbValue[];
const EMPTY_MAP: { [key: string]: DbValue } = Object.freeze({});

function stored(v: DbValue): DbValue {
  if (typeof v !== "object") return v;
  if (Array.isArray(v)) return v.length === 0 ? EMPTY_SET : v;
  if (v instanceof Date || v instanceof PieceText || v === EMPTY_MAP) return v;
  return Object.keys(v).length === 0 ? EMPTY_MAP : v;
}

export type ChangeOp = "add" | "mod" | "del";
export interface Change {
  readonly generation: number;
  readonly cls: string;
  readonly ref: string;
  readonly op: ChangeOp;
}

export interface DatabaseDump {
  readonly tables: Record<string, Record<string, DbRecord>>;
  readonly generation: number;
  readonly rngState: number;
}

/**
 * Bytes of cached record encodings (RecordEncodings) unless the simulator is told otherwise: none.
 * Measured 2026-12 on the 2-core machine (CPU of the simulator process, JSON-RPC VM.get_all_records):
 * at 2,000 VMs × 10 snapshots a kept encoding serves the 192 MB in 0.14–0.3 s instead of 1.3 s,
 * but filling the cache made that first fetch 3.9 s (fresh pages, old-generation GCs); at 10,000 VMs
 * a 256 MiB cache made the first fetch 18.7 s instead of 5.8 s and the next one no faster. So the
 * cache is opt-in (`encodingBudgetBytes`) for callers that fetch the same pool again and again.
 */
export const DEFAULT_ENCODING_BUDGET = 0;

export class Database {
  private readonly tables = new Map<string, Map<string, DbRecord>>();
  private readonly uuids = new Map<string, { cls: string; ref: string }>();
  private log: Change[] = [];
  /** Generation at which the change log starts; older tokens get a full resync from event.from. */
  logStart = 0;
  private listeners = new Set<(change?: Change) => void>();
  generation = 0;
  /** While a fixture is built nothing is logged or announced: its history is not news (see compactLog). */
  building = false;

  /** Records' last wire encodings; every write below drops the written record's (see `record`). */
  readonly encodings: RecordEncodings;

  constructor(readonly rng: Rng, encodingBudgetBytes = DEFAULT_ENCODING_BUDGET) {
    this.encodings = new RecordEncodings(encodingBudgetBytes);
  }

  table(cls: string): Map<string, DbRecord> {
    let t = this.tables.get(cls);
    if (!t) {
      classSchema(cls); // throws on an unknown class
      t = new Map();
      this.tables.set(cls, t);
    }
    return t;
  }

  classes(): string[] {
    return [...this.tables.keys()];
  }

  newUuid(): string {
    return this.rng.uuid();
  }

  /** Create a record with every field of its class (defaults filled in); returns its ref. */
  create(cls: string, fields: Record<string, DbValue>, ref?: string): string {
    const uuid = typeof fields.uuid === "string" && fields.uuid !== "" ? fields.uuid : this.newUuid();
    const newRef = ref ?? this.rng.ref();
    const schema = classSchema(cls);
    // Fields outside the class's table are dropped: a record holds exactly the datamodel's fields.
    const values: DbValue[] = [];
    for (const f of schema.fields) {
      const given = fields[f.name];
      values.push(stored(given === undefined ? f.defaultValue() : cloneValue(given)));
    }
    const rec = schema.construct(values);
    rec.uuid = uuid;
    this.table(cls).set(newRef, rec);
    this.uuids.set(uuid, { cls, ref: newRef });
    for (const rels of RELATIONS_BY_CLASS.get(cls)?.values() ?? []) {
      for (const [, childField, parentCls, parentField] of rels) {
        const parent = rec[childField];
        if (typeof parent === "string") this.addToSet(parentCls, parent, parentField, newRef);
      }
    }
    this.record(cls, newRef, "add");
    return newRef;
  }

  get(cls: string, ref: string): DbRecord | undefined {
    return this.tables.get(cls)?.get(ref);
  }

  /** The record, or HANDLE_INVALID [class, ref] as XAPI raises for a bad/NULL/deleted ref. */
  require(cls: string, ref: string): DbRecord {
    const rec = this.get(cls, ref);
    if (!rec) throw handleInvalid(cls, ref);
    return rec;
  }

  exists(cls: string, ref: string): boolean {
    return this.tables.get(cls)?.has(ref) ?? false;
  }

  byUuid(uuid: string): { cls: string; ref: string } | undefined {
    return this.uuids.get(uuid);
  }

  /** Write one field, keeping reverse fields in step. */
  set(cls: string, ref: string, field: string, value: DbValue, logChange = true): void {
    const rec = this.require(cls, ref);
    const rels = relationsOf(cls, field);
    if (rels.length > 0 && rec[field] !== value) {
      const before = rec[field];
      for (const [, , parentCls, parentField] of rels) {
        if (typeof before === "string") this.removeFromSet(parentCls, before, parentField, ref);
        if (typeof value === "string") this.addToSet(parentCls, value, parentField, ref);
      }
    }
    rec[field] = stored(cloneValue(value));
    if (logChange) this.record(cls, ref, "mod");
  }

  update(cls: string, ref: string, patch: Record<string, DbValue>): void {
    for (const [k, v] of Object.entries(patch)) this.set(cls, ref, k, v, false);
    this.record(cls, ref, "mod");
  }

  delete(cls: string, ref: string): void {
    const rec = this.get(cls, ref);
    if (!rec) return;
    for (const [childCls, childField, parentCls, parentField] of RELATIONS) {
      if (childCls === cls && typeof rec[childField] === "string") {
        this.removeFromSet(parentCls, rec[childField] as string, parentField, ref);
      }
    }
    this.table(cls).delete(ref);
    if (typeof rec.uuid === "string") this.uuids.delete(rec.uuid);
    this.record(cls, ref, "del");
  }

  /** Mark an object changed without changing it (event.inject). */
  touch(cls: string, ref: string): void {
    this.require(cls, ref);
    this.record(cls, ref, "mod");
  }

  private addToSet(cls: string, ref: string, field: string, member: string): void {
    if (ref === NULL_REF) return;
    const rec = this.get(cls, ref);
    if (!rec) return; // a dangling ref (e.g. snapshot_of a destroyed VM) has no reverse side
    // No duplicate check: `set` removes the member from its old parent first, so it cannot be there.
    const set = rec[field] as string[];
    if (set === EMPTY_SET) rec[field] = [member];
    else set.push(member);
    this.record(cls, ref, "mod");
  }

  private removeFromSet(cls: string, ref: string, field: string, member: string): void {
    const rec = this.get(cls, ref);
    if (!rec) return;
    const set = rec[field] as string[];
    const i = set.indexOf(member);
    if (i >= 0) {
      set.splice(i, 1);
      this.record(cls, ref, "mod");
    }
  }

  /** Every change of a record passes here, while building too: its cached encodings go first. */
  private record(cls: string, ref: string, op: ChangeOp): void {
    this.encodings.forget(cls, ref);
    this.generation++;
    if (this.building) return;
    const change = { generation: this.generation, cls, ref, op };
    this.log.push(change);
    for (const listener of this.listeners) listener(change);
  }

  /** Changes after `generation`, collapsed to the last op per object (add+mod → add, add+del → gone). */
  changesSince(generation: number): Change[] {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.log[mid]?.generation ?? 0) <= generation) lo = mid + 1;
      else hi = mid;
    }
    const latest = new Map<string, Change>();
    for (let i = lo; i < this.log.length; i++) {
      const c = this.log[i] as Change;
      const key = `${c.cls}/${c.ref}`;
      const prev = latest.get(key);
      if (prev?.op === "add" && c.op === "mod") continue;
      if (prev?.op === "add" && c.op === "del") latest.delete(key);
      else latest.set(key, prev?.op === "add" ? { ...c, op: "add" } : c);
    }
    return [...latest.values()];
  }

  /** Wake listeners without a change (sessions changed: the state file must be saved). */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /**
   * Called on every change (event.from wakes its waiters, the state file is saved), with the change;
   * without one when everything may have changed (load, reset, compaction) or nothing did (notify).
   */
  onChange(listener: (change?: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dump(): DatabaseDump {
    const tables: Record<string, Record<string, DbRecord>> = {};
    for (const [cls, t] of this.tables) tables[cls] = Object.fromEntries(t);
    return { tables, generation: this.generation, rngState: this.rng.state };
  }

  /** Replace the whole content (state file load, /sim/reset). The change log restarts. */
  load(dump: DatabaseDump): void {
    this.encodings.clear();
    this.tables.clear();
    this.uuids.clear();
    for (const [cls, records] of Object.entries(dump.tables)) {
      const t = this.table(cls);
      for (const [ref, rec] of Object.entries(records)) {
        t.set(ref, rec);
        if (typeof rec.uuid === "string") this.uuids.set(rec.uuid, { cls, ref });
      }
    }
    this.generation = dump.generation;
    this.rng.state = dump.rngState;
    this.log = [];
    this.logStart = this.generation;
    for (const listener of this.listeners) listener();
  }

  /** Forget the change log up to now (after a fixture is built: its history is not news). */
  compactLog(): void {
    this.log = [];
    this.logStart = this.generation;
    for (const listener of this.listeners) listener();
  }
}
