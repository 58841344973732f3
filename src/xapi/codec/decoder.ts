/**
 * Streaming XML-RPC decoder for XAPI's dialect. Pure: it eats the chunks it is handed (Buffers split
 * anywhere, even inside a UTF-8 sequence or a tag) and builds values as tags close, so a 150 MB
 * `VM.get_all_records` body is never held as one string. Members named in `skipMembers` (or not in
 * `keepMembers`) are skipped without keeping their text (`snapshot_metadata`, several KiB per
 * snapshot), and a `memberSink` receives each record as it completes instead of the decoder
 * building the whole map.
 *
 * Structs have no Object.prototype in their chain, so a member called `__proto__` stays an ordinary key.
 */
import { decodeEntities } from "./entities";
import { ARRAY, Frame, MAX_PREDICTIONS, NO_ITEMS, NO_MEMBERS, STRUCT, newStruct } from "./frame";
import { scalarValue, type Scalar } from "./scalars";
import { tagName } from "./tag-name";
import { Utf8Chunks } from "./utf8-chunks";
import { XmlRpcDecodeError, type DecodeOptions, type DecodedResponse, type MemberSink, type XmlRpcValue } from "./values";

export { XmlRpcDecodeError, type DecodeOptions, type DecodedResponse, type MemberSink, type XmlRpcValue } from "./values";

/** Buffer's native latin1 substring: a fresh flat string, no JS-level argument checks. */
const latin1Slice = (bytes: Buffer, from: number, to: number): string =>
  (bytes as Buffer & { latin1Slice(from: number, to: number): string }).latin1Slice(from, to);

export class XmlRpcDecoder {
  private readonly utf8 = new Utf8Chunks();
  private readonly skipMembers: ReadonlySet<string> | undefined;
  private readonly skipLevel: number | undefined;
  private readonly keepMembers: ReadonlySet<string> | undefined;
  private readonly sink: MemberSink | undefined;
  private buf = "";
  /** The bytes of `buf` from offset `bytesAt` (the newest chunk) when ASCII, so string offsets map to byte offsets. */
  private bytes: Buffer | undefined = undefined;
  private bytesAt = 0;
  /** Text capture: `pending` holds text from earlier chunks, `capStart` the start in `buf`. */
  private capturing = false;
  private capStart = 0;
  private pending = "";
  /** Inside a `<value>` that has no type element yet: its text is the string value. */
  private untyped = false;
  private scalar: Scalar | undefined = undefined;
  private readonly frames: Frame[] = [];
  private readonly firstNames = new Map<string, string>();
  private readonly nextNames = new Map<string, string>();
  /** > 0 while skipping a value: the `<value>` nesting depth inside the skipped one. */
  private skipDepth = 0;
  private skipNext = false;
  private results: XmlRpcValue[] = [];
  private fault = false;
  private sawDocument = false;

  constructor(options: DecodeOptions = {}) {
    this.skipMembers = options.skipMembers && options.skipMembers.size > 0 ? options.skipMembers : undefined;
    this.skipLevel = options.skipLevel;
    this.keepMembers = options.keepMembers;
    this.sink = options.memberSink;
  }

  /** Feeds the next chunk of the document. Throws XmlRpcDecodeError on malformed input. */
  write(chunk: Buffer | string): void {
    const text = typeof chunk === "string" ? chunk : this.utf8.write(chunk);
    const ascii = typeof chunk === "string" ? undefined : this.utf8.asciiBytes;
    // `buf` = the unread tail of the previous chunk (a partial tag, short) + this chunk; the
    // bytes cover `buf` from offset `bytesAt` on.
    this.bytes = ascii;
    this.bytesAt = this.buf.length;
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    this.parse();
  }

