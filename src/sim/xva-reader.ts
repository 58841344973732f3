/**
 * Reads and verifies an XVA archive as it streams (reference/xapi.md §3.13): ova.xml first, then per
 * disk chunks with strictly increasing numbers, each immediately followed by its `.xxhash` (XXH64) or
 * legacy `.checksum` (SHA-1) member (xapi-project/xen-api:ocaml/xapi/stream_vdi.ml `recv_all_vdi`).
 * Any deviation rejects with an XvaFormatError naming the member; a chunk reaches `onChunk` only once
 * its checksum has matched. Gzip input is recognised by its magic bytes.
 */
import { createHash, type Hash } from "node:crypto";
import { PassThrough, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { XvaFormatError } from "./xva-errors";
import { type ParsedOva, parseOvaXml } from "./xva-ova";
import { type TarMember, readTarMembers } from "./xva-tar";
import { XVA_CHUNK_SIZE } from "./xva-writer";
import { type Xxh64, loadXxh64 } from "./xva-xxh64";

/** A verified chunk. `offset` is its byte offset in the disk; skipped (all-zero) ranges are never delivered. */
export interface XvaChunk {
  readonly disk: string;
  readonly offset: number;
  readonly data: Buffer;
}

export interface XvaDiskSummary {
  /** Bytes the archive covers: the last non-empty chunk's offset + length (the virtual size for xapi exports). */
  readonly size: number;
  /** Chunk members present (skipped zero chunks not counted). */
  readonly chunks: number;
  /** SHA-256 (lower-case hex) of the whole disk with skipped ranges as zeros; only with `sha256: true`. */
  readonly sha256?: string;
}

export interface ReadXvaOptions {
  /** Called once ova.xml is parsed, before any chunk: an importer creates its VDIs here. */
  readonly onOva?: (ova: ParsedOva) => void | Promise<void>;
  /** Called with each verified chunk, in archive order; the read waits for a returned promise. */
  readonly onChunk?: (chunk: XvaChunk) => void | Promise<void>;
  /** Archive bytes consumed so far (compressed bytes for gzip input). */
  readonly onProgress?: (bytesRead: number) => void;
  /** Compute each disk's SHA-256 (costs one hash pass over the disk data). */
  readonly sha256?: boolean;
}

export interface ReadXvaResult {
  readonly ova: ParsedOva;
  readonly disks: ReadonlyMap<string, XvaDiskSummary>;
}

/** ova.xml of a VM with many disks is tens of KiB; the cap only stops a corrupt size field. */
const MAX_OVA_XML = 64 * 1024 * 1024;
const CHUNK_NAME = /^(.+)\/(\d{8})$/;
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const ZERO_CHUNK = Buffer.alloc(XVA_CHUNK_SIZE);

/** Per-disk state while its chunks stream by. */
interface DiskProgress {
  lastChunk: number;
  /** End offset of the data seen so far: the disk size once the last chunk has passed. */
  covered: number;
  chunks: number;
  /** Length of a short (final) chunk already seen: nothing may follow it but empty chunks. */
  shortChunk?: number;
  readonly hash?: Hash;
}

async function* countBytes(input: AsyncIterable<Uint8Array>, onProgress?: (n: number) => void): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const part of input) {
    total += part.length;
    onProgress?.(total);
    yield part;
  }
}

/** Pass plain tar through; gunzip when the stream starts with the gzip magic. */
async function* decompressed(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const source = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < ZSTD_MAGIC.length && !ended) {
    const next = await source.next();
    if (next.done) ended = true;
    else head = Buffer.concat([head, next.value]);
  }
  if (head.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC)) {
    throw new XvaFormatError("UNSUPPORTED_COMPRESSION", "", "zstd-compressed XVA (use_compression=zstd) cannot be read");
  }
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
  }
  if (!head.subarray(0, 2).equals(GZIP_MAGIC)) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip();
  const out = new PassThrough();
  pipeline(rest(), gunzip, out, () => {
    // errors surface through `out`'s iterator below
  });
  try {
    yield* out;
  } catch (e) {
    if (e instanceof XvaFormatError) throw e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("Z_")) throw new XvaFormatError("BAD_GZIP", "", String((e as Error).message));
    throw e;
  }
}

function maxMemberSize(name: string): number {
  return name === "ova.xml" ? MAX_OVA_XML : XVA_CHUNK_SIZE;
}

