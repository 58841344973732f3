// PUT /import as xapi does it (reference/xapi.md §3.15) and disks that keep their bytes (DESIGN §7):
// round trips across two simulators compared chunk by chunk (XXH64), refusals that leave nothing.
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/sim";
import { readXva } from "../../src/sim/xva";
import { readTarMembers } from "../../src/sim/xva-tar";
import { loadXxh64 } from "../../src/sim/xva-xxh64";
import { login, refByName, rpc, waitTask } from "../helpers/sim";
import { handMadeTar, MiB, pattern } from "./xva-fixtures";

type Rec = Record<string, unknown>;

/** Small disks so the tests stay fast: 3 MiB + 512 on NFS (thin), a tiny thick SR, a nearly full thin one. */
const options: SimulatorOptions = {
  authFailureDelayMs: 0,
  customize: (b) => {
    const nfs = [...b.sim.db.table("SR")].find(([, r]) => r.name_label === "NFS store")?.[0] ?? "";
    b.vm({ name_label: "small", memory: 1024 ** 3, disks: [{ size: 3 * MiB + 512, used: 3 * MiB, sr: nfs }, { name_label: "small data", size: 2 * MiB, used: MiB, sr: nfs }] });
    b.sr({ name_label: "Tiny thick", type: "lvm", size: 4 * MiB });
    b.sr({ name_label: "Tiny thin", type: "ext", size: 8 * MiB, used: 6 * MiB });
  },
};

async function start(extra: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ ...options, ...extra });
}

