/**
 * XVA files on the machine running xsnap: a snapshot exported to a file, and a file imported into a
 * pool. Shared by the `xapi_snapshot_export` / `xapi_xva_import` kinds and by `xsnap export` /
 * `xsnap restore`. Streams end to end (memory stays at a few chunks whatever the size); XAPI details
 * stay in xapi/xva-transfer.ts.
 *
 * Export contract: the file at `path` appears complete or not at all. Bytes go to `path.partial`,
 * SHA-256 and size are computed on the way, the file is fsynced (as it goes, see `durableFile`), then renamed over `path` (and the
 * folder fsynced, so the rename survives a crash). Any failure removes the partial file.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, open, rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform, type TransformCallback, type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { exportXva, importXva, type OpaqueRef, type TransferClient } from "../xapi";

export type XvaFileErrorCode =
  | "NO_TARGET_FOLDER" //  the export's folder does not exist (or is not a folder)
  | "NOT_A_FILE" //        the import path is a folder or a device
  | "SHA256_MISMATCH"; //  the file's SHA-256 is not the one expected: nothing was uploaded

/** A problem with the local file, found before or without the pool. Decide on `code`. */
export class XvaFileError extends Error {
  override readonly name = "XvaFileError";
  constructor(readonly code: XvaFileErrorCode, readonly path: string, message: string) {
    super(message);
  }
}

export const isXvaFileError = (e: unknown, code?: XvaFileErrorCode): e is XvaFileError =>
  e instanceof XvaFileError && (code === undefined || e.code === code);

/** Where a transfer is: `total` is known for uploads and verification, not for exports (XAPI sends no length). */
export interface TransferProgress {
  readonly phase: "export" | "verify" | "upload";
  readonly bytes: number;
  readonly total?: number;
}

export interface ExportToFileArgs {
  /** The snapshot or checkpoint (any Halted/Suspended VM) to export. */
  readonly snapshot: OpaqueRef;
  readonly path: string;
  /** Ask the pool to gzip the stream (`use_compression=true`); the file then holds the gzip bytes. */
  readonly compress?: boolean;
  readonly onProgress?: (progress: TransferProgress) => void;
  readonly signal?: AbortSignal;
}

export interface XvaFileFacts {
  readonly path: string;
  /** Lower-case hex SHA-256 of the file's bytes (as written, i.e. compressed when `compress`). */
  readonly sha256: string;
  readonly bytes: number;
}

/** Counts what flows through, reporting as it goes. */
function meter(onBytes: (bytes: number) => void): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.length;
      onBytes(bytes);
      callback(null, chunk);
    },
  });
}

async function assertFolder(path: string): Promise<void> {
  const folder = dirname(path);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new XvaFileError("NO_TARGET_FOLDER", path, `cannot write ${path}: the folder ${folder} does not exist`);
}

/**
 * Dirty bytes allowed before the next background fdatasync: keeps the disk busy from the first second
 * (the kernel alone starts writing back only past dirty_background_ratio, ~2 GiB here) and the final
 * fsync short. Measured on the 4 GiB bench (2-core guest, Dec 2026): 64 MiB gave the best runs (8.3 s,
 * as fast as the plain download that leaves its bytes in the page cache); 256 MiB and 1 GiB (fewer
 * disk flushes) were no faster (best 13.9 s and 10.1 s); never awaiting the previous fdatasync changed
 * nothing either (that wait totals ≤ 0.2 s per 4 GiB).
 */
const SYNC_EVERY = 64 * 1024 * 1024;

/** A file being written by `durableFile`: its bytes so far and, once finished, their SHA-256. */
interface DurableFile {
  readonly writable: Writable;
  /** Lower-case hex SHA-256 of every byte written; call after the writable finished. */
  readonly sha256: () => string;
}

/**
 * A file writer that hashes, counts and flushes as it goes, in one stream stage (no metering
 * Transform in front: one stream hop less per 64 KiB chunk of the download). writev takes whatever
 * arrived while the previous write ran (~1.4 MiB on average). Measured for 4 GiB: ~3k writev, ~6k write
 * syscalls in all (thread-pool wake-ups included) and ~9k context switches, where the plain
 * `pipe(createWriteStream)` makes 131k and ~100k; that saving pays for the SHA-256 (~2.6 s of CPU at
 * 1.7 GB/s): both use 8–9 s of client CPU on a quiet machine. Every 64 MiB
 * it starts an fdatasync in the background (awaited before the next one), so the data reaches the
 * disk while the download continues and the final fsync has little left to do. A plain write stream
 * leaves gigabytes in the page cache and the closing fsync then stalls for seconds.
 */
