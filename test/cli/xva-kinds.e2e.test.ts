// xapi_snapshot_export and xapi_xva_import end to end: one stack, two simulator processes (a primary
// pool and a disaster-recovery pool), the real CLI. Export on the primary, import into the DR pool,
// re-export from the DR pool: the same disk chunks (XXH64 per chunk).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { readXva } from "../../src/sim/xva";
import { loadXxh64 } from "../../src/sim/xva-xxh64";
import { connect, type OpaqueRef } from "../../src/xapi";
import { stackDir, startSim, xsnap, type Sim } from "./harness";

/** VDI name → chunk number → XXH64, for every chunk the archive carries. */
async function chunkHashes(xva: Buffer): Promise<Record<string, Record<number, string>>> {
  const xxh64 = await loadXxh64();
  const byId: Record<string, Record<number, string>> = {};
  const result = await readXva(Readable.from([xva]), { onChunk: (c) => void ((byId[c.disk] ??= {})[c.offset / 1048576] = xxh64(c.data)) });
  return Object.fromEntries(result.ova.objects.filter((o) => o.class === "VDI").map((o) => [String(o.snapshot.name_label), byId[o.id] ?? {}]));
}

const counts = async (sim: Sim): Promise<{ vms: number; vdis: number }> => {
  const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
  try {
    return { vms: ((await client.call("VM.get_all")) as OpaqueRef[]).length, vdis: ((await client.call("VDI.get_all")) as OpaqueRef[]).length };
  } finally {
    await client.close();
  }
};

