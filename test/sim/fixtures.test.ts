import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../../src/sim";
import { GiB } from "../../src/sim/storage";
import { login, refByName, rpc, useSimulator, withSimulator } from "../helpers/sim";

type Rec = Record<string, unknown>;

async function records(sim: Parameters<typeof rpc>[0], s: string, cls: string): Promise<Rec[]> {
  return Object.values(await rpc<Record<string, Rec>>(sim, `${cls}.get_all_records`, s));
}

describe("the demo fixture (DESIGN §7 contract)", () => {
  const sim = useSimulator();

  it("has demo-pool with master xcp-host-1, xcp-host-2, a control domain per host, and the four SRs", async () => {
    const s = await login(sim());
    const [pool] = await records(sim(), s, "pool");
    expect(pool?.name_label).toBe("demo-pool");
    expect(await rpc(sim(), "host.get_name_label", s, pool?.master as string)).toBe("xcp-host-1");
    const hosts = await records(sim(), s, "host");
    expect(hosts.map((h) => h.name_label).sort()).toEqual(["xcp-host-1", "xcp-host-2"]);
    const doms = (await records(sim(), s, "VM")).filter((v) => v.is_control_domain === true);
    expect(doms).toHaveLength(2);
    const srs = Object.fromEntries((await records(sim(), s, "SR")).map((r) => [r.name_label, r]));
    expect(srs["Local storage"]).toMatchObject({ type: "lvm", physical_size: String(500 * GiB) });
    expect(srs["NFS store"]).toMatchObject({ type: "nfs", physical_size: String(2048 * GiB) });
    expect(srs["Almost full"]).toMatchObject({ type: "ext", physical_size: String(100 * GiB) });
    const full = srs["Almost full"] as Rec;
    expect(Number(full.physical_utilisation) / Number(full.physical_size)).toBeCloseTo(0.99, 2);
    expect(srs["ISO library"]).toMatchObject({ type: "iso", content_type: "iso" });
    expect(await rpc(sim(), "SR.get_name_label", s, pool?.default_SR as string)).toBe("Local storage");
    expect(await rpc(sim(), "SR.get_name_label", s, pool?.suspend_image_SR as string)).toBe("NFS store");
  });

  it.each([
    ["web-01", "Running", 2, 1, "NFS store"],
    ["db-01", "Running", 8, 2, "Local storage"],
    ["win-app-01", "Running", 8, 3, undefined],
    ["batch-01", "Halted", 4, 1, undefined],
    ["legacy-raw", "Halted", 1, 1, "Local storage"],
    ["paused-01", "Paused", 1, 1, undefined],
    ["bigmem-01", "Running", 64, 1, undefined],
  ])("has %s (%s, %d GiB, %d disk(s))", async (name, power, memGiB, disks, srName) => {
    const s = await login(sim());
    const vm = await refByName(sim(), s, "VM", name);
    const rec = await rpc<Rec>(sim(), "VM.get_record", s, vm);
    expect(rec).toMatchObject({ power_state: power, memory_static_max: String(memGiB * GiB), is_a_template: false });
    const vbds = await Promise.all((rec.VBDs as string[]).map((v) => rpc<Rec>(sim(), "VBD.get_record", s, v)));
    const diskVbds = vbds.filter((v) => v.type === "Disk");
    expect(diskVbds).toHaveLength(disks);
    if (srName) {
      for (const d of diskVbds) expect(await rpc(sim(), "SR.get_name_label", s, await rpc<string>(sim(), "VDI.get_SR", s, d.VDI as string))).toBe(srName);
    }
  });

  it("marks win-app-01 as Windows (guest metrics, viridian) and legacy-raw's disk as a raw LVM volume", async () => {
    const s = await login(sim());
    const win = await rpc<Rec>(sim(), "VM.get_record", s, await refByName(sim(), s, "VM", "win-app-01"));
    expect((win.platform as Rec).viridian).toBe("true");
    const gm = await rpc<Rec>(sim(), "VM_guest_metrics.get_record", s, win.guest_metrics as string);
    expect((gm.os_version as Rec).distro).toBe("windows");
    const raw = await rpc<Rec>(sim(), "VM.get_record", s, await refByName(sim(), s, "VM", "legacy-raw"));
    const vbd = (await Promise.all((raw.VBDs as string[]).map((v) => rpc<Rec>(sim(), "VBD.get_record", s, v)))).find((v) => v.type === "Disk") as Rec;
    expect(await rpc(sim(), "VDI.get_sm_config", s, vbd.VDI as string)).toMatchObject({ type: "raw", vdi_type: "aio" });
  });

  it("has two VMs named app, bigmem-01 suspending to Almost full, the web-01 manual snapshot and legacy-hourly with batch-01", async () => {
    const s = await login(sim());
    expect(await rpc<string[]>(sim(), "VM.get_by_name_label", s, "app")).toHaveLength(2);
    const big = await refByName(sim(), s, "VM", "bigmem-01");
    expect(await rpc(sim(), "SR.get_name_label", s, await rpc<string>(sim(), "VM.get_suspend_SR", s, big))).toBe("Almost full");
    const manual = await rpc<Rec>(sim(), "VM.get_record", s, await refByName(sim(), s, "VM", "web-01 manual"));
    expect(manual).toMatchObject({ is_a_snapshot: true, snapshot_of: await refByName(sim(), s, "VM", "web-01"), is_vmss_snapshot: false });
    expect(Object.keys(manual.other_config as Rec).some((k) => k.startsWith("xsnap."))).toBe(false);
    const legacy = await refByName(sim(), s, "VMSS", "legacy-hourly");
    expect(await rpc(sim(), "VMSS.get_VMs", s, legacy)).toEqual([await refByName(sim(), s, "VM", "batch-01")]);
  });
});

