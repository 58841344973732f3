// XVA files: an export that appears whole or not at all, an import checked before it uploads.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportSnapshotToFile, importXvaFile, isXvaFileError, type TransferProgress } from "../../src/resources/xva-file";
import { connect, type OpaqueRef, type XapiClient } from "../../src/xapi";
import { useSimulator } from "../helpers/sim";

const MiB = 1024 * 1024;

describe("XVA files", () => {
  const sim = useSimulator({
    customize: (b) => {
      const nfs = [...b.sim.db.table("SR")].find(([, r]) => r.name_label === "NFS store")?.[0] ?? "";
      b.vm({ name_label: "small", memory: 1024 ** 3, disks: [{ size: 3 * MiB, used: 3 * MiB, sr: nfs }] });
    },
  });
  let client: XapiClient;
  let snapshot: OpaqueRef;
  let dir: string;
  beforeAll(async () => {
    client = await connect({ url: sim().url, username: "root", password: "xsnap" });
    const [small] = (await client.call("VM.get_by_name_label", ["small"])) as OpaqueRef[];
    snapshot = (await client.call("VM.snapshot", [small ?? "", "small backup"])) as OpaqueRef;
    dir = mkdtempSync(join(tmpdir(), "xsnap-xva-file-"));
  });
  afterAll(async () => {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports to the path with the SHA-256 and size of what it wrote, leaving no .partial", async () => {
    const path = join(dir, "small.xva");
    const seen: TransferProgress[] = [];
    const facts = await exportSnapshotToFile(client, { snapshot, path, onProgress: (p) => seen.push(p) });
    const bytes = readFileSync(path);
    expect(facts).toEqual({ path, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(seen.at(-1)).toEqual({ phase: "export", bytes: bytes.length });
    expect(readdirSync(dir)).toEqual(["small.xva"]);
  });

  it("refuses a target folder that does not exist before asking the pool", async () => {
    const error = await exportSnapshotToFile(client, { snapshot, path: join(dir, "missing", "x.xva") }).catch((e: unknown) => e);
    expect(isXvaFileError(error, "NO_TARGET_FOLDER")).toBe(true);
    expect((error as Error).message).toBe(`cannot write ${join(dir, "missing", "x.xva")}: the folder ${join(dir, "missing")} does not exist`);
  });

  it("removes the partial file when the export fails", async () => {
    const [web] = (await client.call("VM.get_by_name_label", ["web-01"])) as OpaqueRef[];
    await expect(exportSnapshotToFile(client, { snapshot: web ?? ("" as OpaqueRef), path: join(dir, "running.xva") })).rejects.toMatchObject({ code: "VM_BAD_POWER_STATE" });
    expect(existsSync(join(dir, "running.xva.partial"))).toBe(false);
    expect(existsSync(join(dir, "running.xva"))).toBe(false);
  });

  it("imports a file after checking its SHA-256, then renames the VM", async () => {
    const path = join(dir, "small-gz.xva");
    const facts = await exportSnapshotToFile(client, { snapshot, path, compress: true });
    const [sr] = (await client.call("SR.get_by_name_label", ["NFS store"])) as OpaqueRef[];
    const phases = new Set<string>();
    const imported = await importXvaFile(client, { path, sr, sha256: facts.sha256.toUpperCase(), nameLabel: "small restored", onProgress: (p) => phases.add(p.phase) });
    expect(imported.bytes).toBe(facts.bytes);
    expect([...phases]).toEqual(["verify", "upload"]);
    expect(await client.call("VM.get_name_label", [imported.vm])).toBe("small restored");
  });

  it("uploads nothing when the SHA-256 differs", async () => {
    const path = join(dir, "small.xva");
    const before = ((await client.call("VM.get_all")) as string[]).length;
    const error = await importXvaFile(client, { path, sha256: "0".repeat(64) }).catch((e: unknown) => e);
    expect(isXvaFileError(error, "SHA256_MISMATCH")).toBe(true);
    expect(((await client.call("VM.get_all")) as string[]).length).toBe(before);
  });
});