describe("xapi_snapshot_export → xapi_xva_import across two pools", () => {
  let primary: Sim;
  let dr: Sim;
  let dir: string;
  const env = { DR_PASSWORD: "xsnap" };
  const providers = () => [
    { alias: "primary", url: primary.url, username: "root" },
    { alias: "dr", url: dr.url, username: "root", password_env: "DR_PASSWORD" },
  ];
  const write = (name: string, resource: Record<string, unknown>): string => {
    const config = join(dir, `${name}.tf.json`);
    writeFileSync(config, JSON.stringify({ "//": { metadata: { stackName: name } }, provider: { xapi: providers() }, resource }));
    return config;
  };

  beforeAll(async () => {
    [primary, dr] = await Promise.all([startSim(), startSim(["--seed", "7"])]);
    dir = stackDir("xva-kinds");
    mkdirSync(join(dir, "exports"));
  });
  afterAll(async () => {
    await Promise.all([primary.stop(), dr.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const drStack = () => write("dr", {
    xapi_snapshot: { web: { provider: "xapi.primary", vm: "web-01", name_label: "web-01 nightly" } },
    xapi_snapshot_export: { web_xva: { provider: "xapi.primary", source: "${xapi_snapshot.web.uuid}", path: "exports/web-01.xva" } },
    xapi_xva_import: { web_dr: { provider: "xapi.dr", path: "${xapi_snapshot_export.web_xva.path}", sha256: "${xapi_snapshot_export.web_xva.sha256}", sr: "Local storage", name_label: "web-01 (DR copy)" } },
  });

  it("exports on one pool, imports into the other, re-exports the same chunks, and a second plan shows no changes", async () => {
    const config = drStack();
    const plan = await xsnap(["plan", "--config", config], { env, cwd: dir });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`path       = "${join(dir, "exports/web-01.xva")}"`);   // the export's path is known at plan time
    expect(plan.stdout).toContain("sha256     = (known after apply)");
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"], { env, cwd: dir });
    expect(apply.stderr).toBe("");
    expect(apply.stdout).toContain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    // The export runs before the import that reads its file (one DAG across both pools).
    expect(apply.stdout.indexOf("xapi_snapshot_export.web_xva: Creation complete")).toBeLessThan(apply.stdout.indexOf("xapi_xva_import.web_dr: Creating..."));
    const file = join(dir, "exports/web-01.xva");
    expect(existsSync(`${file}.partial`)).toBe(false);

    // A reader that is not the simulator's: the system tar.
    const members = execFileSync("tar", ["-tf", file]).toString().split("\n");
    expect(members[0]).toBe("ova.xml");
    expect(members.some((m) => /^Ref:[^/]+\/\d{8}$/.test(m))).toBe(true);

    const again = await xsnap(["plan", "--config", config, "--detailed-exitcode"], { env, cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout.match(/No changes\. Your infrastructure matches the configuration\./g)).toHaveLength(2);

    // Re-export from the DR pool: the imported template becomes a VM, is snapshotted and exported by a stack on the DR pool.
    const client = await connect({ url: dr.url, username: "root", password: "xsnap" });
    let snapshot: string;
    try {
      const [vm] = (await client.call("VM.get_by_name_label", ["web-01 (DR copy)"])) as OpaqueRef[];
      const other = (await client.call("VM.get_other_config", [vm ?? ""])) as Record<string, string>;
      expect(other["xsnap.address"]).toBe("xapi_xva_import.web_dr");
      const copy = (await client.call("VM.clone", [vm ?? "", "web-01 DR clone"])) as OpaqueRef;
      await client.call("VM.set_is_a_template", [copy, false]);
      snapshot = String(await client.call("VM.get_uuid", [(await client.call("VM.snapshot", [copy, "from dr"])) as OpaqueRef]));
    } finally {
      await client.close();
    }
    const back = write("back", { xapi_snapshot_export: { back: { provider: "xapi.dr", source: snapshot, path: join(dir, "exports/back.xva"), compress: true } } });
    const exported = await xsnap(["apply", "--config", back, "--auto-approve"], { env, cwd: dir });
    expect(exported.stdout).toContain("Apply complete! Resources: 1 added");
    const original = await chunkHashes(readFileSync(file));
    expect(Object.keys(original["web-01 system"] ?? {}).length).toBeGreaterThan(1);
    expect(await chunkHashes(readFileSync(join(dir, "exports/back.xva")))).toEqual(original);
  });

  it("exports a deleted file again, and then shows no changes", async () => {
    const config = drStack();
    const file = join(dir, "exports/web-01.xva");
    unlinkSync(file);
    const plan = await xsnap(["plan", "--config", config], { env, cwd: dir });
    expect(plan.stdout).toContain("# xapi_snapshot_export.web_xva will be created");
    expect(plan.stdout).toContain(`(${file} was deleted outside xsnap: exported again)`);
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"], { env, cwd: dir });
    expect(apply.code).toBe(0);
    expect(existsSync(file)).toBe(true);
    const again = await xsnap(["plan", "--config", config, "--detailed-exitcode"], { env, cwd: dir });
    expect(again.code).toBe(0);
  });

  it("refuses corrupt, truncated and mismatching files and leaves nothing in the pool", async () => {
    const good = readFileSync(join(dir, "exports/web-01.xva"));
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 2048 - 700] ^= 0xff;
    writeFileSync(join(dir, "corrupt.xva"), corrupt);
    writeFileSync(join(dir, "truncated.xva"), good.subarray(0, Math.floor(good.length / 2)));
    const before = await counts(dr);
    for (const name of ["corrupt", "truncated"]) {
      const config = write(`bad-${name}`, { xapi_xva_import: { bad: { provider: "xapi.dr", path: `${name}.xva`, sr: "NFS store" } } });
      const run = await xsnap(["apply", "--config", config, "--auto-approve"], { env, cwd: dir });
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toMatch(/xapi_xva_import\.bad/);
      expect(await counts(dr)).toEqual(before);
    }
    const mismatch = write("bad-sha", { xapi_xva_import: { bad: { provider: "xapi.dr", path: "exports/web-01.xva", sr: "NFS store", sha256: "0".repeat(64) } } });
    const run = await xsnap(["apply", "--config", mismatch, "--auto-approve"], { env, cwd: dir });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/xapi_xva_import\.bad: .* has SHA-256 [0-9a-f]{64}, expected 0{64}: nothing was imported; export the file again or correct sha256/);
    expect(await counts(dr)).toEqual(before);
  });

  it("names the address and the fix when the export's folder does not exist (at plan time)", async () => {
    const config = write("nofolder", { xapi_snapshot_export: { lost: { provider: "xapi.primary", source: "does-not-matter", path: "nowhere/x.xva" } } });
    const plan = await xsnap(["plan", "--config", config], { env, cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/xapi_snapshot_export\.lost.*cannot write .*nowhere\/x\.xva: the folder .*nowhere does not exist/);
  });
});
