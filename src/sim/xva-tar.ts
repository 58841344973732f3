/**
 * The minimal ustar subset XVA needs (reference/xapi.md §3.13): regular files with names up to 100
 * bytes, 512-byte headers and padding, two zero blocks at the end. Writing is pure (header bytes);
 * reading is a pull-based async generator, so a slow consumer slows the socket instead of filling memory.
 */
import { XvaFormatError } from "./xva-errors";

export const TAR_BLOCK = 512;

/** Two zero blocks mark the end of the archive (POSIX ustar). */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK);

const ZERO_BLOCK = Buffer.alloc(TAR_BLOCK);

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  // width - 1 octal digits, NUL-terminated: what GNU tar and xapi's ocaml-tar write.
  header.write(value.toString(8).padStart(width - 1, "0") + "\0", offset, width, "ascii");
}

function headerChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

/** The 512-byte ustar header of a regular file. Throws on a name over 100 bytes (a bug in the caller). */
export function tarHeader(args: { readonly name: string; readonly size: number; readonly mtime?: number }): Buffer {
  const nameBytes = Buffer.from(args.name, "utf8");
  if (nameBytes.length === 0 || nameBytes.length > 100) throw new Error(`tar: member name must be 1..100 bytes: ${args.name}`);
  if (!Number.isSafeInteger(args.size) || args.size < 0 || args.size >= 8 ** 11) throw new Error(`tar: bad size ${args.size}`);
  const header = Buffer.alloc(TAR_BLOCK);
  nameBytes.copy(header, 0);
  writeOctal(header, 100, 8, 0o644); // mode
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, args.size);
  writeOctal(header, 136, 12, Math.max(0, Math.floor(args.mtime ?? 0)));
  header.write("0", 156, "ascii"); // typeflag: regular file
  header.write("ustar\0" + "00", 257, "ascii");
  header.write("root", 265, "ascii"); // uname
  header.write("root", 297, "ascii"); // gname
  // Checksum: six octal digits, NUL, space (the historical layout every tar accepts).
  header.write(headerChecksum(header).toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return header;
}

/** Zero bytes that pad a member of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return rest === 0 ? Buffer.alloc(0) : ZERO_BLOCK.subarray(0, TAR_BLOCK - rest);
}

export interface TarMember {
  readonly name: string;
  readonly data: Buffer;
}

/** Exact-length reads over an async byte source; returns a short buffer only at end of stream. */
class ByteReader {
  private readonly parts: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  async read(n: number): Promise<Buffer> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) {
        this.parts.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length));
        this.buffered += next.value.length;
      }
    }
    const all = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.buffered);
    const taken = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(taken.length);
    this.parts.length = 0;
    if (rest.length > 0) this.parts.push(rest);
    this.buffered = rest.length;
    return taken;
  }
}

function readOctal(header: Buffer, offset: number, width: number, member: string): number {
  const field = header.subarray(offset, offset + width);
  if ((field[0]! & 0x80) !== 0) {
    // GNU base-256 encoding for big sizes: far beyond a chunk, but decode it so the size check names it.
    let v = 0;
    for (let i = 1; i < width; i++) v = v * 256 + field[i]!;
    return v;
  }
  const text = field.toString("ascii").replace(/\0.*$/s, "").trim();
  if (!/^[0-7]*$/.test(text)) throw new XvaFormatError("BAD_TAR", member, `bad octal field at offset ${offset}`);
  return text === "" ? 0 : parseInt(text, 8);
}

function memberName(header: Buffer): string {
  const field = (offset: number, width: number): string => {
    const raw = header.subarray(offset, offset + width);
    const end = raw.indexOf(0);
    return raw.subarray(0, end === -1 ? width : end).toString("utf8");
  };
  // Only POSIX ustar ("ustar\0") has a name prefix at 345; GNU tar ("ustar  ") keeps times there.
  const isPosixUstar = header.toString("binary", 257, 263) === "ustar\0";
  const prefix = isPosixUstar ? field(345, 155) : "";
  const name = field(0, 100);
  return prefix === "" ? name : `${prefix}/${name}`;
}

function checkHeaderSum(header: Buffer, name: string): void {
  const stored = readOctal(header, 148, 8, name);
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) signed += i >= 148 && i < 156 ? 0x20 : (header[i]! << 24) >> 24;
  // Some old tars summed signed bytes; accept either, as GNU tar does.
  if (stored !== headerChecksum(header) && stored !== signed) {
    throw new XvaFormatError("BAD_TAR", name, "header checksum mismatch");
  }
}

/**
 * Yield the regular-file members of a tar stream in order. Directories are skipped; any other entry
 * type (links, pax or GNU long-name headers) is refused because an XVA never holds one.
 * `maxSize(name)` bounds what is buffered per member: a corrupt size field fails fast with
 * MEMBER_TOO_LARGE instead of exhausting memory.
 */
export async function* readTarMembers(
  source: AsyncIterable<Uint8Array>,
  maxSize: (name: string) => number,
): AsyncGenerator<TarMember> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  for (;;) {
    const header = await reader.read(TAR_BLOCK);
    if (header.length < TAR_BLOCK) throw new XvaFormatError("TRUNCATED", "", "archive ends without end-of-archive blocks");
    if (header.equals(ZERO_BLOCK)) return; // end of archive; trailing record padding is ignored
    const name = memberName(header);
    checkHeaderSum(header, name);
    const size = readOctal(header, 124, 12, name);
    const type = String.fromCharCode(header[156]!);
    if (type === "5") {
      await skip(reader, size, name);
      continue;
    }
    if (type !== "0" && type !== "\0") throw new XvaFormatError("BAD_TAR", name, `unsupported tar entry type '${type}'`);
    if (size > maxSize(name)) throw new XvaFormatError("MEMBER_TOO_LARGE", name, `${size} bytes`);
    const data = await reader.read(size);
    if (data.length < size) throw new XvaFormatError("TRUNCATED", name, `member ends after ${data.length} of ${size} bytes`);
    await skip(reader, tarPadding(size).length, name);
    yield { name, data };
  }
}

async function skip(reader: ByteReader, n: number, name: string): Promise<void> {
  if (n === 0) return;
  const skipped = await reader.read(n);
  if (skipped.length < n) throw new XvaFormatError("TRUNCATED", name, "archive ends inside padding");
}
