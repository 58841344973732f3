/**
 * Streaming splitter for a JSON-RPC `get_all_records` answer, `{"result": {ref: record, …}}`:
 * each record's text is cut out as soon as its closing brace arrives and handed to JSON.parse, so
 * the 200 MB answer of a large pool never exists as one string, yet every record is parsed by V8's
 * native parser (several times faster than any JavaScript XML parser, reference/stack-notes.md §5).
 * Anything else (an error answer, an unexpected shape) is kept whole and parsed at the end.
 *
 * Finding where a record ends is the cost that matters (a JavaScript scan over every quote and
 * brace cost as much as parsing). Once the answer is known to be compact JSON keyed by refs (as
 * XAPI writes it), records are cut at each `},"OpaqueRef:` found by indexOf, and JSON.parse itself
 * confirms the cut: a proper prefix of a record is never valid JSON, so a look-alike inside a
 * record just fails to parse and the search moves on.
 */
import { Utf8Chunks } from "./codec/utf8-chunks";

export type RecordSink = (ref: string, record: unknown) => void;

/** Depth of the braces/brackets: 1 = the envelope, 2 = the result map, 3 = a record. */
const MAP_DEPTH = 2;

export class JsonRecordSplitter {
  private readonly utf8 = new Utf8Chunks();
  private text = "";
  /** Where scanning resumes in `text`. */
  private scanFrom = 0;
  /** Everything before this index in `text` is no longer needed. */
  private keepFrom = 0;
  private depth = 0;
  /** Start of the record being read (index in `text`), or -1. */
  private recordStart = -1;
  /** The last string seen at map depth: the key of the record that follows. */
  private key = "";
  /** The last string at envelope depth was "result": the object that follows is the record map. */
  private afterResult = false;
  private inResult = false;
  private records = 0;
  /** Compact, ref-keyed answer: records are cut at `},"OpaqueRef:` (see above). */
  private fast = false;
  /** In fast mode between records: index of the quote opening the next record's key, else -1. */
  private keyAt = -1;

  constructor(private readonly sink: RecordSink) {}

  write(chunk: Buffer): void {
    const drop = this.keepFrom;
    this.text = (drop === 0 ? this.text : this.text.slice(drop)) + this.utf8.write(chunk);
    this.scanFrom -= drop;
    if (this.recordStart >= 0) this.recordStart -= drop;
    if (this.keyAt >= 0) this.keyAt -= drop;
    this.keepFrom = 0;
    if (this.fast) this.scanFast();
    else this.scan();
  }

  /** `{result: {}}` once records were handed out, else the whole answer parsed (an error, a non-map result). */
  end(): unknown {
    const rest = this.utf8.end();
    if (rest) {
      this.text += rest;
      if (this.fast) this.scanFast();
      else this.scan();
    }
    if (this.fast) return this.endFast();
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
      if (this.recordStart === at && this.records === 0 && isCompactRefMap(text, at, this.key)) {
        this.fast = true;
        this.scanFrom = at + 1;
        this.scanFast();
        return;
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

  private scanFast(): void {
    const text = this.text;
    let from = this.scanFrom;
    for (;;) {
      if (this.recordStart < 0) {
        const keyEnd = text.indexOf('"', this.keyAt + 1);
        if (keyEnd === -1 || keyEnd + 3 > text.length) {
          from = this.keyAt;
          break;
        }
        if (!text.startsWith('":{', keyEnd)) throw new SyntaxError("unexpected JSON between two records");
        this.key = text.slice(this.keyAt + 1, keyEnd);
        this.recordStart = keyEnd + 2;
        this.keyAt = -1;
        from = this.recordStart + 1;
      }
      const cut = text.indexOf('},"OpaqueRef:', from);
      if (cut === -1) {
        from = Math.max(from, text.length - 13); // the pattern may be split by the chunk
        break;
      }
      const record = tryParse(text, this.recordStart, cut + 1);
      if (record === undefined) {
        from = cut + 1; // a look-alike inside the record
        continue;
      }
      this.deliver(record);
      this.keyAt = cut + 2;
    }
    this.scanFrom = from;
    this.keepFrom = this.recordStart >= 0 ? this.recordStart : this.keyAt;
  }

  /** The last record ends at a `}}` (record, then map); JSON.parse picks the right one. */
  private endFast(): unknown {
    const text = this.text;
    let from = this.recordStart;
    while (this.recordStart >= 0) {
      const cut = text.indexOf("}}", from);
      if (cut === -1) throw new SyntaxError("the JSON answer ended in the middle of a record");
      const record = tryParse(text, this.recordStart, cut + 1);
      if (record === undefined) from = cut + 1;
      else this.deliver(record);
    }
    return { result: {} };
  }

  private deliver(record: unknown): void {
    // Through JSON.parse, not as the slice: a slice of 13+ characters would pin the whole chunk
    // text it was cut from, and refs live as long as the PoolView.
    this.sink(JSON.parse(`"${this.key}"`) as string, record);
    this.records++;
    this.recordStart = -1;
  }

  private emit(text: string, close: number): void {
    this.deliver(JSON.parse(text.slice(this.recordStart, close + 1)));
  }
}

const STRUCTURAL = /["{}[\]]/g;

function tryParse(text: string, from: number, to: number): unknown {
  try {
    return JSON.parse(text.slice(from, to));
  } catch {
    return undefined;
  }
}

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
