/**
 * Turns socket Buffers into strings, with UTF-8 sequences split across chunks carried over.
 * ASCII chunks (nearly all of a XAPI response) take a latin1 fast path: V8 then builds one-byte
 * strings, several times faster than UTF-8 decoding, and every later scan is faster too.
 */
import { isAscii } from "buffer";

export class Utf8Chunks {
  private carry: Buffer | undefined = undefined;
  /** The bytes of the last write when they were all ASCII (then byte offsets = string offsets). */
  asciiBytes: Buffer | undefined = undefined;

  write(chunk: Buffer): string {
    let bytes = chunk;
    if (this.carry) {
      bytes = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    if (isAscii(bytes)) {
      this.asciiBytes = bytes;
      return bytes.toString("latin1");
    }
    this.asciiBytes = undefined;
    const cut = completeLength(bytes);
    if (cut < bytes.length) this.carry = Buffer.from(bytes.subarray(cut));
    return bytes.toString("utf8", 0, cut);
  }

  /** Bytes left at the end are an incomplete sequence: decoded as U+FFFD, as TextDecoder would. */
  end(): string {
    const rest = this.carry;
    this.carry = undefined;
    return rest ? rest.toString("utf8") : "";
  }
}

/** Length of the prefix of `bytes` that ends on a UTF-8 sequence boundary. */
function completeLength(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const b = bytes[n - back] as number;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}