function durableFile(path: string, onBytes: (bytes: number) => void): DurableFile {
  const hash = createHash("sha256");
  let handle: FileHandle | undefined;
  let written = 0;
  let unsynced = 0;
  let syncing: Promise<void> | undefined;
  const write = async (buffers: Buffer[]): Promise<void> => {
    handle ??= await open(path, "w");
    let bytes = 0;
    for (const b of buffers) bytes += b.length;
    // The write runs on libuv's thread pool: hash while it is in flight, not before it.
    const writing = handle.writev(buffers);
    for (const b of buffers) hash.update(b);
    let done = (await writing).bytesWritten;
    while (done < bytes) done += (await handle.writev([Buffer.concat(buffers).subarray(done)])).bytesWritten;
    written += bytes;
    onBytes(written);
    unsynced += bytes;
    if (unsynced >= SYNC_EVERY) {
      await syncing;
      unsynced = 0;
      syncing = handle.datasync();
    }
  };
  const writable = new Writable({
    highWaterMark: 4 * 1024 * 1024,
    writev(chunks, callback) {
      write(chunks.map((c) => c.chunk as Buffer)).then(() => callback(), callback);
    },
    final(callback) {
      (async () => {
        handle ??= await open(path, "w");
        await syncing;
        await handle.sync();
        await handle.close();
        handle = undefined;
      })().then(() => callback(), callback);
    },
    destroy(error, callback) {
      const h = handle;
      handle = undefined;
      Promise.resolve(syncing).catch(() => undefined).then(() => h?.close()).then(() => callback(error), () => callback(error));
    },
  });
  return { writable, sha256: () => hash.digest("hex") };
}

/** fsync a file or folder by path (a folder's fsync makes a rename in it durable; not every OS allows it). */
async function syncPath(path: string, required: boolean): Promise<void> {
  const handle = await open(path, "r").catch((e: unknown) => { if (required) throw e; return undefined; });
  if (!handle) return;
  try {
    await handle.sync().catch((e: unknown) => { if (required) throw e; });
  } finally {
    await handle.close();
  }
}

/**
 * Export `snapshot` to `path` (see the file's contract). Throws XvaFileError NO_TARGET_FOLDER before
 * touching the pool; the export's XapiError / TransportError; file system errors (ENOSPC …).
 */
export async function exportSnapshotToFile(client: TransferClient, args: ExportToFileArgs): Promise<XvaFileFacts> {
  await assertFolder(args.path);
  const partial = `${args.path}.partial`;
  let bytes = 0;
  const file = durableFile(partial, (n) => {
    bytes = n;
    args.onProgress?.({ phase: "export", bytes: n });
  });
  const xport = await exportXva(client, { vm: args.snapshot, ...(args.compress ? { compress: true } : {}), ...(args.signal ? { signal: args.signal } : {}) });
  try {
    await pipeline(xport.stream, file.writable, ...(args.signal ? [{ signal: args.signal }] as const : []));
    await rename(partial, args.path);
    await syncPath(dirname(args.path), false);
  } catch (error) {
    await unlink(partial).catch(() => undefined);
    throw error;
  }
  return { path: args.path, sha256: file.sha256(), bytes };
}

/** SHA-256 and size of a file, streamed. */
export async function sha256OfFile(path: string, onBytes?: (bytes: number, total: number) => void): Promise<{ sha256: string; bytes: number }> {
  const total = (await stat(path)).size;
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onBytes?.(bytes, total);
  }
  return { sha256: hash.digest("hex"), bytes };
}

export interface ImportFromFileArgs {
  readonly path: string;
  /** Target SR; unset = the pool's default SR. */
  readonly sr?: OpaqueRef;
  /** When set, the file must hash to this (hex, any case) or nothing is uploaded. */
  readonly sha256?: string;
  /** Rename the imported VM (VM.set_name_label) after the import. */
  readonly nameLabel?: string;
  readonly onProgress?: (progress: TransferProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ImportedXva {
  /** The imported VM (a template when the file holds an exported snapshot). */
  readonly vm: OpaqueRef;
  /** Every VM the task returned (one for an xsnap or XAPI export of one VM). */
  readonly vms: readonly OpaqueRef[];
  readonly bytes: number;
}

/**
 * Import the XVA at `path`: optional SHA-256 check first, then a streamed upload with Content-Length,
 * then the optional rename. Throws XvaFileError (NOT_A_FILE, SHA256_MISMATCH) before any upload; the
 * import task's XapiError (IMPORT_ERROR …: the pool removed what it had created); TransportError.
 */
export async function importXvaFile(client: TransferClient, args: ImportFromFileArgs): Promise<ImportedXva> {
  const info = await stat(args.path);
  if (!info.isFile()) throw new XvaFileError("NOT_A_FILE", args.path, `${args.path} is not a file`);
  if (args.sha256 !== undefined) {
    const { sha256 } = await sha256OfFile(args.path, (bytes, total) => args.onProgress?.({ phase: "verify", bytes, total }));
    if (sha256 !== args.sha256.toLowerCase()) {
      throw new XvaFileError("SHA256_MISMATCH", args.path, `${args.path} has SHA-256 ${sha256}, expected ${args.sha256.toLowerCase()}: nothing was imported`);
    }
  }
  const total = info.size;
  const body = (): Readable => {
    const file = createReadStream(args.path, { highWaterMark: 1024 * 1024 });
    const counted = meter((bytes) => args.onProgress?.({ phase: "upload", bytes, total }));
    file.on("error", (e) => counted.destroy(e));
    counted.on("close", () => file.destroy());
    return file.pipe(counted);
  };
  const vms = await importXva(client, {
    body, length: total,
    ...(args.sr ? { sr: args.sr } : {}),
    ...(args.signal ? { signal: args.signal } : {}),
  });
  const vm = vms[0] as OpaqueRef;
  if (args.nameLabel !== undefined) await client.call("VM.set_name_label", [vm, args.nameLabel]);
  return { vm, vms, bytes: total };
}
