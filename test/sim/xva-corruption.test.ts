import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { isXvaFormatError, readXva, writeXva, type XvaErrorCode } from "../../src/sim/xva";
import { loadXxh64 } from "../../src/sim/xva-xxh64";
import { collect, handMadeTar, MiB, pattern, sampleDisks, sampleOvaXml, trickle } from "./xva-fixtures";

const OVA = Buffer.from(sampleOvaXml(["Ref:9", "Ref:10"]));

async function validArchive(): Promise<Buffer> {
  return collect(writeXva({ ovaXml: OVA.toString(), disks: sampleDisks() }));
}

/** Chunk member plus its `.xxhash`, as the writer would emit them. */
async function chunkPair(name: string, data: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const xxh64 = await loadXxh64();
  return [{ name, data }, { name: `${name}.xxhash`, data: Buffer.from(xxh64(data)) }];
}

async function failureOf(archive: Buffer): Promise<{ code: XvaErrorCode; member: string } | "accepted"> {
  try {
    await readXva(trickle(archive));
    return "accepted";
  } catch (e) {
    if (isXvaFormatError(e)) return { code: e.code, member: e.member };
    throw e;
  }
}

describe("readXva on damaged archives", () => {
  it("rejects a flipped byte inside a chunk as CHECKSUM_MISMATCH naming the chunk", async () => {
    const archive = await validArchive();
    // ova.xml header + data + padding, then the first chunk's header: flip a byte 1000 bytes into its data
    const firstChunkData = 512 + Math.ceil(OVA.length / 512) * 512 + 512;
    archive[firstChunkData + 1000] ^= 0x40;
    expect(await failureOf(archive)).toEqual({ code: "CHECKSUM_MISMATCH", member: "Ref:10/00000000" }); // the first disk in string order
  });

  it("rejects a flipped byte in a tar header as BAD_TAR", async () => {
    const archive = await validArchive();
    archive[3] ^= 0x01; // inside the name of the ova.xml header
    expect(await failureOf(archive)).toMatchObject({ code: "BAD_TAR" });
  });

  it.each([
    ["missing checksum member", async () => handMadeTar([{ name: "ova.xml", data: OVA }, { name: "Ref:9/00000000", data: pattern(MiB, 1) }, ...(await chunkPair("Ref:9/00000001", pattern(10, 2)))]), "MISSING_CHECKSUM", "Ref:9/00000000"],
    ["checksum at the end of the archive missing", async () => handMadeTar([{ name: "ova.xml", data: OVA }, { name: "Ref:9/00000000", data: pattern(10, 1) }]), "MISSING_CHECKSUM", "Ref:9/00000000"],
    ["reordered chunks", async () => handMadeTar([{ name: "ova.xml", data: OVA }, ...(await chunkPair("Ref:9/00000002", pattern(MiB, 1))), ...(await chunkPair("Ref:9/00000001", pattern(MiB, 2)))]), "CHUNK_ORDER", "Ref:9/00000001"],
    ["a repeated chunk number", async () => handMadeTar([{ name: "ova.xml", data: OVA }, ...(await chunkPair("Ref:9/00000000", pattern(MiB, 1))), ...(await chunkPair("Ref:9/00000000", pattern(MiB, 1)))]), "CHUNK_ORDER", "Ref:9/00000000"],
    ["a disk resumed after another disk", async () => handMadeTar([{ name: "ova.xml", data: OVA }, ...(await chunkPair("Ref:9/00000000", pattern(MiB, 1))), ...(await chunkPair("Ref:10/00000000", pattern(MiB, 2))), ...(await chunkPair("Ref:9/00000001", pattern(5, 3)))]), "CHUNK_ORDER", "Ref:9/00000001"],
    ["a short chunk followed by more data", async () => handMadeTar([{ name: "ova.xml", data: OVA }, ...(await chunkPair("Ref:9/00000000", pattern(100, 1))), ...(await chunkPair("Ref:9/00000001", pattern(100, 2)))]), "CHUNK_SIZE", "Ref:9/00000001"],
    ["ova.xml not first", async () => handMadeTar([...(await chunkPair("Ref:9/00000000", pattern(10, 1))), { name: "ova.xml", data: OVA }]), "MISSING_OVA_XML", "Ref:9/00000000"],
    ["an empty archive", async () => handMadeTar([]), "MISSING_OVA_XML", ""],
    ["ova.xml that is not XML-RPC", async () => handMadeTar([{ name: "ova.xml", data: Buffer.from("<value><struct><member>") }]), "BAD_OVA_XML", "ova.xml"],
    ["ova.xml without objects", async () => handMadeTar([{ name: "ova.xml", data: Buffer.from("<value><struct><member><name>version</name><value><struct></struct></value></member></struct></value>") }]), "BAD_OVA_XML", "ova.xml"],
    ["chunks for a disk ova.xml does not declare", async () => handMadeTar([{ name: "ova.xml", data: OVA }, ...(await chunkPair("Ref:77/00000000", pattern(10, 1)))]), "UNKNOWN_DISK", "Ref:77/00000000"],
    ["a stray member", async () => handMadeTar([{ name: "ova.xml", data: OVA }, { name: "notes.txt", data: Buffer.from("hi") }]), "UNEXPECTED_MEMBER", "notes.txt"],
    ["a chunk over 1 MiB", async () => handMadeTar([{ name: "ova.xml", data: OVA }, ...(await chunkPair("Ref:9/00000000", pattern(MiB + 1, 1)))]), "MEMBER_TOO_LARGE", "Ref:9/00000000"],
  ] as const)("rejects %s", async (_why, build, code, member) => {
    expect(await failureOf(await build())).toEqual({ code, member });
  });

  it.each([
    ["inside a chunk", 0.5],
    ["just before the end-of-archive blocks", 1],
  ])("rejects an archive truncated %s as TRUNCATED", async (_why, fraction) => {
    const archive = await validArchive();
    const cut = fraction === 1 ? archive.length - 1024 : Math.floor(archive.length * fraction);
    expect(await failureOf(archive.subarray(0, cut))).toMatchObject({ code: "TRUNCATED" });
  });

  it("rejects a corrupt gzip stream as BAD_GZIP", async () => {
    const gz = gzipSync(await validArchive());
    // cut inside the deflate data: zlib reports the early end
    expect(await failureOf(gz.subarray(0, gz.length - 20))).toEqual({ code: "BAD_GZIP", member: "" });
    // a flipped byte breaks the deflate stream or, if it still inflates, the tar or a chunk checksum
    const flipped = Buffer.from(gz);
    flipped[Math.floor(flipped.length / 2)] ^= 0xff;
    expect(await failureOf(flipped)).toMatchObject({ code: expect.stringMatching(/^(BAD_GZIP|CHECKSUM_MISMATCH|BAD_TAR)$/) });
  });

  it("rejects zstd input (use_compression=zstd) as UNSUPPORTED_COMPRESSION", async () => {
    const zstdLike = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(100)]);
    expect(await failureOf(zstdLike)).toEqual({ code: "UNSUPPORTED_COMPRESSION", member: "" });
  });
});