  /**
   * A substring of the current buffer that does not pin it. V8 makes substrings of 13+ characters
   * "sliced strings" that keep their whole parent alive: the decoded records would then hold every
   * 64 KiB chunk (the full body) in memory, skipped members included. Copying from the bytes
   * instead keeps memory proportional to what is decoded.
   */
  private sub(buf: string, from: number, to: number): string {
    const bytes = this.bytes;
    if (to - from < 13 || bytes === undefined || from < this.bytesAt) return buf.slice(from, to);
    return latin1Slice(bytes, from - this.bytesAt, to - this.bytesAt);
  }

  /** Ends a `<methodResponse>` document and returns its param (or fault). */
  endResponse(): DecodedResponse {
    this.finish();
    if (this.results.length !== 1) {
      throw new XmlRpcDecodeError(`expected one param in the response, found ${this.results.length}`);
    }
    return { fault: this.fault, value: this.results[0] as XmlRpcValue };
  }

  /** Ends a bare `<value>…</value>` fragment (a task result) and returns it. */
  endValue(): XmlRpcValue {
    this.finish();
    if (this.results.length !== 1) {
      throw new XmlRpcDecodeError(`expected one value, found ${this.results.length}`);
    }
    return this.results[0] as XmlRpcValue;
  }

  private finish(): void {
    const rest = this.utf8.end();
    if (rest) this.write(rest);
    if (this.buf.trim() !== "" || this.frames.length > 0 || this.capturing || this.skipDepth > 0) {
      throw new XmlRpcDecodeError("document ended in the middle of a value");
    }
    if (!this.sawDocument) throw new XmlRpcDecodeError("empty document");
  }

  private parse(): void {
    const buf = this.buf;
    let pos = 0;
    for (;;) {
      if (this.skipDepth > 0) {
        pos = this.skipScan(buf, pos);
        if (pos === -1) return;
      }
      const lt = buf.indexOf("<", pos);
      if (lt === -1) {
        this.keep(buf, buf.length);
        return;
      }
      let gt = buf.indexOf(">", lt + 1);
      if (gt === -1) {
        this.keep(buf, lt);
        return;
      }
      if (buf.charCodeAt(lt + 1) === 33 /* ! */ || buf.charCodeAt(lt + 1) === 63 /* ? */) {
        gt = this.special(buf, lt);
        if (gt === -1) {
          this.keep(buf, lt);
          return;
        }
      } else {
        const name = tagName(buf, lt, gt);
        const next = this.fastPath(name, buf, gt + 1);
        if (next !== -1) {
          pos = next;
          continue;
        }
        this.tag(buf, lt, gt, name);
      }
      pos = gt + 1;
    }
  }

  /**
   * Fast paths for the tag sequences that make up most of a record, matched wholly inside this
   * chunk. Each returns the index to continue from, or -1 to take the general path (which handles
   * every form, whitespace and chunk splits included).
   */
  private fastPath(name: string, buf: string, at: number): number {
    switch (name) {
      case "member":
        return this.fastMember(buf, at);
      case "value":
        return this.fastValue(buf, at);
      case "/data":
        if (!buf.startsWith("</array></value>", at)) return -1;
        this.close(ARRAY);
        return this.afterMember(buf, at + 16);
      case "/struct":
        if (!buf.startsWith("</value>", at)) return -1;
        this.close(STRUCT);
        return this.afterMember(buf, at + 8);
      default:
        return -1;
    }
  }

