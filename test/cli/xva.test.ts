// `xsnap export` and `xsnap restore` through the real CLI against two simulator processes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { readXva } from "../../src/sim/xva";
import { loadXxh64 } from "../../src/sim/xva-xxh64";
import { connect, type OpaqueRef } from "../../src/xapi";
import { startSim, xsnap, type Sim } from "./harness";

/** VDI name → chunk number → XXH64, for every chunk the archive carries. */
async function chunkHashes(xva: Buffer): Promise<Record<string, Record<number, string>>> {
  const xxh64 = await loadXxh64();
  const byId: Record<string, Record<number, string>> = {};
  const result = await readXva(Readable.from([xva]), { onChunk: (c) => void ((byId[c.disk] ??= {})[c.offset / 1048576] = xxh64(c.data)) });
  return Object.fromEntries(result.ova.objects.filter((o) => o.class === "VDI").map((o) => [String(o.snapshot.name_label), byId[o.id] ?? {}]));
}

describe("xsnap export / xsnap restore", () => {
  let source: Sim;
  let target: Sim;
  let dir: string;
  const on = (sim: Sim) => ({ env: { XAPI_URL: sim.url, XAPI_USERNAME: "root" } });
  const vmCount = async (sim: Sim): Promise<{ vms: number; vdis: number }> => {
    const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
    try {
      return { vms: ((await client.call("VM.get_all")) as OpaqueRef[]).length, vdis: ((await client.call("VDI.get_all")) as OpaqueRef[]).length };
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    [source, target] = await Promise.all([startSim(), startSim()]);
    dir = mkdtempSync(join(tmpdir(), "xsnap-cli-xva-"));
  });
  afterAll(async () => {
    await Promise.all([source.stop(), target.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports the demo pool's snapshot, restores it into a second pool, and a re-export carries the same chunks", async () => {
    const file = join(dir, "web-01-manual.xva");
    const exported = await xsnap(["export", "web-01 manual", "--out", file], on(source));
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^Exported "web-01 manual" to .*web-01-manual\.xva: [\d.]+ MiB, sha256 [0-9a-f]{64}$/m);
    expect(readdirSync(dir)).toEqual(["web-01-manual.xva"]);

    const restored = await xsnap(["restore", file, "--sr", "NFS store", "--name", "web-01 restored", "--json"], on(target));
    expect(restored.code).toBe(0);
    const done = JSON.parse(restored.stdout.trim().split("\n").at(-1) ?? "{}") as { type: string; transfer: { vm_uuid: string; is_a_template: boolean; name_label: string } };
    expect(done).toMatchObject({ type: "transfer_complete", transfer: { is_a_template: true, name_label: "web-01 restored" } });

    const again = join(dir, "again.xva");
    expect((await xsnap(["export", done.transfer.vm_uuid, "--out", again], on(target))).code).toBe(1); // a template, not a snapshot
    const client = await connect({ url: target.url, username: "root", password: "xsnap" });
    try {
      const vm = (await client.call("VM.get_by_uuid", [done.transfer.vm_uuid])) as OpaqueRef;
      await client.call("VM.set_is_a_template", [vm, false]); // the restored backup becomes a VM again
      const snap = (await client.call("VM.snapshot", [vm, "restored snapshot"])) as OpaqueRef;
      const uuid = String(await client.call("VM.get_uuid", [snap]));
      const reexported = await xsnap(["export", uuid, "--out", again, "--compress"], on(target));
      expect(reexported.code).toBe(0);
    } finally {
      await client.close();
    }
    const original = await chunkHashes(readFileSync(file));
    expect(Object.keys(original["web-01 system"] ?? {}).length).toBeGreaterThan(1);
    expect(await chunkHashes(readFileSync(again))).toEqual(original);
  });

  it("refuses a missing file and a malformed --sha256 before contacting the pool", async () => {
    const calls = async (): Promise<number> => Object.values(((await (await fetch(`${target.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls).reduce((a, b) => a + b, 0);
    const before = await calls();
    const missing = await xsnap(["restore", join(dir, "missing.xva"), "--sr", "NFS store"], on(target));
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([1, "", `Error: ${join(dir, "missing.xva")}: no such file (restore takes an XVA file, e.g. one \`xsnap export\` wrote)\n`]);
    const folder = await xsnap(["restore", dir, "--sr", "NFS store"], on(target));
    expect([folder.code, folder.stderr]).toEqual([1, `Error: ${dir}: not a file (restore takes an XVA file, plain or gzip)\n`]);
    const digest = await xsnap(["restore", join(dir, "web-01-manual.xva"), "--sr", "NFS store", "--sha256", "zz"], on(target));
    expect(digest.code).toBe(1);
    expect(digest.stderr).toContain("error: option '--sha256 <hex>' argument 'zz' is invalid. expected a SHA-256 digest: 64 hex digits.");
    expect(await calls()).toBe(before);
  });

  it("refuses a corrupt file with exit 1 and one clear line, and leaves nothing in the pool", async () => {
    const file = join(dir, "web-01-manual.xva");
    const corrupt = Buffer.from(readFileSync(file));
    corrupt[corrupt.length - 2048 - 700] ^= 0xff;
    const bad = join(dir, "corrupt.xva");
    writeFileSync(bad, corrupt);
    const before = await vmCount(target);
    const run = await xsnap(["restore", bad, "--sr", "NFS store"], on(target));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: XAPI IMPORT_ERROR\(.*\) from VM\.import: the XVA file is corrupt or not an XVA .*the pool kept nothing of it\n$/);
    expect(await vmCount(target)).toEqual(before);
  });

  it("names the candidates when a snapshot name is ambiguous or matches nothing, and the SRs when the SR matches none", async () => {
    const client = await connect({ url: source.url, username: "root", password: "xsnap" });
    try {
      const [web] = (await client.call("VM.get_by_name_label", ["web-01"])) as OpaqueRef[];
      await client.call("VM.snapshot", [web ?? "", "web-01 manual"]);
    } finally {
      await client.close();
    }
    const ambiguous = await xsnap(["export", "web-01 manual", "--out", join(dir, "x.xva")], on(source));
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/^Error: 2 snapshots are named "web-01 manual"; give the uuid of one:\n {2}"web-01 manual" \(uuid [0-9a-f-]{36}, snapshot of .*\)\n {2}"web-01 manual" \(uuid/);
    const missing = await xsnap(["export", "nope", "--out", join(dir, "x.xva")], on(source));
    expect(missing.stderr).toBe('Error: no snapshot or checkpoint has the uuid or name "nope"; `xsnap inventory` lists them\n');
    const noFolder = await xsnap(["restore", join(dir, "web-01-manual.xva"), "--sr", "Nowhere"], on(target));
    expect(noFolder.stderr).toMatch(/^Error: no SR has the uuid or name "Nowhere"; the pool has "Almost full", "Local storage", "NFS store"\n$/);
  });
});
