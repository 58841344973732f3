/**
 * An independent XXH64 (seed 0) for tests only: plain TypeScript on pairs of unsigned 32-bit halves,
 * written from the algorithm (Cyan4973/xxHash:xxhash.h XXH64, XXH64_round, XXH64_mergeRound,
 * XXH64_avalanche), so the production hash (xxhash-wasm, src/sim/xva-xxh64.ts) is checked against a
 * second implementation. 64-bit products are built from 16-bit limbs because a double holds 53 bits.
 * ~120 MiB/s: too slow for production, fine for tests (bench/xva.bench.ts).
 */

// Hoisted: under jest's vm context every global lookup (Math) in a hot loop is ~200x slower.
const imul = Math.imul;

// The five 64-bit primes, split into high and low 32-bit halves.
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

/** Mutable 64-bit register: [high, low], both unsigned 32-bit. Reused to avoid allocation per round. */
type U64 = [number, number];

/** r = r * (bh:bl) mod 2^64. */
function mulInto(r: U64, bh: number, bl: number): void {
  const ah = r[0], al = r[1];
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const t = a0 * b0;
  const m1 = a1 * b0;
  const m2 = a0 * b1;
  const mid = (t >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  const hiOfLow = a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16); // exact: al*bl < 2^64
  r[1] = ((mid << 16) | (t & 0xffff)) >>> 0;
  r[0] = (hiOfLow + imul(al, bh) + imul(ah, bl)) >>> 0;
}

function addInto(r: U64, bh: number, bl: number): void {
  const lo = r[1] + bl;
  r[1] = lo >>> 0;
  r[0] = (r[0] + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

function rotlInto(r: U64, n: number): void {
  const h = r[0], l = r[1];
  if (n < 32) {
    r[0] = ((h << n) | (l >>> (32 - n))) >>> 0;
    r[1] = ((l << n) | (h >>> (32 - n))) >>> 0;
  } else {
    const m = n - 32; // only n = 32 would make m 0; XXH64 never rotates by 32
    r[0] = ((l << m) | (h >>> (32 - m))) >>> 0;
    r[1] = ((h << m) | (l >>> (32 - m))) >>> 0;
  }
}

/** acc = rotl(acc + input * P2, 31) * P1 (XXH64_round). `tmp` is scratch space. */
function roundInto(acc: U64, tmp: U64, inH: number, inL: number): void {
  tmp[0] = inH;
  tmp[1] = inL;
  mulInto(tmp, P2H, P2L);
  addInto(acc, tmp[0], tmp[1]);
  rotlInto(acc, 31);
  mulInto(acc, P1H, P1L);
}

function mergeRoundInto(h: U64, v: U64, tmp: U64): void {
  const acc: U64 = [0, 0];
  roundInto(acc, tmp, v[0], v[1]);
  h[0] = (h[0] ^ acc[0]) >>> 0;
  h[1] = (h[1] ^ acc[1]) >>> 0;
  mulInto(h, P1H, P1L);
  addInto(h, P4H, P4L);
}

function xorShiftRightInto(h: U64, n: number): void {
  // n is 29, 32 or 33: all shift bits across the halves.
  const sh = n >= 32 ? 0 : h[0] >>> n;
  const sl = n >= 32 ? h[0] >>> (n - 32) : ((h[1] >>> n) | (h[0] << (32 - n))) >>> 0;
  h[0] = (h[0] ^ sh) >>> 0;
  h[1] = (h[1] ^ sl) >>> 0;
}

function readU32(data: Uint8Array, p: number): number {
  return (data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16) | (data[p + 3]! << 24)) >>> 0;
}

/** XXH64 with seed 0 of `data`, as a 64-bit value split into halves. */
function xxh64Halves(data: Uint8Array): U64 {
  const len = data.length;
  const tmp: U64 = [0, 0];
  let p = 0;
  const h: U64 = [0, 0];
  if (len >= 32) {
    // seed 0: v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1
    const v1: U64 = [P1H, P1L];
    addInto(v1, P2H, P2L);
    const v2: U64 = [P2H, P2L];
    const v3: U64 = [0, 0];
    const v4: U64 = [~P1H >>> 0, (-P1L) >>> 0]; // -P1 mod 2^64; no carry since P1L != 0
    const limit = len - 32;
    while (p <= limit) {
      roundInto(v1, tmp, readU32(data, p + 4), readU32(data, p));
      roundInto(v2, tmp, readU32(data, p + 12), readU32(data, p + 8));
      roundInto(v3, tmp, readU32(data, p + 20), readU32(data, p + 16));
      roundInto(v4, tmp, readU32(data, p + 28), readU32(data, p + 24));
      p += 32;
    }
    const parts: readonly [U64, number][] = [[v1, 1], [v2, 7], [v3, 12], [v4, 18]];
    for (const [v, n] of parts) {
      const r: U64 = [v[0], v[1]];
      rotlInto(r, n);
      addInto(h, r[0], r[1]);
    }
    for (const v of [v1, v2, v3, v4]) mergeRoundInto(h, v, tmp);
  } else {
    h[0] = P5H;
    h[1] = P5L;
  }
  addInto(h, Math.floor(len / 0x100000000), len >>> 0);

  while (p + 8 <= len) {
    const k: U64 = [0, 0];
    roundInto(k, tmp, readU32(data, p + 4), readU32(data, p));
    h[0] = (h[0] ^ k[0]) >>> 0;
    h[1] = (h[1] ^ k[1]) >>> 0;
    rotlInto(h, 27);
    mulInto(h, P1H, P1L);
    addInto(h, P4H, P4L);
    p += 8;
  }
  if (p + 4 <= len) {
    const k: U64 = [0, readU32(data, p)];
    mulInto(k, P1H, P1L);
    h[0] = (h[0] ^ k[0]) >>> 0;
    h[1] = (h[1] ^ k[1]) >>> 0;
    rotlInto(h, 23);
    mulInto(h, P2H, P2L);
    addInto(h, P3H, P3L);
    p += 4;
  }
  while (p < len) {
    const k: U64 = [0, data[p]!];
    mulInto(k, P5H, P5L);
    h[0] = (h[0] ^ k[0]) >>> 0;
    h[1] = (h[1] ^ k[1]) >>> 0;
    rotlInto(h, 11);
    mulInto(h, P1H, P1L);
    p += 1;
  }

  xorShiftRightInto(h, 33);
  mulInto(h, P2H, P2L);
  xorShiftRightInto(h, 29);
  mulInto(h, P3H, P3L);
  xorShiftRightInto(h, 32);
  return h;
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

/** XXH64 (seed 0) of `data` as XVA writes it: 16 upper-case hex digits. Pure. */
export function xxh64Hex(data: Uint8Array): string {
  const [hi, lo] = xxh64Halves(data);
  return hex8(hi) + hex8(lo);
}