  /** `<name>k</name>` then, when simple, `<value>text</value></member>` or a `<boolean>` value. */
  private fastMember(buf: string, at: number): number {
    if (!buf.startsWith("<name>", at)) return -1;
    const nameEnd = buf.indexOf("<", at + 6);
    if (nameEnd === -1 || !buf.startsWith("</name>", nameEnd)) return -1;
    const frame = this.frames[this.frames.length - 1];
    if (!frame || frame.kind !== STRUCT) throw new XmlRpcDecodeError("<member> outside a struct");
    const name = this.memberName(frame, buf, at + 6, nameEnd);
    const valueAt = nameEnd + 7;
    const skip = this.skips(name);
    if (buf.startsWith("<value>", valueAt)) {
      const textAt = valueAt + 7;
      const end = buf.indexOf("<", textAt);
      if (end !== -1 && buf.startsWith("</value></member>", end)) {
        if (!skip) this.store(frame, name, decodeEntities(this.sub(buf, textAt, end)));
        return end + 17;
      }
      if (end === textAt && buf.startsWith("<boolean>", end) && buf.startsWith("</boolean></value></member>", end + 10)) {
        const digit = buf.charCodeAt(end + 9);
        if (digit === 49 /* 1 */ || digit === 48 /* 0 */) {
          if (!skip) this.store(frame, name, digit === 49);
          return end + 37;
        }
      }
    }
    this.skipNext = skip;
    frame.name = name;
    return valueAt;
  }

  /**
   * Records repeat their field order, so the name that followed the previous member last time is
   * compared in place first: on a hit no string is allocated (and the Set/Map lookups that follow
   * hit a hash V8 already computed).
   */
  private memberName(frame: Frame, buf: string, from: number, to: number): string {
    const last = frame.lastName;
    const predicted = last === undefined ? this.firstNames.get(frame.context) : this.nextNames.get(last);
    if (predicted !== undefined && predicted.length === to - from && buf.startsWith(predicted, from)) {
      frame.lastName = predicted;
      return predicted;
    }
    // sub(), not slice(): a remembered name must not pin its 64 KiB chunk (sliced strings do).
    const name = decodeEntities(this.sub(buf, from, to));
    const table = last === undefined ? this.firstNames : this.nextNames;
    if (table.size < MAX_PREDICTIONS) table.set(last ?? frame.context, name);
    frame.lastName = name;
    return name;
  }

  /** `<value>text</value>`, `<value><struct>`, `<value><array><data>`. */
  private fastValue(buf: string, at: number): number {
    if (this.skipNext) return -1;
    if (buf.charCodeAt(at) !== 60 /* < */ || buf.startsWith("</value>", at)) {
      const end = buf.indexOf("<", at);
      if (end === -1 || !buf.startsWith("</value>", end)) return -1;
      this.emit(decodeEntities(this.sub(buf, at, end)));
      return end + 8;
    }
    if (buf.startsWith("<struct>", at)) {
      this.open(STRUCT);
      return at + 8;
    }
    if (buf.startsWith("<array><data>", at)) {
      this.open(ARRAY);
      return at + 13;
    }
    return -1;
  }

  private afterMember(buf: string, at: number): number {
    if (!buf.startsWith("</member>", at)) return at;
    this.skipNext = false;
    return at + 9;
  }

  /** Keeps `buf[from..]` for the next chunk; text captured so far moves to `pending`. */
  private keep(buf: string, from: number): void {
    if (this.capturing) {
      this.pending += this.sub(buf, this.capStart, from);
      this.capStart = 0;
    }
    this.buf = from >= buf.length ? "" : buf.slice(from);
  }

  /** `<?…?>`, `<!--…-->`, `<![CDATA[…]]>`. Returns the index of the closing `>`, or -1 if incomplete. */
  private special(buf: string, lt: number): number {
    let close: number;
    let cdata = "";
    if (buf.startsWith("<!--", lt)) {
      const end = buf.indexOf("-->", lt + 4);
      if (end === -1) return -1;
      close = end + 2;
    } else if (buf.startsWith("<![CDATA[", lt)) {
      const end = buf.indexOf("]]>", lt + 9);
      if (end === -1) return -1;
      // Escaped so the entity decoding of the whole text gives it back verbatim.
      cdata = buf.slice(lt + 9, end).replace(/&/g, "&amp;");
      close = end + 2;
    } else {
      close = buf.indexOf(">", lt);
    }
    if (this.capturing && this.skipDepth === 0) {
      this.pending += this.sub(buf, this.capStart, lt) + cdata;
      this.capStart = close + 1;
    }
    return close;
  }

