/**
 * The local-file side of `xapi_snapshot_export` and `xapi_xva_import`, as the plan sees it.
 *
 * A kind's diff is pure over the PoolView; reading the local file at plan time is the one deliberate
 * exception (the file is the export's object, as a VM is a snapshot's). Hashing a multi-GiB XVA at
 * every plan would be too slow, so the check is cheap first: when the file's size and mtime are the
 * ones recorded right after xsnap wrote it, the file is taken as unchanged; only when either differs
 * is it hashed (synchronously: diff is synchronous) and compared with the recorded SHA-256. A file
 * rewritten with the same size inside the same mtime tick is the one case this misses (as `make` and
 * rsync's quick check do).
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { gunzipSync, constants as zlib } from "node:zlib";

/** What xsnap recorded about a file it wrote. */
export interface WrittenFile {
  readonly sha256: string;
  readonly bytes: number;
  /** mtime (ms) right after the rename; absent in entries that did not record it (then: hash). */
  readonly mtime_ms?: number;
}

export type FileState =
  | { readonly state: "missing" }
  | { readonly state: "not_a_file" }
  | { readonly state: "same"; readonly hashed: boolean }
  | { readonly state: "changed"; readonly sha256: string; readonly bytes: number };

/**
 * Relative paths resolve against the process's working folder: the kinds are not told which folder
 * the configuration came from (DesiredStack carries no source folder), and `xsnap plan` runs the
 * cdktf app in the folder it is started from, so for the usual `cd app && xsnap plan` both agree.
 */
export const absolutePath = (path: string): string => resolve(process.cwd(), path);

/** Undefined when the folder that will hold `path` exists, else why not. */
export function folderProblem(path: string): string | undefined {
  const folder = dirname(path);
  try {
    return statSync(folder).isDirectory() ? undefined : `${folder} is not a folder`;
  } catch {
    return `the folder ${folder} does not exist`;
  }
}

/** SHA-256 of a file, read synchronously in 4 MiB blocks (plan time only; see the file's comment). */
export function sha256OfFileSync(path: string): { sha256: string; bytes: number } {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  const fd = openSync(path, "r");
  let bytes = 0;
  try {
    for (let n = readSync(fd, buffer, 0, buffer.length, null); n > 0; n = readSync(fd, buffer, 0, buffer.length, null)) {
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest("hex"), bytes };
}

/** Is the file at `path` still the one xsnap wrote? Size + mtime first, the hash only when they differ. */
export function fileState(path: string, written: WrittenFile): FileState {
  let info;
  try {
    info = statSync(path);
  } catch {
    return { state: "missing" };
  }
  if (!info.isFile()) return { state: "not_a_file" };
  if (info.size === written.bytes && written.mtime_ms !== undefined && info.mtimeMs === written.mtime_ms) return { state: "same", hashed: false };
  const now = sha256OfFileSync(path);
  return now.sha256 === written.sha256 ? { state: "same", hashed: true } : { state: "changed", ...now };
}

/** mtime (ms) of a file, or undefined when it cannot be read. */
export function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

const HEAD_BYTES = 1024 * 1024;

/**
 * The name_label of the (first) VM inside an XVA file, read from its first tar member `ova.xml`
 * (gzip'd files too): an import arrives with this name before any rename. Undefined when the file is
 * absent or unreadable. Reads at most the first MiB.
 */
export function xvaVmName(path: string): string | undefined {
  let head: Buffer;
  try {
    const fd = openSync(path, "r");
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      head = buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
    } finally {
      closeSync(fd);
    }
    if (head[0] === 0x1f && head[1] === 0x8b) head = gunzipSync(head, { finishFlush: zlib.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
  if (head.length < 512 || head.subarray(0, 100).toString("latin1").replace(/\0.*$/s, "") !== "ova.xml") return undefined;
  const size = Number.parseInt(head.subarray(124, 136).toString("latin1").replace(/\0.*$/s, "").trim(), 8);
  if (!Number.isFinite(size)) return undefined;
  const xml = head.subarray(512, 512 + size).toString("utf8");
  const vm = /<name>class<\/name>\s*<value>(?:<string>)?VM(?:<\/string>)?<\/value>/.exec(xml);
  const rest = vm ? xml.slice(vm.index) : xml;
  const name = /<name>name_label<\/name>\s*<value>(?:<string>)?([^<]*)/.exec(rest);
  return name?.[1] === undefined ? undefined : unescapeXml(name[1]);
}

const unescapeXml = (s: string): string =>
  s.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-f]+|#\d+);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", quot: "\"", apos: "'", amp: "&" };
    if (named[e.toLowerCase()] !== undefined) return named[e.toLowerCase()] as string;
    return String.fromCodePoint(e[1]?.toLowerCase() === "x" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10));
  });
