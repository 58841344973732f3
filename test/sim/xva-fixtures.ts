/** Shared builders for the XVA tests: deterministic disks, a small ova.xml, stream collection. */
import { Readable } from "node:stream";
import { buildOvaXml, type OvaObject, type OvaVersion } from "../../src/sim/xva-ova";
import { tarHeader, tarPadding, TAR_END } from "../../src/sim/xva-tar";
import type { XvaDiskSource } from "../../src/sim/xva-writer";

// Hoisted: under jest's vm context a global lookup (Math) in a hot loop is ~200x slower.
const imul = Math.imul;

export const MiB = 1024 * 1024;

export const VERSION: OvaVersion = {
  hostname: "xcp-host-1",
  date: "2026-11-25",
  product_version: "8.3.0",
  product_brand: "XCP-ng",
  build_number: "release/yangtze",
  xapi_major: 26,
  xapi_minor: 1,
  export_vsn: 2,
};

/** Deterministic non-zero bytes (an LCG), so failures reproduce. */
export function pattern(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = (x >>> 24) | 1;
  }
  return out;
}

/** A disk held in memory; `reads` records every read so tests can see what the writer pulled. */
export function memoryDisk(id: string, content: Buffer): XvaDiskSource & { readonly content: Buffer; readonly reads: number[] } {
  const reads: number[] = [];
  return {
    id,
    size: content.length,
    content,
    reads,
    read(offset: number, length: number): Buffer {
      reads.push(offset);
      return content.subarray(offset, offset + length);
    },
  };
}

/**
 * Disk `Ref:9`: chunk 0 data, chunk 1 zeros (skipped), chunk 2 data, chunk 3 a short 0.5 MiB tail.
 * Disk `Ref:10`: 2 MiB of zeros (both chunks kept: first and last).
 */
export function sampleDisks(): ReturnType<typeof memoryDisk>[] {
  const a = Buffer.concat([pattern(MiB, 1), Buffer.alloc(MiB), pattern(MiB, 2), pattern(MiB / 2, 3)]);
  return [memoryDisk("Ref:10", Buffer.alloc(2 * MiB)), memoryDisk("Ref:9", a)];
}

export function sampleObjects(diskIds: readonly string[]): OvaObject[] {
  return [
    {
      class: "VM",
      id: "Ref:3",
      snapshot: { name_label: "web-01 <nightly> & co", is_a_template: true, memory_static_max: "2147483648", VBDs: diskIds.map((_, i) => `Ref:${100 + i}`) },
    },
    ...diskIds.map((id) => ({ class: "VDI", id, snapshot: { name_label: `disk ${id}`, virtual_size: "3670016", SR: "Ref:50" } })),
  ];
}

export function sampleOvaXml(diskIds: readonly string[]): string {
  return buildOvaXml({ version: VERSION, objects: sampleObjects(diskIds) });
}

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** A hand-made tar, for archives the writer would never produce (reordered, missing members). */
export function handMadeTar(members: readonly { readonly name: string; readonly data: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) parts.push(tarHeader({ name: m.name, size: m.data.length }), m.data, tarPadding(m.data.length));
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

/** Feed a buffer in odd-sized pieces, as a socket would. */
export function trickle(data: Buffer, piece = 65_521): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += piece) pieces.push(data.subarray(i, i + piece));
  return Readable.from(pieces);
}
