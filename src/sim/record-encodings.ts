/**
 * The last wire encoding of each record (JSON-RPC and XML-RPC), so that a repeated `get_all_records`
 * copies bytes instead of encoding ~90 fields per record again: serving is the floor under every
 * client's fetch time in the plan benchmarks. The Database drops a record's entries on every write to
 * it (`Database.record`, the one place all writes pass) and all of them on load, so an entry is never
 * older than its record. Bounded: once `budgetBytes` are held, further records are encoded each time
 * (a 10,000-VM pool encodes to ~1.5 GB of JSON alone, and the simulator must build it within 2 GB).
 * Off unless asked for (DEFAULT_ENCODING_BUDGET says why).
 */
import { ByteSink } from "./byte-sink";

export type WireFormat = "json" | "xml";

/**
 * Records are encoded straight into slabs of this size and kept as views of them, not as a Buffer
 * each: the copies and the tens of thousands of small ArrayBuffers made the first fetch of a pool
 * several times slower than encoding without a cache.
 */
const SLAB_BYTES = 4 * 1024 * 1024;

export class RecordEncodings {
  private readonly byFormat: Record<WireFormat, Map<string, Map<string, Buffer>>> = { json: new Map(), xml: new Map() };
  private slabs = new ByteSink(SLAB_BYTES);
  /** Bytes of kept encodings (dropped ones stay counted until everything is dropped). */
  private held = 0;
  /** Bytes of dropped entries: slab space that is no longer served. */
  private dead = 0;

  constructor(readonly budgetBytes: number) {}

  /** Bytes held now. */
  get size(): number {
    return this.held;
  }

  get(format: WireFormat, cls: string, ref: string): Buffer | undefined {
    return this.byFormat[format].get(cls)?.get(ref);
  }

  /**
   * The record's encoding by `encode`, kept when the budget allows. The result is a view into a slab
   * that nothing writes into again.
   */
  encode(format: WireFormat, cls: string, ref: string, encode: (sink: ByteSink) => void): Buffer {
    encode(this.slabs);
    const parts = this.slabs.take();
    const own = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts); // one spans two slabs now and then
    if (this.held + own.length > this.budgetBytes) return own;
    let table = this.byFormat[format].get(cls);
    if (!table) this.byFormat[format].set(cls, (table = new Map()));
    table.set(ref, own);
    this.held += own.length;
    return own;
  }

  /** Whether `encode` may still keep anything (else encoding straight into the output is cheaper). */
  hasRoom(): boolean {
    return this.held < this.budgetBytes;
  }

  /** The record changed or is gone: its encodings are stale. */
  forget(cls: string, ref: string): void {
    for (const format of ["json", "xml"] as const) {
      const table = this.byFormat[format].get(cls);
      const old = table?.get(ref);
      if (old === undefined) continue;
      this.dead += old.length;
      table?.delete(ref);
    }
    // Slab space is not reused entry by entry: once half of it is stale, start over.
    if (this.dead > this.held / 2 && this.dead > SLAB_BYTES) this.clear();
  }

  clear(): void {
    this.byFormat.json.clear();
    this.byFormat.xml.clear();
    this.slabs = new ByteSink(SLAB_BYTES);
    this.held = 0;
    this.dead = 0;
  }
}
