/**
 * XXH64 (seed 0) as XVA checksum members carry it: 16 upper-case hex digits
 * (xapi-project/xen-api:ocaml/xapi/stream_vdi.ml `write_block`; reference/xapi.md §3.13).
 *
 * Backed by the `xxhash-wasm` package (pure WebAssembly, no native build or install script): measured
 * 2-3.5 GiB/s on 1 MiB chunks against 80-120 MiB/s for a 32-bit-lane TypeScript port (bench/xva.bench.ts;
 * 12-30x), which would make hashing, not I/O, the cost of every export and import. Node 20's crypto
 * has no XXH64.
 */
import loadXxhashWasm from "xxhash-wasm";

/** Pure: XXH64 (seed 0) of `data` as 16 upper-case hex digits. */
export type Xxh64 = (data: Uint8Array) => string;

// The WebAssembly module is compiled once per process; the result is immutable, so sharing it is safe.
let loading: Promise<Xxh64> | undefined;

/** Resolve the XXH64 function (first call compiles a ~2 KiB WebAssembly module). */
export function loadXxh64(): Promise<Xxh64> {
  loading ??= loadXxhashWasm().then(
    (api) => (data: Uint8Array) => api.h64Raw(data).toString(16).toUpperCase().padStart(16, "0"),
  );
  return loading;
}
