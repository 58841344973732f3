/**
 * Streaming splitter for a JSON-RPC `get_all_records` answer, `{"result": {ref: record, …}}`:
 * each record's text is cut out as soon as its closing brace arrives and handed to JSON.parse, so
 * the 200 MB answer of a large pool never exists as one string, yet every record is parsed by V8's
 * native parser (several times faster than any JavaScript XML parser, reference/stack-notes.md §5).
 * Anything else (an error answer, an unexpected shape) is read by the general text scanner
 * (json-text-splitter.ts) and parsed whole at the end.
 *
 * Finding where a record ends is the cost that matters (a JavaScript scan over every quote and
 * brace cost as much as parsing). Once the answer is known to be compact JSON keyed by refs (as
 * XAPI writes it), the rest stays bytes: records are cut at each `},"OpaqueRef:` found by
 * Buffer.indexOf, only the record being parsed is decoded to a string, and JSON.parse itself
 * confirms the cut: a proper prefix of a record is never valid JSON, so a look-alike inside a
 * record just fails to parse and the search moves on.
 *
 * Skipped members (`snapshot_metadata`: 4.6 KiB of a snapshot's 8 KiB) are cut out of the bytes
 * before decoding, so they are never decoded nor parsed; they arrive as `""`. A cut is confirmed
 * the same way: the value is replaced by a `\u0000` sentinel (XAPI strings hold no NUL) and the
 * parsed record must show that sentinel at its top level, else the record is parsed uncut.
 */
import { JsonTextSplitter } from "./json-text-splitter";

/** Receives each record as parsed; its strings (and `ref`) share no memory with the wire text. */
export type RecordSink = (ref: string, record: unknown) => void;

export interface JsonSplitOptions {
  /**
   * Top-level string members of each record not worth decoding (`snapshot_metadata`): they reach
   * the sink as `""`. A member whose value is not a string is left as it is.
   */
  readonly skipMembers?: ReadonlySet<string>;
}

const BOUNDARY = Buffer.from('},"OpaqueRef:', "latin1");
const LAST_BOUNDARY = Buffer.from("}}", "latin1");
const QUOTE = 34;
const BACKSLASH = 92;
const SENTINEL = "\u0000";
const EMPTY = Buffer.alloc(0);

export class JsonRecordSplitter {
  /** Until the first record shows the answer is compact and ref-keyed; for good if it is not. */
  private text: JsonTextSplitter | undefined;
  /** Raw chunks kept while `text` decides, so the fast path can start at the first record's byte. */
  private head: Buffer[] | undefined = [];
  private readonly skip: readonly Buffer[];
  private readonly skipNames: readonly string[];
  /** Fast path: the bytes not consumed yet (from the record in progress, or the next key). */
  private pending: Buffer = EMPTY;
  /** The memory behind `pending` (grown to the largest record plus a chunk, never shrunk during an answer). */
  private store: Buffer = EMPTY;
  /** Index in `pending` of the `{` opening the record being read, or -1 between records. */
  private recordStart = -1;
  /** Between records: index of the quote opening the next record's key. */
  private keyAt = -1;
  /** Where the search for the record's end resumes. */
  private scanFrom = 0;
  private key = "";
  /** Per skipped member: where its needle was last found in `pending` (see `memberAt`). */
  private readonly found: number[];

  constructor(private readonly sink: RecordSink, options: JsonSplitOptions = {}) {
    this.skipNames = [...(options.skipMembers ?? [])];
    this.skip = this.skipNames.map((name) => Buffer.from(`,${JSON.stringify(name)}:"`, "utf8"));
    this.found = this.skip.map(() => -1);
    this.text = new JsonTextSplitter((ref, record) => sink(ref, this.blankSkipped(record)));
  }

  write(chunk: Buffer): void {
    if (this.text) {
      this.writeText(chunk);
      return;
    }
    const drop = this.recordStart >= 0 ? this.recordStart : this.keyAt;
    this.pending = this.append(drop, chunk);
    this.scanFrom -= drop;
    if (this.recordStart >= 0) this.recordStart -= drop;
    if (this.keyAt >= 0) this.keyAt -= drop;
    this.found.fill(-1);
    this.scanFast();
  }

  /**
   * The bytes of `pending` from `drop` on, then `chunk`, in one reused store: the unread tail is
   * moved to its front, the chunk copied after it (a fresh Buffer.concat per chunk cost 7 % of the read).
   */
  private append(drop: number, chunk: Buffer): Buffer {
    const rest = this.pending.length - drop;
    const size = rest + chunk.length;
    if (size > this.store.length) {
      const grown = Buffer.allocUnsafe(Math.max(size, 2 * this.store.length));
      this.pending.copy(grown, 0, drop);
      this.store = grown;
    } else if (rest > 0) {
      this.pending.copy(this.store, 0, drop);
    }
    chunk.copy(this.store, rest);
    return this.store.subarray(0, size);
  }

  /** `{result: {}}` once records were handed out, else the whole answer parsed (an error, a non-map result). */
  end(): unknown {
    if (this.text) return this.text.end();
    return this.endFast();
  }

  private writeText(chunk: Buffer): void {
    const text = this.text as JsonTextSplitter;
    this.head?.push(chunk);
    text.write(chunk);
    if (!text.decided) return;
    const head = this.head;
    this.head = undefined;
    if (text.compactAt < 0 || !head) return;
    // The envelope before the first record is ASCII in practice; byteLength covers the rest.
    const bytes = Buffer.concat(head);
    const at = Buffer.byteLength(text.prefix, "utf8");
    if (bytes[at] !== 123 /* { */) return; // undecodable bytes in the envelope: stay on the text path
    this.text = undefined;
    this.key = text.key;
    this.store = bytes;
    this.pending = bytes;
    this.recordStart = at;
    this.scanFrom = at + 1;
    this.scanFast();
  }