async function exportVm(sim: RunningSimulator, session: string, vm: string): Promise<Buffer> {
  const res = await fetch(`${sim.url}/export?session_id=${session}&ref=${vm}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function importXva(sim: RunningSimulator, session: string, sr: string, body: Buffer): Promise<Rec> {
  const task = await rpc<string>(sim, "task.create", session, "import", "");
  const res = await fetch(`${sim.url}/import?session_id=${session}&sr_id=${sr}&task_id=${task}`, { method: "PUT", body }).catch(() => undefined);
  if (res) await res.arrayBuffer().catch(() => undefined);
  return waitTask(sim, session, task);
}

/** Disk → chunk number → XXH64 of the chunk's bytes, for every chunk the archive carries. */
async function chunkHashes(xva: Buffer): Promise<Record<string, Record<number, string>>> {
  const xxh64 = await loadXxh64();
  const out: Record<string, Record<number, string>> = {};
  const result = await readXva(Readable.from([xva]), {
    onChunk: (c) => {
      (out[c.disk] ??= {})[c.offset / MiB] = xxh64(c.data);
    },
  });
  // Key by the disk's position (ids are arbitrary per export), VDI name beside it.
  const named: Record<string, Record<number, string>> = {};
  for (const o of result.ova.objects.filter((x) => x.class === "VDI")) named[String(o.snapshot.name_label)] = out[o.id] ?? {};
  return named;
}

const counts = async (sim: RunningSimulator, s: string): Promise<{ vms: number; vdis: number }> => ({
  vms: (await rpc<string[]>(sim, "VM.get_all", s)).length,
  vdis: (await rpc<string[]>(sim, "VDI.get_all", s)).length,
});

const importedRef = (task: Rec): string => /OpaqueRef:[0-9a-f-]+/.exec(String(task.result))?.[0] ?? "";

describe("PUT /import and disk content", () => {
  let a: RunningSimulator;
  let b: RunningSimulator;
  let sa: string;
  let sb: string;
  let xva: Buffer;
  beforeAll(async () => {
    [a, b] = await Promise.all([start(), start()]);
    sa = await login(a);
    sb = await login(b);
    const small = await refByName(a, sa, "VM", "small");
    xva = await exportVm(a, sa, await rpc<string>(a, "VM.snapshot", sa, small, "small nightly"));
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it("round-trips: export from one pool, import into another, re-export: identical chunks (XXH64 each)", async () => {
    const original = await chunkHashes(xva);
    expect(Object.keys(original).sort()).toEqual(["small data", "small system"]);
    expect(Object.keys(original["small system"] ?? {}).length).toBeGreaterThanOrEqual(2); // seeded, non-trivial
    const done = await importXva(b, sb, await refByName(b, sb, "SR", "NFS store"), xva);
    expect(done).toMatchObject({ status: "success", progress: 1 });
    expect(String(done.result)).toMatch(/^<value><array><data><value>OpaqueRef:[0-9a-f-]+<\/value><\/data><\/array><\/value>$/);
    const vm = importedRef(done);
    expect(await rpc<Rec>(b, "VM.get_record", sb, vm)).toMatchObject({ name_label: "small nightly", is_a_template: true, is_a_snapshot: false, power_state: "Halted", current_operations: {} });
    expect(await chunkHashes(await exportVm(b, sb, vm))).toEqual(original);
  });

  it("keeps a snapshot's content when the disk changes after it, and gives a clone of the snapshot that content", async () => {
    const small = await refByName(a, sa, "VM", "small");
    const disk = await rpc<string>(a, "VDI.get_by_uuid", sa, String(await rpc(a, "VDI.get_uuid", sa, (await rpc<string[]>(a, "VDI.get_by_name_label", sa, "small system"))[0] ?? "")));
    const before = await rpc<string>(a, "VM.snapshot", sa, small, "before write");
    a.sim.disks.write(disk, 1, pattern(MiB, 99)); // the VM writes to its disk after the snapshot
    const after = await rpc<string>(a, "VM.snapshot", sa, small, "after write");
    const clone = await rpc<string>(a, "VM.clone", sa, before, "clone of before");
    const [hBefore, hAfter, hClone] = await Promise.all([before, after, clone].map(async (vm) => (await chunkHashes(await exportVm(a, sa, vm)))["small system"]));
    expect(hAfter?.[1]).not.toEqual(hBefore?.[1]);
    expect(hAfter?.[1]).toBe((await loadXxh64())(pattern(MiB, 99)));
    expect(hClone).toEqual(hBefore);
  });

  it("runs in the caller's task_id, and in a task of its own (named by the task-id header) without one", async () => {
    const sr = await refByName(b, sb, "SR", "NFS store");
    const res = await fetch(`${b.url}/import?session_id=${sb}&sr_id=${sr}`, { method: "PUT", body: xva });
    expect(res.status).toBe(200);
    const task = res.headers.get("task-id") ?? "";
    await res.arrayBuffer();
    expect(await waitTask(b, sb, task)).toMatchObject({ status: "success", name_label: "VM.import" });
  });

  it.each([
    ["a flipped byte in a chunk", async (x: Buffer) => { const m = await members(x); m[1]!.data[100]! ^= 0xff; return handMadeTar(m); }, "IMPORT_ERROR"],
    ["an archive cut in the middle of a disk", (x: Buffer) => x.subarray(0, Math.floor(x.length / 2)), "IMPORT_ERROR_PREMATURE_EOF"],
    ["a well-formed archive that ends before the last disk is complete", async (x: Buffer) => handMadeTar((await members(x)).slice(0, 5)), "IMPORT_ERROR_PREMATURE_EOF"],
    ["chunks out of order", async (x: Buffer) => { const m = await members(x); return handMadeTar([m[0]!, m[1]!, m[2]!, m[5]!, m[6]!, m[3]!, m[4]!, ...m.slice(7)]); }, "IMPORT_ERROR"],
    ["disks out of order", async (x: Buffer) => { const m = await members(x); const first = m.findIndex((y) => y.name.endsWith(".xxhash") && !y.name.startsWith(m[1]!.name.split("/")[0]!)) ; return handMadeTar([m[0]!, ...m.slice(first + 1), ...m.slice(1, first + 1)]); }, "IMPORT_ERROR"],
    ["ova.xml not first", async (x: Buffer) => { const m = await members(x); return handMadeTar([m[1]!, m[2]!, m[0]!, ...m.slice(3)]); }, "IMPORT_ERROR_UNEXPECTED_FILE"],
  ])("refuses %s: the task fails and no VM or VDI is left", async (_why, damage, code) => {
    const sr = await refByName(b, sb, "SR", "NFS store");
    const before = await counts(b, sb);
    const done = await importXva(b, sb, sr, await damage(xva));
    expect(done.status).toBe("failure");
    expect((done.error_info as string[])[0]).toBe(code);
    expect(await counts(b, sb)).toEqual(before);
  });

  it("refuses a thick SR without room for the disks before any data: SR_BACKEND_FAILURE_44, nothing left", async () => {
    const before = await counts(b, sb);
    const done = await importXva(b, sb, await refByName(b, sb, "SR", "Tiny thick"), xva);
    expect(done.error_info).toEqual(["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""]);
    expect(await counts(b, sb)).toEqual(before);
  });

  it("fails on a thin SR when the data outgrows its free space, and gives the space back", async () => {
    const sr = await refByName(b, sb, "SR", "Tiny thin");
    const used = await rpc<string>(b, "SR.get_physical_utilisation", sb, sr);
    const done = await importXva(b, sb, sr, Buffer.concat([xva]));
    // 3 non-zero MiB on the first disk alone: more than the 2 MiB free
    expect((done.error_info as string[])[0]).toBe("SR_BACKEND_FAILURE_44");
    expect(await rpc<string>(b, "SR.get_physical_utilisation", sb, sr)).toBe(used);
  });

  it("accounts the data of a thin import on the VDI and the SR", async () => {
    const sr = await refByName(b, sb, "SR", "NFS store");
    const used = Number(await rpc<string>(b, "SR.get_physical_utilisation", sb, sr));
    const done = await importXva(b, sb, sr, xva);
    const vbds = await rpc<string[]>(b, "VM.get_VBDs", sb, importedRef(done));
    let allocated = 0;
    for (const vbd of vbds) {
      const vdi = String((await rpc<Rec>(b, "VBD.get_record", sb, vbd)).VDI);
      if (vdi !== "OpaqueRef:NULL") allocated += Number(await rpc<string>(b, "VDI.get_physical_utilisation", sb, vdi));
    }
    expect(allocated).toBeGreaterThan(0);
    expect(Number(await rpc<string>(b, "SR.get_physical_utilisation", sb, sr))).toBe(used + allocated);
  });

  it("refuses a chunked upload before reading it (403, IMPORT_ERROR_CANNOT_HANDLE_CHUNKED)", async () => {
    const task = await rpc<string>(b, "task.create", sb, "import", "");
    const url = new URL(`${b.url}/import?session_id=${sb}&task_id=${task}`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: "PUT" }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on("error", reject);
      req.write(xva.subarray(0, 4096)); // a write before end and no Content-Length: Node sends Transfer-Encoding: chunked
      req.end();
    });
    expect(status).toBe(403);
    expect((await waitTask(b, sb, task)).error_info).toEqual(["IMPORT_ERROR_CANNOT_HANDLE_CHUNKED"]);
  });

  it("keeps imported disks across a restart with --state", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xsnap-sim-state-"));
    try {
      const statePath = join(dir, "pool.json");
      const first = await start({ statePath });
      const s1 = await login(first);
      const vm = importedRef(await importXva(first, s1, await refByName(first, s1, "SR", "NFS store"), xva));
      await first.close();
      const second = await start({ statePath });
      try {
        const s2 = await login(second);
        expect(await chunkHashes(await exportVm(second, s2, vm))).toEqual(await chunkHashes(xva));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function members(xva: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const out: { name: string; data: Buffer }[] = [];
  for await (const m of readTarMembers(Readable.from([xva]), () => 64 * MiB)) out.push({ name: m.name, data: Buffer.from(m.data) });
  return out;
}
