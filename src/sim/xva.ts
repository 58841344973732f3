/**
 * XVA archives (reference/xapi.md §3.13): the simulator's `GET /export` writes them, `PUT /import` and
 * `xsnap restore` read them. One import for callers; each part lives in its own `xva-*.ts`.
 */
export { XvaFormatError, isXvaFormatError, type XvaErrorCode } from "./xva-errors";
export { buildOvaXml, parseOvaXml, type OvaObject, type OvaVersion, type ParsedOva } from "./xva-ova";
export { readXva, type ReadXvaOptions, type ReadXvaResult, type XvaChunk, type XvaDiskSummary } from "./xva-reader";
export { XVA_CHUNK_SIZE, chunkMemberName, writeXva, type WriteXvaArgs, type XvaDiskSource } from "./xva-writer";
export { loadXxh64, type Xxh64 } from "./xva-xxh64";
