/**
 * Streams an XVA archive (reference/xapi.md §3.13): `ova.xml`, then per disk, sorted by id, 1 MiB
 * chunks `Ref:N/00000000`… each immediately followed by `Ref:N/00000000.xxhash`. All-zero chunks are
 * left out except each disk's first and last; the importer infers the gap from the chunk numbers
 * (xapi-project/xen-api:ocaml/xapi/stream_vdi.ml `send_one`).
 */
import { Readable, pipeline } from "node:stream";
import { createGzip } from "node:zlib";
import { TAR_END, tarHeader, tarPadding } from "./xva-tar";
import { loadXxh64 } from "./xva-xxh64";

/** Size of every chunk but a disk's last (`Stream_vdi.chunk_size`). */
export const XVA_CHUNK_SIZE = 1024 * 1024;

/** A disk to export. `read` may be called once per chunk, in increasing offset order. */
export interface XvaDiskSource {
  /** The VDI's archive-local id in ova.xml, `Ref:<n>`; it names the disk's chunk members. */
  readonly id: string;
  /** Virtual size in bytes: the archive covers exactly this many bytes. */
  readonly size: number;
  /** Exactly `length` bytes at `offset` (zeros where the disk holds no data). */
  read(offset: number, length: number): Buffer | Promise<Buffer>;
  /**
   * Ascending indices of the chunks that may hold non-zero bytes (a sparse disk's allocation map, as
   * xapi reads a VHD's block bitmap). When given, only these and the first and last chunk are read.
   */
  nonZeroChunks?(): Iterable<number>;
}

export interface WriteXvaArgs {
  readonly ovaXml: string;
  readonly disks: readonly XvaDiskSource[];
  /** Gzip the whole tar stream, as xapi does for `use_compression=true`. */
  readonly compress?: boolean;
  /** Disk bytes covered so far (written or skipped as zeros) out of the sum of disk sizes. */
  readonly onProgress?: (bytesWritten: number, totalBytes: number) => void;
  /** mtime for every member, seconds since the epoch; 0 keeps archives byte-for-byte reproducible. */
  readonly mtime?: number;
}

/** `Ref:12/00000003`: 8-digit zero-padded chunk number under the disk id. */
export const chunkMemberName = (diskId: string, chunk: number): string => `${diskId}/${String(chunk).padStart(8, "0")}`;

const ZERO_CHUNK = Buffer.alloc(XVA_CHUNK_SIZE);
const isAllZero = (data: Buffer): boolean => data.equals(ZERO_CHUNK.subarray(0, data.length));

/**
 * Disks stream in plain string order of their ids, so `Ref:10` comes before `Ref:9`: the importer
 * expects exactly this order (xapi-project/xen-api:ocaml/xapi/stream_vdi.ml `vdi_ordering`, a
 * `compare` on the prefix, used by both `send_all` and `recv_all_vdi`).
 */
export function compareDiskIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Chunk numbers to read: every one, or the first, the listed non-zero ones and the last. */
function chunksToRead(disk: XvaDiskSource, chunks: number): Iterable<number> {
  if (!disk.nonZeroChunks) return { *[Symbol.iterator]() { for (let i = 0; i < chunks; i++) yield i; } };
  const picked = new Set<number>([0]);
  for (const i of disk.nonZeroChunks()) if (i > 0 && i < chunks) picked.add(i);
  picked.add(chunks - 1);
  return [...picked].sort((a, b) => a - b);
}

function* member(name: string, data: Buffer, mtime: number): Generator<Buffer> {
  yield tarHeader({ name, size: data.length, mtime });
  if (data.length > 0) yield data;
  const pad = tarPadding(data.length);
  if (pad.length > 0) yield pad;
}

async function* archive(args: WriteXvaArgs): AsyncGenerator<Buffer> {
  const xxh64 = await loadXxh64();
  const mtime = args.mtime ?? 0;
  const disks = [...args.disks].sort((a, b) => compareDiskIds(a.id, b.id));
  const totalBytes = disks.reduce((sum, d) => sum + d.size, 0);
  let covered = 0;
  yield* member("ova.xml", Buffer.from(args.ovaXml, "utf8"), mtime);
  for (const disk of disks) {
    // A zero-size disk still gets one empty chunk so the archive shows it exists.
    const chunks = Math.max(1, Math.ceil(disk.size / XVA_CHUNK_SIZE));
    const diskStart = covered;
    for (const chunk of chunksToRead(disk, chunks)) {
      const offset = chunk * XVA_CHUNK_SIZE;
      const length = Math.min(XVA_CHUNK_SIZE, disk.size - offset);
      const data = await disk.read(offset, length);
      if (data.length !== length) {
        throw new Error(`xva: disk ${disk.id} read(${offset}, ${length}) returned ${data.length} bytes`);
      }
      const edge = chunk === 0 || chunk === chunks - 1;
      if (edge || !isAllZero(data)) {
        const name = chunkMemberName(disk.id, chunk);
        yield* member(name, data, mtime);
        yield* member(`${name}.xxhash`, Buffer.from(xxh64(data), "ascii"), mtime);
      }
      covered = diskStart + offset + length;
      args.onProgress?.(covered, totalBytes);
    }
    covered = diskStart + disk.size;
  }
  yield TAR_END;
}

/**
 * The XVA archive as a byte stream. Pull-driven: a disk chunk is read only when the consumer wants
 * more bytes, so memory stays at about one chunk whatever the disk size. A failing `read` destroys the
 * stream with that error.
 */
export function writeXva(args: WriteXvaArgs): Readable {
  const tar = Readable.from(archive(args), { objectMode: false, highWaterMark: XVA_CHUNK_SIZE });
  if (args.compress !== true) return tar;
  const gzip = createGzip();
  pipeline(tar, gzip, () => {
    // pipeline already destroyed gzip with the error, which is what the consumer observes.
  });
  return gzip;
}
