import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { readTarMembers, tarHeader, tarPadding, TAR_BLOCK } from "../../src/sim/xva-tar";
import { isXvaFormatError } from "../../src/sim/xva-errors";
import { handMadeTar, trickle } from "./xva-fixtures";

const run = promisify(execFile);

async function members(tar: Buffer, piece?: number): Promise<{ name: string; data: string }[]> {
  const out: { name: string; data: string }[] = [];
  for await (const m of readTarMembers(trickle(tar, piece), () => 1 << 20)) out.push({ name: m.name, data: m.data.toString() });
  return out;
}

describe("ustar writer and reader", () => {
  const longName = `${"d".repeat(40)}/${"f".repeat(59)}`; // exactly 100 bytes

  it("writes 512-byte headers and pads data to whole blocks", () => {
    expect(tarHeader({ name: "ova.xml", size: 1 })).toHaveLength(TAR_BLOCK);
    expect(tarPadding(1)).toHaveLength(511);
    expect(tarPadding(512)).toHaveLength(0);
    expect(tarPadding(0)).toHaveLength(0);
  });

  it("refuses names over 100 bytes (XVA names are short; no long-name extension is written)", () => {
    expect(() => tarHeader({ name: `${longName}x`, size: 0 })).toThrow(/1\.\.100 bytes/);
  });

  it("round-trips members, including a 100-byte name and empty data, whatever the read piece size", async () => {
    const tar = handMadeTar([
      { name: "ova.xml", data: Buffer.from("<value/>") },
      { name: longName, data: Buffer.from("x".repeat(513)) },
      { name: "Ref:1/00000000", data: Buffer.alloc(0) },
    ]);
    const expected = [
      { name: "ova.xml", data: "<value/>" },
      { name: longName, data: "x".repeat(513) },
      { name: "Ref:1/00000000", data: "" },
    ];
    expect(await members(tar)).toEqual(expected);
    expect(await members(tar, 1)).toEqual(expected);
    expect(await members(tar, 700)).toEqual(expected);
  });

  it("is read by the system tar with the exact names and sizes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xva-tar-"));
    try {
      const file = join(dir, "t.tar");
      await writeFile(file, handMadeTar([{ name: longName, data: Buffer.from("hello") }, { name: "Ref:7/00000001.xxhash", data: Buffer.from("0123456789ABCDEF") }]));
      const { stdout } = await run("tar", ["-tvf", file]);
      const rows = stdout.trim().split("\n").map((l) => l.trim().split(/\s+/));
      expect(rows.map((r) => [r[r.length - 1], r[2]])).toEqual([[longName, "5"], ["Ref:7/00000001.xxhash", "16"]]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads archives the system tar wrote, skipping directory entries", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xva-tar-"));
    try {
      await run("mkdir", ["-p", join(dir, "src", "Ref:1")]);
      await writeFile(join(dir, "src", "Ref:1", "00000000"), "chunk");
      const file = join(dir, "t.tar");
      await run("tar", ["-cf", file, "--format=ustar", "-C", join(dir, "src"), "Ref:1"]);
      const { readFile } = await import("node:fs/promises");
      expect(await members(await readFile(file))).toEqual([{ name: "Ref:1/00000000", data: "chunk" }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("joins the ustar name prefix of long paths written by the system tar", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xva-tar-"));
    try {
      const folder = "p".repeat(70);
      const file = "f".repeat(70);
      await run("mkdir", ["-p", join(dir, "src", folder)]);
      await writeFile(join(dir, "src", folder, file), "long");
      const tar = join(dir, "t.tar");
      await run("tar", ["-cf", tar, "--format=ustar", "-C", join(dir, "src"), `${folder}/${file}`]);
      const { readFile } = await import("node:fs/promises");
      expect(await members(await readFile(tar))).toEqual([{ name: `${folder}/${file}`, data: "long" }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a member larger than the caller's bound before buffering it", async () => {
    const tar = handMadeTar([{ name: "big", data: Buffer.alloc(2000) }]);
    const reading = (async () => {
      for await (const m of readTarMembers(trickle(tar), () => 1000)) void m;
    })();
    const error: unknown = await reading.catch((e: unknown) => e);
    expect(isXvaFormatError(error, "MEMBER_TOO_LARGE")).toBe(true);
  });

  it("refuses links and other entry types an XVA never holds", async () => {
    const header = tarHeader({ name: "link", size: 0 });
    header.write("2", 156, "ascii"); // symlink
    // recompute the checksum so only the type is wrong
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
    const error: unknown = await members(Buffer.concat([header, Buffer.alloc(1024)])).catch((e: unknown) => e);
    expect(isXvaFormatError(error, "BAD_TAR")).toBe(true);
  });
});
