import { failureOf, login, refByName, rpc, useSimulator } from "../helpers/sim";

type Rec = Record<string, unknown>;

async function diskVdis(sim: Parameters<typeof rpc>[0], s: string, vm: string): Promise<string[]> {
  const vbds = await Promise.all((await rpc<string[]>(sim, "VM.get_VBDs", s, vm)).map((v) => rpc<Rec>(sim, "VBD.get_record", s, v)));
  return vbds.filter((v) => v.type === "Disk").map((v) => v.VDI as string);
}

describe("VM.revert (reference §3.4, checklist 6)", () => {
  const sim = useSimulator();

  it("shuts the VM down, restores fields from snapshot time but keeps tags, replaces disks by clones and ends Halted", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, web, "pre-change");
    const oldDisks = await diskVdis(sim(), s, web);
    await rpc(sim(), "VM.set_name_description", s, web, "changed after the snapshot");
    await rpc(sim(), "VM.add_to_other_config", s, web, "after", "1");
    await rpc(sim(), "VM.add_tags", s, web, "added-later");
    await rpc(sim(), "VM.revert", s, snap);
    const rec = await rpc<Rec>(sim(), "VM.get_record", s, web);
    expect(rec.power_state).toBe("Halted");
    expect(rec.name_description).toBe("Public web front end");
    expect((rec.other_config as Rec).after).toBeUndefined();
    expect(rec.tags).toContain("added-later");
    expect(rec.parent).toBe(snap);
    expect(rec.is_a_snapshot).toBe(false);
    const newDisks = await diskVdis(sim(), s, web);
    expect(newDisks).toHaveLength(oldDisks.length);
    expect(newDisks.some((d) => oldDisks.includes(d))).toBe(false);
    expect(await failureOf(sim(), "VDI.get_record", s, oldDisks[0] as string)).toEqual(["HANDLE_INVALID", "VDI", oldDisks[0]]);
    const snapDisk = (await diskVdis(sim(), s, snap))[0] as string;
    expect(await rpc(sim(), "VDI.get_snapshot_of", s, snapDisk)).toBe(newDisks[0]);
    expect(await rpc<string[]>(sim(), "VM.get_snapshots", s, web)).toContain(snap);
  });

  it("reverts to a checkpoint into Suspended with a memory image, ready for VM.resume; never starts the VM", async () => {
    const s = await login(sim());
    const app = (await rpc<string[]>(sim(), "VM.get_by_name_label", s, "app"))[0] as string;
    const cp = await rpc<string>(sim(), "VM.checkpoint", s, app, "cp");
    await rpc(sim(), "VM.revert", s, cp);
    const rec = await rpc<Rec>(sim(), "VM.get_record", s, app);
    expect(rec.power_state).toBe("Suspended");
    expect(rec.suspend_VDI).not.toBe("OpaqueRef:NULL");
    await rpc(sim(), "VM.resume", s, app, false, false);
    expect(await rpc(sim(), "VM.get_power_state", s, app)).toBe("Running");
  });

  it("keeps the VMSS assignment over a revert", async () => {
    const s = await login(sim());
    const batch = await refByName(sim(), s, "VM", "batch-01");
    const vmss = await refByName(sim(), s, "VMSS", "legacy-hourly");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, batch, "b");
    await rpc(sim(), "VM.revert", s, snap);
    expect(await rpc(sim(), "VM.get_snapshot_schedule", s, batch)).toBe(vmss);
  });

  it("re-creates a destroyed VM with its original uuid when reverting to one of its snapshots", async () => {
    const s = await login(sim());
    const batch = await refByName(sim(), s, "VM", "batch-01");
    const uuid = await rpc<string>(sim(), "VM.get_uuid", s, batch);
    const snap = await rpc<string>(sim(), "VM.snapshot", s, batch, "before deletion");
    await rpc(sim(), "VM.set_snapshot_schedule", s, batch, "OpaqueRef:NULL");
    await rpc(sim(), "VM.destroy", s, batch);
    await rpc(sim(), "VM.revert", s, snap);
    const again = await rpc<string>(sim(), "VM.get_by_uuid", s, uuid);
    expect(again).not.toBe(batch);
    expect(await rpc(sim(), "VM.get_name_label", s, again)).toBe("batch-01");
    expect(await rpc(sim(), "VM.get_snapshot_of", s, snap)).toBe(again);
    expect(await diskVdis(sim(), s, again)).toHaveLength(1);
  });

  it("refuses revert on a VM that is not a snapshot", async () => {
    const s = await login(sim());
    const batch = await refByName(sim(), s, "VM", "batch-01");
    expect(await failureOf(sim(), "VM.revert", s, batch)).toEqual(["REVERT_ONLY_ALLOWED_ON_SNAPSHOT"]);
  });

  it("waits for a running snapshot of the same VM instead of failing (concurrency, §1.9)", async () => {
    await withTaskMs(sim(), 150, async () => {
      const s = await login(sim());
      const db = await refByName(sim(), s, "VM", "db-01");
      const snap = await rpc<string>(sim(), "VM.snapshot", s, db, "base");
      const [a, b, revert] = await Promise.all([
        rpc<string>(sim(), "VM.snapshot", s, db, "concurrent-1"),
        rpc<string>(sim(), "VM.snapshot", s, db, "concurrent-2"),
        rpc(sim(), "VM.revert", s, snap),
      ]);
      expect(a).not.toBe(b);
      expect(revert).toBe("");
      expect(await rpc(sim(), "VM.get_power_state", s, db)).toBe("Halted");
    });
  });
});