  private takeText(buf: string, lt: number): string {
    const raw = this.pending.length === 0 ? this.sub(buf, this.capStart, lt) : this.pending + this.sub(buf, this.capStart, lt);
    this.pending = "";
    this.capturing = false;
    return decodeEntities(raw);
  }

  private startCapture(at: number): void {
    this.capturing = true;
    this.capStart = at;
    this.pending = "";
  }

  private tag(buf: string, lt: number, gt: number, name: string): void {
    switch (name) {
      case "value":
        if (this.skipNext) return this.startSkip();
        this.untyped = true;
        return this.startCapture(gt + 1);
      case "/value":
        if (this.untyped) {
          this.untyped = false;
          this.emit(this.takeText(buf, lt));
        }
        return;
      case "member":
      case "/member":
        this.skipNext = false;
        return;
      case "name":
        this.scalar = "name";
        return this.startCapture(gt + 1);
      case "/name":
        return this.endName(this.takeText(buf, lt));
      case "struct":
        return this.open(STRUCT);
      case "array":
        return this.open(ARRAY);
      case "/struct":
      case "/array":
        return this.close(name === "/struct" ? STRUCT : ARRAY);
      case "data":
      case "/data":
        return;
      case "string":
        return this.openScalar("string", gt);
      case "int":
      case "i4":
        return this.openScalar("int", gt);
      case "i8":
        return this.openScalar("i8", gt);
      case "double":
        return this.openScalar("double", gt);
      case "boolean":
        return this.openScalar("boolean", gt);
      case "dateTime.iso8601":
        return this.openScalar("dateTime", gt);
      case "/string":
      case "/int":
      case "/i4":
      case "/i8":
      case "/double":
      case "/boolean":
      case "/dateTime.iso8601":
        return this.closeScalar(this.takeText(buf, lt));
      default:
        return this.otherTag(name, buf, lt, gt);
    }
  }

  /** Envelope tags, self-closing tags and tags written with whitespace. */
  private otherTag(raw: string, buf: string, lt: number, gt: number): void {
    const selfClosing = raw.endsWith("/");
    const name = (selfClosing ? raw.slice(0, -1) : raw).trim().split(/\s/, 1)[0] ?? "";
    if (!selfClosing && name !== raw) return this.tag(buf, lt, gt, name);
    switch (name) {
      case "methodResponse":
        this.sawDocument = true;
        return;
      case "params":
      case "param":
      case "/params":
      case "/param":
      case "/methodResponse":
      case "/fault":
        return;
      case "fault":
        this.fault = true;
        return;
      case "nil":
        return this.emitTyped(null);
      case "value":
        if (this.skipNext) return this.skipEmptyValue();
        return this.emitTyped("");
      case "string":
        return this.emitTyped("");
      case "struct":
        return this.emitTyped(newStruct());
      case "array":
        return this.emitTyped([]);
      case "data":
      case "member":
        return;
      default:
        throw new XmlRpcDecodeError(`unknown XML-RPC tag <${raw}>`);
    }
  }

  private openScalar(kind: Scalar, gt: number): void {
    this.untyped = false;
    this.scalar = kind;
    this.startCapture(gt + 1);
  }

  private closeScalar(text: string): void {
    const kind = this.scalar;
    this.scalar = undefined;
    if (kind === undefined || kind === "name") throw new XmlRpcDecodeError("closing tag without a matching scalar");
    this.emit(scalarValue(kind, text));
  }

  private emitTyped(value: XmlRpcValue): void {
    this.untyped = false;
    this.capturing = false;
    this.emit(value);
  }

  private endName(name: string): void {
    this.scalar = undefined;
    const frame = this.frames[this.frames.length - 1];
    if (!frame || frame.kind !== STRUCT) throw new XmlRpcDecodeError("<name> outside a struct");
    frame.name = name;
    frame.lastName = name;
    if (this.skips(name)) this.skipNext = true;
  }