describe("readXva on archives from other exporters", () => {
  it("accepts legacy SHA-1 `.checksum` members and zero-length keep-alive chunks", async () => {
    const data = pattern(MiB, 5);
    const tail = pattern(300, 6);
    const sha1 = (b: Buffer): Buffer => Buffer.from(createHash("sha1").update(b).digest("hex"));
    const archive = handMadeTar([
      { name: "ova.xml", data: OVA },
      { name: "Ref:9/00000000", data }, { name: "Ref:9/00000000.checksum", data: sha1(data) },
      { name: "Ref:9/00000001", data: Buffer.alloc(0) }, { name: "Ref:9/00000001.checksum", data: sha1(Buffer.alloc(0)) },
      { name: "Ref:9/00000003", data: tail }, { name: "Ref:9/00000003.checksum", data: sha1(tail) },
    ]);
    const result = await readXva(trickle(archive), { sha256: true });
    const whole = Buffer.concat([data, Buffer.alloc(2 * MiB), tail]);
    expect(result.disks.get("Ref:9")).toEqual({ size: 3 * MiB + 300, chunks: 3, sha256: createHash("sha256").update(whole).digest("hex") });
  });

  it("rejects a wrong legacy SHA-1 checksum", async () => {
    const archive = handMadeTar([
      { name: "ova.xml", data: OVA },
      { name: "Ref:9/00000000", data: pattern(10, 1) },
      { name: "Ref:9/00000000.checksum", data: Buffer.from(createHash("sha1").update("other").digest("hex")) },
    ]);
    expect(await failureOf(archive)).toEqual({ code: "CHECKSUM_MISMATCH", member: "Ref:9/00000000" });
  });

  it("reads an archive written by the system tar from the same members", async () => {
    // GNU tar pads the archive to 10 KiB records after the end blocks; the reader stops at the first zero block.
    const { execFile } = await import("node:child_process");
    const { mkdtemp, mkdir, writeFile, rm, readFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(join(tmpdir(), "xva-gnu-"));
    try {
      const xxh64 = await loadXxh64();
      const data = pattern(4000, 9);
      await writeFile(join(dir, "ova.xml"), OVA);
      await mkdir(join(dir, "Ref:9"));
      await writeFile(join(dir, "Ref:9", "00000000"), data);
      await writeFile(join(dir, "Ref:9", "00000000.xxhash"), xxh64(data));
      const file = join(dir, "gnu.xva");
      await new Promise<void>((resolve, reject) =>
        execFile("tar", ["-cf", file, "-C", dir, "--format=gnu", "ova.xml", "Ref:9/00000000", "Ref:9/00000000.xxhash"], (e) => (e ? reject(e) : resolve())),
      );
      const result = await readXva(trickle(await readFile(file)));
      expect(result.disks.get("Ref:9")).toEqual({ size: 4000, chunks: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