async function withTaskMs(running: ReturnType<ReturnType<typeof useSimulator>>, ms: number, fn: () => Promise<void>): Promise<void> {
  const config = running.sim.config as { taskMs: number };
  const before = config.taskMs;
  config.taskMs = ms;
  try {
    await fn();
  } finally {
    config.taskMs = before;
  }
}

describe("destroy, uninstall, clone and copy (reference §3.5, §3.6, checklist 7 and 8)", () => {
  const sim = useSimulator();

  it("VM.destroy never deletes VDIs; the snapshot's disks stay behind", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, web, "to-destroy");
    const disks = await diskVdis(sim(), s, snap);
    await rpc(sim(), "VM.destroy", s, snap);
    expect(await failureOf(sim(), "VM.get_record", s, snap)).toEqual(["HANDLE_INVALID", "VM", snap]);
    expect(await rpc(sim(), "VDI.get_is_a_snapshot", s, disks[0] as string)).toBe(true);
    await rpc(sim(), "VDI.destroy", s, disks[0] as string);
  });

  it("refuses VM.destroy of a Running VM: VM_BAD_POWER_STATE [vm, \"halted, suspended\", \"running\"]", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    expect(await failureOf(sim(), "VM.destroy", s, web)).toEqual(["VM_BAD_POWER_STATE", web, "halted, suspended", "running"]);
  });

  it("keeps a checkpoint's disks VDI_IN_USE [vdi, destroy] until the checkpoint is hard-shut-down", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const cp = await rpc<string>(sim(), "VM.checkpoint", s, web, "cp");
    const disk = (await diskVdis(sim(), s, cp))[0] as string;
    expect(await failureOf(sim(), "VDI.destroy", s, disk)).toEqual(["VDI_IN_USE", disk, "destroy"]);
    const image = await rpc<string>(sim(), "VM.get_suspend_VDI", s, cp);
    await rpc(sim(), "VM.hard_shutdown", s, cp);
    expect(await rpc(sim(), "VM.get_power_state", s, cp)).toBe("Halted");
    expect((await failureOf(sim(), "VDI.get_record", s, image))[0]).toBe("HANDLE_INVALID");
    await rpc(sim(), "VM.destroy", s, cp);
    await rpc(sim(), "VDI.destroy", s, disk);
  });

  it("clones a snapshot into a template with base_template_name and new MACs", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, web, "golden");
    const tpl = await rpc<string>(sim(), "VM.clone", s, snap, "golden-template");
    const rec = await rpc<Rec>(sim(), "VM.get_record", s, tpl);
    expect(rec).toMatchObject({ is_a_template: true, is_a_snapshot: false, snapshot_of: "OpaqueRef:NULL", power_state: "Halted" });
    expect((rec.other_config as Rec).base_template_name).toBe("golden");
    const mac = async (vm: string) => rpc<string>(sim(), "VIF.get_MAC", s, (await rpc<string[]>(sim(), "VM.get_VIFs", s, vm))[0] as string);
    expect(await mac(tpl)).not.toBe(await mac(snap));
    await rpc(sim(), "VM.set_is_a_template", s, tpl, false);
    expect(await rpc(sim(), "VM.get_is_a_template", s, tpl)).toBe(false);
  });

  it("copies a checkpoint into another SR as a Halted template; an ISO SR is refused", async () => {
    const s = await login(sim());
    const app = (await rpc<string[]>(sim(), "VM.get_by_name_label", s, "app"))[1] as string;
    const cp = await rpc<string>(sim(), "VM.checkpoint", s, app, "cp");
    const local = await refByName(sim(), s, "SR", "Local storage");
    const copy = await rpc<string>(sim(), "VM.copy", s, cp, "copied", local);
    expect(await rpc(sim(), "VM.get_power_state", s, copy)).toBe("Halted");
    expect(await rpc(sim(), "VDI.get_SR", s, (await diskVdis(sim(), s, copy))[0] as string)).toBe(local);
    const iso = await refByName(sim(), s, "SR", "ISO library");
    expect(await failureOf(sim(), "VM.copy", s, cp, "x", iso)).toEqual(["OPERATION_NOT_ALLOWED", "Cannot copy a VM's disks to an ISO SR"]);
  });

  it("snapshots, clones and copies single VDIs with the SM checks", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const disk = (await diskVdis(sim(), s, web))[0] as string;
    const vdiSnap = await rpc<string>(sim(), "VDI.snapshot", s, disk, {});
    expect(await rpc(sim(), "VDI.get_snapshot_of", s, vdiSnap)).toBe(disk);
    const clone = await rpc<string>(sim(), "VDI.clone", s, disk);
    expect(await rpc(sim(), "VDI.get_is_a_snapshot", s, clone)).toBe(false);
    const local = await refByName(sim(), s, "SR", "Local storage");
    const copy = await rpc<string>(sim(), "VDI.copy", s, disk, local);
    expect(await rpc(sim(), "VDI.get_SR", s, copy)).toBe(local);
    const raw = (await diskVdis(sim(), s, await refByName(sim(), s, "VM", "legacy-raw")))[0] as string;
    expect(await failureOf(sim(), "VDI.snapshot", s, raw, {})).toEqual(["UNIMPLEMENTED_IN_SM_BACKEND", local]);
  });

  it("refuses clone of a Running VM: VM_BAD_POWER_STATE [vm, \"halted\", \"running\"]", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    expect(await failureOf(sim(), "VM.clone", s, web, "x")).toEqual(["VM_BAD_POWER_STATE", web, "halted", "running"]);
  });

  it("starts, pauses and hard-shuts-down VMs with the right power-state errors", async () => {
    const s = await login(sim());
    const batch = await refByName(sim(), s, "VM", "batch-01");
    expect(await failureOf(sim(), "VM.hard_shutdown", s, batch)).toEqual(["VM_BAD_POWER_STATE", batch, "paused, suspended, running", "halted"]);
    await rpc(sim(), "VM.start", s, batch, false, false);
    expect(await rpc(sim(), "VM.get_power_state", s, batch)).toBe("Running");
    expect(await failureOf(sim(), "VM.start", s, batch, false, false)).toEqual(["VM_BAD_POWER_STATE", batch, "halted", "running"]);
    await rpc(sim(), "VM.hard_shutdown", s, batch);
    expect(await rpc(sim(), "VM.get_power_state", s, batch)).toBe("Halted");
  });
});
