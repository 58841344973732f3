/**
 * The one error an XVA archive can raise while being read. Typed so callers (the simulator's
 * `PUT /import`, `xsnap restore`) decide on `code`, never on message text.
 */
export type XvaErrorCode =
  | "BAD_TAR" //             a header with a bad checksum, a bad size field or an unsupported entry type
  | "TRUNCATED" //           the stream ended inside a member or before the end-of-archive blocks
  | "BAD_GZIP" //            gzip magic, but the compressed stream is corrupt
  | "UNSUPPORTED_COMPRESSION" // zstd (use_compression=zstd): Node 20 has no zstd decoder
  | "MEMBER_TOO_LARGE" //    a member bigger than a chunk (or than the ova.xml cap): refused before buffering it
  | "MISSING_OVA_XML" //     the first member is not ova.xml
  | "BAD_OVA_XML" //         ova.xml is not a `{version, objects: [{class, id, snapshot}]}` XML-RPC struct
  | "UNEXPECTED_MEMBER" //   a name that is neither ova.xml, a chunk nor its checksum
  | "UNKNOWN_DISK" //        chunks for an id that is no VDI object in ova.xml
  | "MISSING_CHECKSUM" //    a chunk not immediately followed by its `.xxhash` / `.checksum` member
  | "CHECKSUM_MISMATCH" //   the checksum member does not match the chunk's data
  | "CHUNK_ORDER" //         chunk numbers not strictly increasing, or a disk's chunks not contiguous
  | "CHUNK_SIZE"; //         a chunk other than the last of its disk is neither 1 MiB nor empty

export class XvaFormatError extends Error {
  override readonly name = "XvaFormatError";
  /** `member` is the tar member name at fault (`Ref:12/00000003`), or "" for archive-level problems. */
  constructor(
    readonly code: XvaErrorCode,
    readonly member: string,
    detail: string,
  ) {
    super(`${code}${member === "" ? "" : ` at ${member}`}: ${detail}`);
  }
}

export const isXvaFormatError = (e: unknown, code?: XvaErrorCode): e is XvaFormatError =>
  e instanceof XvaFormatError && (code === undefined || e.code === code);
