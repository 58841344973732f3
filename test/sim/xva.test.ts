import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { readXva, writeXva, XVA_CHUNK_SIZE, type XvaChunk } from "../../src/sim/xva";
import { readTarMembers } from "../../src/sim/xva-tar";
import { xxh64Hex as referenceXxh64 } from "./xva-xxh64-reference";
import { collect, MiB, sampleDisks, sampleOvaXml, trickle } from "./xva-fixtures";

const run = promisify(execFile);

async function sampleArchive(compress = false): Promise<{ archive: Buffer; disks: ReturnType<typeof sampleDisks> }> {
  const disks = sampleDisks();
  const archive = await collect(writeXva({ ovaXml: sampleOvaXml(["Ref:9", "Ref:10"]), disks, compress }));
  return { archive, disks };
}

async function memberNames(tar: Buffer): Promise<string[]> {
  const names: string[] = [];
  for await (const m of readTarMembers(trickle(tar), () => 64 * MiB)) names.push(m.name);
  return names;
}

describe("writeXva", () => {
  it("writes ova.xml first, then each disk in id string order (Ref:10 before Ref:9, as xapi) with checksums, skipping inner all-zero chunks", async () => {
    const { archive } = await sampleArchive();
    expect(await memberNames(archive)).toEqual([
      "ova.xml",
      // an all-zero disk keeps its first and last chunk
      "Ref:10/00000000", "Ref:10/00000000.xxhash",
      "Ref:10/00000001", "Ref:10/00000001.xxhash",
      "Ref:9/00000000", "Ref:9/00000000.xxhash",
      // chunk 1 is all zeros: left out
      "Ref:9/00000002", "Ref:9/00000002.xxhash",
      "Ref:9/00000003", "Ref:9/00000003.xxhash",
    ]);
  });

  it("produces a tar that the system tar lists, with the expected member sizes", async () => {
    const { archive } = await sampleArchive();
    const dir = await mkdtemp(join(tmpdir(), "xva-"));
    try {
      const file = join(dir, "export.xva");
      await writeFile(file, archive);
      const { stdout } = await run("tar", ["-tvf", file]);
      const sizes = stdout.trim().split("\n").map((line) => {
        const fields = line.trim().split(/\s+/);
        return `${fields[fields.length - 1]} ${fields[2]}`;
      });
      expect(sizes).toEqual(expect.arrayContaining([
        `Ref:9/00000000 ${MiB}`, "Ref:9/00000000.xxhash 16", `Ref:9/00000003 ${MiB / 2}`, `Ref:10/00000001 ${MiB}`,
      ]));
      expect(sizes).toHaveLength(11);
      // tar extracts what we wrote: the short last chunk comes back byte for byte
      await run("tar", ["-xf", file, "-C", dir]);
      const { stdout: sum } = await run("sha256sum", [join(dir, "Ref:9", "00000003")]);
      expect(sum.split(" ")[0]).toBe(createHash("sha256").update(sampleDisks()[1]!.content.subarray(3 * MiB)).digest("hex"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stores each chunk's XXH64 as an independent implementation computes it", async () => {
    const { archive, disks } = await sampleArchive();
    const content = new Map(disks.map((d) => [d.id, d.content]));
    const checked: string[] = [];
    let previous: { name: string; data: Buffer } | undefined;
    for await (const m of readTarMembers(trickle(archive), () => 64 * MiB)) {
      if (m.name.endsWith(".xxhash") && previous !== undefined) {
        const [disk = "", chunk = ""] = previous.name.split("/");
        const offset = Number(chunk) * XVA_CHUNK_SIZE;
        expect(previous.data.equals(content.get(disk)!.subarray(offset, offset + previous.data.length))).toBe(true);
        expect(m.data.toString("ascii")).toBe(referenceXxh64(previous.data));
        checked.push(previous.name);
      }
      previous = m;
    }
    expect(checked).toHaveLength(5);
  });

  it("reads a disk chunk only when the consumer asks for more bytes", async () => {
    const disk = sampleDisks()[1]!;
    const stream = writeXva({ ovaXml: sampleOvaXml(["Ref:9"]), disks: [disk] });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    // a paused consumer holds the writer at most a chunk or two ahead, never the whole 4-chunk disk
    expect(disk.reads.length).toBeLessThan(4);
    await iterator.return?.();
  });

  it("reports progress in disk bytes up to the sum of the disk sizes", async () => {
    const seen: [number, number][] = [];
    await collect(writeXva({ ovaXml: sampleOvaXml(["Ref:9", "Ref:10"]), disks: sampleDisks(), onProgress: (done, total) => seen.push([done, total]) }));
    expect(seen[seen.length - 1]).toEqual([5.5 * MiB, 5.5 * MiB]);
    expect(seen.map(([done]) => done)).toEqual([...seen.map(([done]) => done)].sort((a, b) => a - b));
  });

  it("fails the stream when a disk read returns the wrong length", async () => {
    const bad = { id: "Ref:9", size: 2 * MiB, read: () => Buffer.alloc(10) };
    await expect(collect(writeXva({ ovaXml: sampleOvaXml(["Ref:9"]), disks: [bad] }))).rejects.toThrow(/returned 10 bytes/);
  });
});

describe("readXva", () => {
  it("round-trips ova.xml and every disk byte, delivering verified chunks at their offsets", async () => {
    const { archive, disks } = await sampleArchive();
    const rebuilt = new Map(disks.map((d) => [d.id, Buffer.alloc(d.size)]));
    const delivered: string[] = [];
    const result = await readXva(trickle(archive), {
      sha256: true,
      onChunk: (c: XvaChunk) => {
        c.data.copy(rebuilt.get(c.disk)!, c.offset);
        delivered.push(`${c.disk}@${c.offset / MiB}`);
      },
    });
    expect(delivered).toEqual(["Ref:10@0", "Ref:10@1", "Ref:9@0", "Ref:9@2", "Ref:9@3"]);
    for (const d of disks) {
      expect(rebuilt.get(d.id)!.equals(d.content)).toBe(true);
      expect(result.disks.get(d.id)).toEqual({
        size: d.size,
        chunks: d.id === "Ref:9" ? 3 : 2,
        sha256: createHash("sha256").update(d.content).digest("hex"),
      });
    }
    expect(result.ova.version).toMatchObject({ hostname: "xcp-host-1", export_vsn: "2" });
    expect(result.ova.objects.map((o) => `${o.class} ${o.id}`)).toEqual(["VM Ref:3", "VDI Ref:9", "VDI Ref:10"]);
    expect(result.ova.objects[0]!.snapshot).toMatchObject({ name_label: "web-01 <nightly> & co", is_a_template: true });
  });

  it("hands ova.xml to onOva before the first chunk", async () => {
    const { archive } = await sampleArchive();
    const order: string[] = [];
    await readXva(trickle(archive), { onOva: (ova) => void order.push(`ova ${ova.objects.length}`), onChunk: (c) => void order.push(c.disk) });
    expect(order[0]).toBe("ova 3");
    expect(order).toHaveLength(6);
  });

  it("reads the gzip variant (use_compression=true) to the same result", async () => {
    const plain = await sampleArchive();
    const gz = await sampleArchive(true);
    expect(gz.archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(gz.archive).equals(plain.archive)).toBe(true);
    const fromPlain = await readXva(trickle(plain.archive), { sha256: true });
    const fromGzip = await readXva(trickle(gz.archive, 997), { sha256: true });
    expect(fromGzip.disks).toEqual(fromPlain.disks);
  });

  it("reports archive bytes consumed", async () => {
    const { archive } = await sampleArchive();
    let last = 0;
    await readXva(trickle(archive), { onProgress: (n) => (last = n) });
    expect(last).toBe(archive.length);
  });
});