  private scanFast(): void {
    const bytes = this.pending;
    let from = this.scanFrom;
    for (;;) {
      if (this.recordStart < 0) {
        const keyEnd = bytes.indexOf(QUOTE, this.keyAt + 1);
        if (keyEnd === -1 || keyEnd + 3 > bytes.length) {
          from = this.keyAt;
          break;
        }
        if (bytes[keyEnd + 1] !== 58 /* : */ || bytes[keyEnd + 2] !== 123 /* { */) throw new SyntaxError("unexpected JSON between two records");
        this.key = refAt(bytes, this.keyAt + 1, keyEnd);
        this.recordStart = keyEnd + 2;
        this.keyAt = -1;
        from = this.recordStart + 1;
      }
      const cut = bytes.indexOf(BOUNDARY, from);
      if (cut === -1) {
        from = Math.max(from, bytes.length - BOUNDARY.length + 1); // the pattern may be split by the chunk
        break;
      }
      const record = this.parseRecord(this.recordStart, cut + 1);
      if (record === undefined) {
        from = cut + 1; // a look-alike inside the record
        continue;
      }
      this.deliver(record);
      this.keyAt = cut + 2;
    }
    this.scanFrom = from;
  }

  /** The last record ends at a `}}` (record, then map); JSON.parse picks the right one. */
  private endFast(): unknown {
    let from = this.recordStart;
    while (this.recordStart >= 0) {
      const cut = this.pending.indexOf(LAST_BOUNDARY, from);
      if (cut === -1) throw new SyntaxError("the JSON answer ended in the middle of a record");
      const record = this.parseRecord(this.recordStart, cut + 1);
      if (record === undefined) from = cut + 1;
      else this.deliver(record);
    }
    return { result: {} };
  }

  private deliver(record: unknown): void {
    this.sink(this.key, record);
    this.recordStart = -1;
  }

  /** The record in `pending[from, to)`, skipped members cut out; undefined when it is not valid JSON. */
  private parseRecord(from: number, to: number): unknown {
    const cuts = this.skip.length === 0 ? undefined : this.cutsIn(from, to);
    if (cuts) {
      const record = tryParse(this.joinedWithout(cuts, from, to));
      if (record !== undefined && this.confirmCuts(record, cuts)) return record;
    }
    const record = tryParse(this.pending.toString("utf8", from, to));
    return record === undefined ? undefined : this.blankSkipped(record);
  }

  /**
   * The string values of skipped members found in `[from, to)`, as `[member, valueStart, valueEnd]`
   * (between the quotes), in text order; undefined when there is none, or when a value does not
   * close inside the range (then the record is parsed uncut, which decides).
   */
  private cutsIn(from: number, to: number): [number, number, number][] | undefined {
    let cuts: [number, number, number][] | undefined;
    for (let i = 0; i < this.skip.length; i++) {
      const at = this.memberAt(i, from, to);
      if (at < 0) continue;
      const start = at + (this.skip[i] as Buffer).length;
      const end = stringClose(this.pending, start, to);
      if (end < 0) return undefined;
      (cuts ??= []).push([i, start, end]);
    }
    return cuts?.sort((a, b) => a[1] - b[1]);
  }

  /**
   * Where skipped member `i`'s needle starts in `[from, to)`, or -1. One search serves every record
   * of a chunk: a hit past `to` (or "none up to the end") is remembered for the records that follow.
   */
  private memberAt(i: number, from: number, to: number): number {
    let at = this.found[i] as number;
    if (at < from) {
      at = this.pending.indexOf(this.skip[i] as Buffer, from);
      if (at === -1) at = this.pending.length;
      this.found[i] = at;
    }
    return at + (this.skip[i] as Buffer).length <= to ? at : -1;
  }

  private joinedWithout(cuts: readonly [number, number, number][], from: number, to: number): string {
    let text = "";
    let at = from;
    for (const [, start, end] of cuts) {
      if (start < at) return this.pending.toString("utf8", from, to); // overlapping look-alikes: no cut
      text += this.pending.toString("utf8", at, start) + "\\u0000";
      at = end;
    }
    return text + this.pending.toString("utf8", at, to);
  }

  /** Every cut value came back as the sentinel at the top level (then it reads as `""`). */
  private confirmCuts(record: unknown, cuts: readonly [number, number, number][]): boolean {
    if (typeof record !== "object" || record === null || Array.isArray(record)) return false;
    const members = record as Record<string, unknown>;
    for (const [i] of cuts) if (members[this.skipNames[i] as string] !== SENTINEL) return false;
    for (const [i] of cuts) members[this.skipNames[i] as string] = "";
    return true;
  }

  /** A record parsed uncut reads the same as a cut one: skipped string members as `""`. */
  private blankSkipped(record: unknown): unknown {
    if (this.skipNames.length === 0 || typeof record !== "object" || record === null || Array.isArray(record)) return record;
    const members = record as Record<string, unknown>;
    for (const name of this.skipNames) if (typeof members[name] === "string") members[name] = "";
    return record;
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A record's key: a fresh flat string (a ref is ASCII; an escape goes through JSON.parse). */
function refAt(bytes: Buffer, from: number, to: number): string {
  const key = bytes.toString("utf8", from, to);
  return key.includes("\\") ? (JSON.parse(`"${key}"`) as string) : key;
}

/** Index of the quote closing the string whose text starts at `from`, or -1 when it does not close before `to`. */
function stringClose(bytes: Buffer, from: number, to: number): number {
  let at = from - 1;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at === -1 || at >= to) return -1;
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
