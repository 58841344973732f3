/**
 * The general (slow) half of the JSON-RPC record splitter (json-records.ts): a JavaScript scan over
 * every quote and brace of the decoded text that tracks depth and cuts each record of the result
 * map. It reads any JSON: pretty-printed answers, error answers, non-map results. It also spots the
 * answer XAPI actually writes (compact, keyed by refs) at its first record and then stops, so that
 * the splitter can go on with the fast byte path.
 */
import { Utf8Chunks } from "./codec/utf8-chunks";
import type { RecordSink } from "./json-records";
import { ownCopy } from "./record-convert";

/** Depth of the braces/brackets: 1 = the envelope, 2 = the result map, 3 = a record. */
const MAP_DEPTH = 2;

export class JsonTextSplitter {
  private readonly utf8 = new Utf8Chunks();
  private text = "";
  /** Where scanning resumes in `text`. */
  private scanFrom = 0;
  /** Everything before this index in `text` is no longer needed. */
  private keepFrom = 0;
  private depth = 0;
  /** Start of the record being read (index in `text`), or -1. */
  private recordStart = -1;
  /** The last string at envelope depth was "result": the object that follows is the record map. */
  private afterResult = false;
  private inResult = false;
  private records = 0;
  /** The last string seen at map depth: the key of the record that follows. */
  key = "";
  /** Set once the first record starts: whether the answer is compact and keyed by refs. */
  decided = false;
  /**
   * The answer is compact and keyed by refs: `text` up to here is the envelope before the first
   * record's `{` (nothing of it is dropped), `key` is that record's ref. Scanning has stopped.
   */
  compactAt = -1;

  constructor(private readonly sink: RecordSink) {}

  /** The envelope text before the first record (only meaningful once `compactAt` is set). */
  get prefix(): string {
    return this.text.slice(0, this.compactAt);
  }

  write(chunk: Buffer): void {
    if (this.compactAt >= 0) return;
    const drop = this.keepFrom;
    this.text = (drop === 0 ? this.text : this.text.slice(drop)) + this.utf8.write(chunk);
    this.scanFrom -= drop;
    if (this.recordStart >= 0) this.recordStart -= drop;
    this.keepFrom = 0;
    this.scan();
  }

  /** `{result: {}}` once records were handed out, else the whole answer parsed (an error, a non-map result). */
  end(): unknown {
    const rest = this.utf8.end();
    if (rest) {
      this.text += rest;
      this.scan();
    }
    if (this.records === 0) return JSON.parse(this.text);
    if (this.depth !== 0) throw new SyntaxError("the JSON answer ended in the middle of a record");
    return { result: {} };
  }

  private scan(): void {
    const text = this.text;
    let i = this.scanFrom;
    for (;;) {
      const at = nextStructural(text, i);
      if (at === -1) {
        i = text.length;
        break;
      }
      if (text.charCodeAt(at) === 34 /* " */) {
        const close = stringEnd(text, at);
        if (close === -1) {
          i = at; // the string goes on in the next chunk
          break;
        }
        if (this.depth === MAP_DEPTH && this.inResult) this.key = text.slice(at + 1, close);
        else if (this.depth === 1) this.afterResult = close - at === 7 && text.startsWith("result", at + 1);
        i = close + 1;
        continue;
      }
      this.structural(text, at);
      i = at + 1;
      if (this.recordStart === at && this.records === 0) {
        this.decided = true;
        if (isCompactRefMap(text, at, this.key)) {
          this.compactAt = at;
          return;
        }
      }
    }
    this.scanFrom = i;
    // Keep the record in progress; before the first record keep everything (an error answer is parsed whole).
    this.keepFrom = this.recordStart >= 0 ? this.recordStart : this.records > 0 ? i : 0;
  }

  private structural(text: string, at: number): void {
    const ch = text.charCodeAt(at);
    if (ch === 123 /* { */ || ch === 91 /* [ */) {
      this.depth++;
      if (this.depth === MAP_DEPTH && this.afterResult && ch === 123) this.inResult = true;
      if (this.depth === MAP_DEPTH + 1 && this.inResult && ch === 123) this.recordStart = at;
      return;
    }
    if (this.depth === MAP_DEPTH + 1 && this.recordStart >= 0) this.emit(text, at);
    if (this.depth === MAP_DEPTH) this.inResult = false;
    this.depth--;
  }

  private emit(text: string, close: number): void {
    // The key through JSON.parse, not as the slice: a slice of 13+ characters would pin the whole
    // chunk text it was cut from, and refs live as long as the PoolView.
    // The record through a flat copy: JSON.parse of a slice may hand out slices of the chunk text
    // too, and the sink keeps strings without copying them (RecordSink).
    this.sink(JSON.parse(`"${this.key}"`) as string, JSON.parse(ownCopy(text.slice(this.recordStart, close + 1))));
    this.records++;
    this.recordStart = -1;
  }
}

const STRUCTURAL = /["{}[\]]/g;

/** The first record of a ref-keyed map, with no whitespace anywhere before it (XAPI's own output). */
function isCompactRefMap(text: string, recordStart: number, key: string): boolean {
  return key.startsWith("OpaqueRef:") && !/\s/.test(text.slice(0, recordStart));
}

/** Index of the next `"`, `{`, `}`, `[` or `]` at or after `from`, or -1. */
function nextStructural(text: string, from: number): number {
  STRUCTURAL.lastIndex = from;
  const m = STRUCTURAL.exec(text);
  return m ? m.index : -1;
}

/** Index of the quote closing the string opened at `open`, or -1 when it is not in `text` yet. */
function stringEnd(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 92 /* \ */) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}
