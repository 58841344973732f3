/**
 * A small seeded generator (mulberry32) so a fixture built with the same `--seed` has the same uuids and
 * refs on every run, and later objects follow deterministically from the same sequence of calls.
 */
const scratch = Buffer.allocUnsafe(256);

/** A flat (sequential) copy of an ASCII string of at most 256 characters; longer ones are returned as they are. */
export function flat(s: string): string {
  if (s.length > scratch.length) return s;
  return scratch.toString("latin1", 0, scratch.write(s, 0, "latin1"));
}

export class Rng {
  constructor(public state: number) {}

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("rng: pick from an empty list");
    return item;
  }

  hex(digits: number): string {
    let s = "";
    while (s.length < digits) s += (this.int(0x10000) + 0x10000).toString(16).slice(1);
    return s.slice(0, digits);
  }

  /**
   * An RFC 4122 version-4 shaped uuid, as one flat string: a concatenated one is a tree of V8
   * cons strings several times its size, and a 10,000-VM pool holds 1.2 million of them.
   */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
    return flat(`${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`);
  }

  /** A fresh OpaqueRef (flat, like uuid()). */
  ref(): string {
    return flat(`OpaqueRef:${this.uuid()}`);
  }

  /** A locally administered unicast MAC, as XAPI generates from mac_seed. */
  mac(): string {
    const bytes = [0x02 | (this.int(64) << 2), this.int(256), this.int(256), this.int(256), this.int(256), this.int(256)];
    return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
  }
}