function verifyChecksum(chunk: TarMember, sum: TarMember | undefined, xxh64: Xxh64): void {
  if (sum === undefined || (sum.name !== `${chunk.name}.xxhash` && sum.name !== `${chunk.name}.checksum`)) {
    throw new XvaFormatError("MISSING_CHECKSUM", chunk.name, `next member is ${sum === undefined ? "end of archive" : sum.name}`);
  }
  const stored = sum.data.toString("ascii").trim().toUpperCase();
  const actual = sum.name.endsWith(".xxhash")
    ? xxh64(chunk.data)
    : createHash("sha1").update(chunk.data).digest("hex").toUpperCase();
  if (stored !== actual) throw new XvaFormatError("CHECKSUM_MISMATCH", chunk.name, `archive says ${stored}, data hashes to ${actual}`);
}

/** Feed `bytes` zeros to a hash: the contents of skipped all-zero chunks. */
function hashZeros(hash: Hash, bytes: number): void {
  for (let left = bytes; left > 0; left -= XVA_CHUNK_SIZE) hash.update(ZERO_CHUNK.subarray(0, Math.min(left, XVA_CHUNK_SIZE)));
}

/**
 * Read an XVA archive (plain or gzip) to its end, verifying it. Resolves with ova.xml and a summary per
 * disk that has chunks; rejects with XvaFormatError on any corruption (or with the error `onOva` /
 * `onChunk` threw). Memory stays at about two chunks. On rejection the rest of `input` is left unread
 * and undestroyed: an HTTP handler may still want to answer on that socket.
 */
export async function readXva(input: AsyncIterable<Uint8Array>, opts: ReadXvaOptions = {}): Promise<ReadXvaResult> {
  const xxh64 = await loadXxh64();
  const members = readTarMembers(decompressed(countBytes(input, opts.onProgress)), maxMemberSize);
  const first = await members.next();
  if (first.done || first.value.name !== "ova.xml") {
    throw new XvaFormatError("MISSING_OVA_XML", first.done ? "" : first.value.name, "the first member must be ova.xml");
  }
  const ova = await parseOvaXml(first.value.data.toString("utf8"));
  await opts.onOva?.(ova);
  const vdiIds = new Set(ova.objects.filter((o) => o.class === "VDI").map((o) => o.id));
  const disks = new Map<string, DiskProgress>();
  let current: string | undefined;

  for (let next = await members.next(); !next.done; next = await members.next()) {
    const chunk = next.value;
    const match = CHUNK_NAME.exec(chunk.name);
    if (match === null) throw new XvaFormatError("UNEXPECTED_MEMBER", chunk.name, "expected a chunk named <disk>/<8 digits>");
    const [, disk = "", digits = ""] = match;
    if (!vdiIds.has(disk)) throw new XvaFormatError("UNKNOWN_DISK", chunk.name, `${disk} is no VDI object in ova.xml`);
    const number = Number(digits);
    const state = disks.get(disk);
    if (state !== undefined && current !== disk) throw new XvaFormatError("CHUNK_ORDER", chunk.name, `chunks of ${disk} are not contiguous`);
    if (state !== undefined && number <= state.lastChunk) {
      throw new XvaFormatError("CHUNK_ORDER", chunk.name, `chunk ${number} after chunk ${state.lastChunk}`);
    }
    // Only a disk's last chunk may be short; an empty chunk is a keep-alive (xapi sends one when the
    // source is slow) and stands for nothing.
    if (state?.shortChunk !== undefined && chunk.data.length > 0) {
      throw new XvaFormatError("CHUNK_SIZE", chunk.name, `follows a short chunk of ${state.shortChunk} bytes`);
    }
    const sum = await members.next();
    verifyChecksum(chunk, sum.done ? undefined : sum.value, xxh64);

    const progress: DiskProgress = state ?? { lastChunk: -1, covered: 0, chunks: 0, ...(opts.sha256 ? { hash: createHash("sha256") } : {}) };
    const offset = number * XVA_CHUNK_SIZE;
    if (chunk.data.length > 0) {
      if (progress.hash !== undefined) {
        hashZeros(progress.hash, offset - progress.covered);
        progress.hash.update(chunk.data);
      }
      progress.covered = offset + chunk.data.length;
      if (chunk.data.length < XVA_CHUNK_SIZE) progress.shortChunk = chunk.data.length;
    }
    progress.lastChunk = number;
    progress.chunks += 1;
    disks.set(disk, progress);
    current = disk;
    await opts.onChunk?.({ disk, offset, data: chunk.data });
  }
  return { ova, disks: summarise(disks) };
}

function summarise(disks: ReadonlyMap<string, DiskProgress>): Map<string, XvaDiskSummary> {
  const out = new Map<string, XvaDiskSummary>();
  for (const [disk, p] of disks) {
    out.set(disk, { size: p.covered, chunks: p.chunks, ...(p.hash !== undefined ? { sha256: p.hash.digest("hex") } : {}) });
  }
  return out;
}
