import { loadXxh64 } from "../../src/sim/xva-xxh64";
import { xxh64Hex as referenceXxh64 } from "./xva-xxh64-reference";

// Hoisted: under jest's vm context a global lookup (Math) in a hot loop is ~200x slower.
const imul = Math.imul;

/** Deterministic bytes (an LCG), so a failure reproduces. */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("XXH64 for XVA checksums", () => {
  // Published digests (seed 0): xxHash's README / python-xxhash examples.
  it.each([
    ["the empty input", "", "EF46DB3751D8E999"],
    ["one byte", "a", "D24EC4F1A98C6E5B"],
    ["three bytes (tail path only)", "abc", "44BC2CF5AD770999"],
    ["39 bytes (one stripe plus every tail path)", "Nobody inspects the spammish repetition", "FBCEA83C8A378BF1"],
  ])("hashes %s to the published digest", async (_why, text, digest) => {
    const xxh64 = await loadXxh64();
    expect(xxh64(Buffer.from(text, "ascii"))).toBe(digest);
    expect(referenceXxh64(Buffer.from(text, "ascii"))).toBe(digest);
  });

  it("agrees with an independent TypeScript implementation for every length 0..300", async () => {
    const xxh64 = await loadXxh64();
    const mismatches: number[] = [];
    for (let length = 0; length <= 300; length++) {
      const data = bytes(length, length + 1);
      if (xxh64(data) !== referenceXxh64(data)) mismatches.push(length);
    }
    expect(mismatches).toEqual([]);
  });

  it("agrees with the independent implementation on a whole 1 MiB chunk and on a subarray view", async () => {
    const xxh64 = await loadXxh64();
    const data = bytes(1024 * 1024 + 7, 42);
    expect(xxh64(data)).toBe(referenceXxh64(data));
    const view = data.subarray(3, 3 + 1024 * 1024);
    expect(xxh64(view)).toBe(referenceXxh64(Buffer.from(view)));
  });

  it("returns 16 upper-case hex digits, zero-padded", async () => {
    const xxh64 = await loadXxh64();
    for (let seed = 0; seed < 64; seed++) expect(xxh64(bytes(16, seed))).toMatch(/^[0-9A-F]{16}$/);
  });
});