describe("fixture determinism and other pools", () => {
  it("gives the demo the same uuids and refs on every start with the same seed", async () => {
    const uuids = async (seed?: number) => withSimulator(seed === undefined ? {} : { seed }, async (sim) => {
      const s = await login(sim);
      return (await records(sim, s, "VM")).map((r) => `${String(r.name_label)}=${String(r.uuid)}`).sort();
    });
    const a = await uuids();
    expect(await uuids()).toEqual(a);
    expect(await uuids(2)).not.toEqual(a);
  });

  it("generates --vms N --snapshots-per-vm K deterministically, with several KiB of snapshot_metadata", async () => {
    const build = async () => withSimulator({ vms: 12, snapshotsPerVm: 3, seed: 5 }, async (sim) => {
      const s = await login(sim);
      const vms = await records(sim, s, "VM");
      return { vms, names: vms.map((v) => `${String(v.name_label)}/${String(v.uuid)}`).sort() };
    });
    const one = await build();
    const two = await build();
    expect(two.names).toEqual(one.names);
    const snaps = one.vms.filter((v) => v.is_a_snapshot === true);
    expect(snaps).toHaveLength(36);
    expect(one.vms.filter((v) => v.is_a_snapshot !== true && v.is_control_domain !== true)).toHaveLength(12);
    expect(Math.min(...snaps.map((v) => String(v.snapshot_metadata).length))).toBeGreaterThan(4096);
  });

  it("loads a JSON fixture file and names the bad entry when it is wrong", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xsnap-fixture-"));
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({
      pool: "lab", hosts: [{ name_label: "h1", address: "10.0.0.1" }],
      srs: [{ name_label: "nfs", type: "nfs", size: "1TiB" }], default_SR: "nfs", suspend_image_SR: "nfs",
      vms: [{ name_label: "svc", power_state: "Running", memory: "4GiB", disks: [{ size: "20GiB", sr: "nfs" }], snapshots: [{ name_label: "s1" }] }],
      vmss: [{ name_label: "nightly", type: "snapshot", frequency: "daily", schedule: { hour: "2", min: "0" }, vms: ["svc"] }],
    }));
    await withSimulator({ fixture: good }, async (sim) => {
      const s = await login(sim);
      expect((await records(sim, s, "pool"))[0]?.name_label).toBe("lab");
      const svc = await refByName(sim, s, "VM", "svc");
      expect(await rpc<string[]>(sim, "VM.get_snapshots", s, svc)).toHaveLength(1);
      expect(await rpc(sim, "VM.get_snapshot_schedule", s, svc)).toBe(await refByName(sim, s, "VMSS", "nightly"));
    });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ srs: [{ name_label: "x", type: "nfs", size: "1TiB" }], vms: [{ name_label: "v", disks: [{ size: "1GiB", sr: "nope" }] }] }));
    await expect(startSimulator({ fixture: bad })).rejects.toThrow("vms[0].disks[0].sr: no SR named nope");
  });
});
