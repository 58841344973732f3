/**
 * XVA throughput and memory (src/sim/xva*.ts):
 * - XXH64 on 64 MiB in 1 MiB chunks: xxhash-wasm (production) vs the 32-bit-lane TypeScript port kept
 *   as the tests' independent reference. This is why production uses the wasm package.
 * - writeXva piped straight into readXva for a 256 MiB disk generated on the fly (every 4th chunk
 *   zeros, so skipping is exercised), plain and gzip: MiB/s and peak RSS growth. The bar: memory
 *   stays bounded (RSS grows by less than 64 MiB), i.e. nothing buffers a whole disk.
 */
import { createHash } from "node:crypto";
import { readXva, writeXva, XVA_CHUNK_SIZE } from "../src/sim/xva";
import { buildOvaXml } from "../src/sim/xva-ova";
import { loadXxh64 } from "../src/sim/xva-xxh64";
import { xxh64Hex as referenceXxh64 } from "../test/sim/xva-xxh64-reference";

const MiB = 1024 * 1024;
const MAX_RSS_GROWTH = 64 * MiB;

function timed<T>(f: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = f();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function hashBench(): Promise<void> {
  const xxh64 = await loadXxh64();
  const data = Buffer.alloc(64 * MiB);
  for (let i = 0; i < data.length; i += 32) createHash("sha256").update(String(i)).digest().copy(data, i);
  const chunks = Array.from({ length: 64 }, (_, i) => data.subarray(i * MiB, (i + 1) * MiB));
  xxh64(chunks[0]!); // warm up both
  referenceXxh64(chunks[0]!);
  const wasm = timed(() => chunks.map((c) => xxh64(c)));
  const ts = timed(() => chunks.map((c) => referenceXxh64(c)));
  if (wasm.value.join() !== ts.value.join()) throw new Error("xxh64 implementations disagree");
  console.log(`xxh64 64 MiB: xxhash-wasm ${wasm.ms.toFixed(0)} ms (${(64000 / wasm.ms).toFixed(0)} MiB/s), ` +
    `TypeScript ${ts.ms.toFixed(0)} ms (${(64000 / ts.ms).toFixed(0)} MiB/s), ratio ${(ts.ms / wasm.ms).toFixed(1)}x`);
}

/** A disk whose bytes are made per read (a copy of one template chunk): only the archive path holds memory. */
function generatedDisk(size: number): { id: string; size: number; read(offset: number, length: number): Buffer } {
  const template = Buffer.alloc(XVA_CHUNK_SIZE);
  for (let i = 0; i < template.length; i += 64) createHash("sha512").update(String(i)).digest().copy(template, i);
  return {
    id: "Ref:1",
    size,
    read(offset, length) {
      const index = offset / XVA_CHUNK_SIZE;
      if (index % 4 === 1) return Buffer.alloc(length);
      const chunk = Buffer.from(template.subarray(0, length));
      chunk.writeUInt32LE(index, 0);
      return chunk;
    },
  };
}

async function pipeBench(compress: boolean): Promise<boolean> {
  const size = 256 * MiB;
  const ovaXml = buildOvaXml({
    version: { hostname: "bench", date: "2026-11-25", product_version: "8.3.0", product_brand: "XCP-ng", build_number: "bench", xapi_major: 26, xapi_minor: 1, export_vsn: 2 },
    objects: [{ class: "VDI", id: "Ref:1", snapshot: { virtual_size: String(size) } }],
  });
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let archiveBytes = 0;
  const start = process.hrtime.bigint();
  const result = await readXva(writeXva({ ovaXml, disks: [generatedDisk(size)], compress }), {
    onProgress: (n) => (archiveBytes = n),
    onChunk: () => void (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)),
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const growth = rssPeak - rssBefore;
  const disk = result.disks.get("Ref:1");
  if (disk?.size !== size) throw new Error(`read back ${disk?.size} bytes, wrote ${size}`);
  console.log(`write→read ${compress ? "gzip " : "plain"} 256 MiB disk: ${ms.toFixed(0)} ms (${((256 * 1000) / ms).toFixed(0)} MiB/s of disk), ` +
    `archive ${(archiveBytes / MiB).toFixed(1)} MiB, ${disk.chunks} chunk members, peak RSS +${(growth / MiB).toFixed(1)} MiB`);
  return growth < MAX_RSS_GROWTH;
}

async function main(): Promise<void> {
  await hashBench();
  const plain = await pipeBench(false);
  const gzip = await pipeBench(true);
  if (!plain || !gzip) {
    console.log(`FAIL: peak RSS grew by ${MAX_RSS_GROWTH / MiB} MiB or more while streaming`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