  private open(kind: typeof ARRAY | typeof STRUCT): void {
    this.untyped = false;
    this.capturing = false;
    const context = this.frames[this.frames.length - 1]?.name ?? "";
    this.frames.push(
      kind === ARRAY ? new Frame(ARRAY, [], NO_MEMBERS, context) : new Frame(STRUCT, NO_ITEMS, newStruct(), context),
    );
  }

  private close(kind: typeof ARRAY | typeof STRUCT): void {
    const frame = this.frames.pop();
    if (!frame || frame.kind !== kind) throw new XmlRpcDecodeError("mismatched </array> or </struct>");
    this.emit(kind === ARRAY ? frame.items : frame.members);
  }

  private emit(value: XmlRpcValue): void {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) {
      this.sawDocument = true;
      this.results.push(value);
    } else if (frame.kind === ARRAY) {
      frame.items.push(value);
    } else {
      if (frame.name === undefined) throw new XmlRpcDecodeError("struct member without a <name>");
      this.store(frame, frame.name, value);
      frame.name = undefined;
    }
  }

  private skips(name: string): boolean {
    if (this.skipMembers === undefined && this.keepMembers === undefined) return false;
    if (this.skipLevel !== undefined && this.skipLevel !== this.frames.length) return false;
    return this.skipMembers?.has(name) === true || (this.keepMembers !== undefined && !this.keepMembers.has(name));
  }

  private store(frame: Frame, name: string, value: XmlRpcValue): void {
    const sink = this.sink;
    if (sink !== undefined && sink.level === this.frames.length) sink.accept(name, value);
    else frame.members[name] = value;
  }

  private startSkip(): void {
    this.skipNext = false;
    this.skipDepth = 1;
    const frame = this.frames[this.frames.length - 1];
    if (frame) frame.name = undefined;
  }

  private skipEmptyValue(): void {
    this.startSkip();
    this.skipDepth = 0;
  }

  /**
   * While skipping, jump from one `value` tag to the next with indexOf: the skipped bytes are never
   * looked at one by one. Only `<value>` nesting matters (XAPI sends no CDATA or comments). Returns
   * the index after the `</value>` that ends the skip, or -1 when the chunk ran out (tail kept).
   */
  private skipScan(buf: string, from: number): number {
    let pos = from;
    for (;;) {
      const at = buf.indexOf("value", pos);
      if (at === -1) {
        this.keep(buf, Math.max(pos, buf.length - 7)); // a tag may be cut: "</valu"
        return -1;
      }
      const closing = buf.charCodeAt(at - 1) === 47 /* / */ && buf.charCodeAt(at - 2) === 60; /* < */
      if (!closing && buf.charCodeAt(at - 1) !== 60) {
        pos = at + 5; // "value" inside skipped text
        continue;
      }
      const gt = buf.indexOf(">", at + 5);
      if (gt === -1) {
        this.keep(buf, closing ? at - 2 : at - 1);
        return -1;
      }
      const after = buf.charCodeAt(at + 5);
      if (after === 62 /* > */ || after === 32 || after === 9 || after === 10 || after === 13 || after === 47) {
        if (closing) {
          if (--this.skipDepth === 0) return gt + 1;
        } else if (buf.charCodeAt(gt - 1) !== 47 /* / */) {
          this.skipDepth++;
        }
      }
      pos = gt + 1;
    }
  }

}

/** Decodes a whole `<methodResponse>` held in memory. */
export function decodeResponse(body: Buffer | string, options?: DecodeOptions): DecodedResponse {
  const decoder = new XmlRpcDecoder(options);
  decoder.write(body);
  return decoder.endResponse();
}

/** Decodes a bare `<value>` fragment, e.g. a task's `result` field. */
export function decodeValueFragment(xml: string): XmlRpcValue {
  const decoder = new XmlRpcDecoder();
  decoder.write(xml);
  return decoder.endValue();
}
