import { failureOf, login, refByName, rpc, useSimulator, waitTask, withSimulator } from "../helpers/sim";
import { GiB } from "../../src/sim/storage";

type Rec = Record<string, unknown>;

describe("VM.snapshot and VM.checkpoint (reference §3.1, §3.2, checklist 5)", () => {
  const sim = useSimulator();

  it("makes a Halted template snapshot that copies tags, other_config and description, with snapshot_info and metadata", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    await rpc(sim(), "VM.add_to_other_config", s, web, "team", "blue");
    const before = await rpc<Rec>(sim(), "VM.get_record", s, web);
    const snap = await rpc<string>(sim(), "VM.snapshot", s, web, "before-upgrade");
    const rec = await rpc<Rec>(sim(), "VM.get_record", s, snap);
    expect(rec).toMatchObject({
      name_label: "before-upgrade", is_a_template: true, is_a_snapshot: true, power_state: "Halted", snapshot_of: web,
      name_description: before.name_description, tags: before.tags, suspend_VDI: "OpaqueRef:NULL", is_vmss_snapshot: false,
      snapshot_info: { "disk-snapshot-type": "crash_consistent", "power-state-at-snapshot": "Running" },
    });
    expect((rec.other_config as Rec).team).toBe("blue");
    expect(String(rec.snapshot_metadata).length).toBeGreaterThan(2048);
    expect(await rpc(sim(), "VM.get_parent", s, web)).toBe(snap);
    expect(await rpc<string[]>(sim(), "VM.get_snapshots", s, web)).toContain(snap);
    expect(rec.allowed_operations).toEqual(expect.arrayContaining(["revert", "clone", "copy", "destroy", "export"]));
  });

  it("gives the snapshot its own VDIs (snapshot_of the source disks) and owner-marked, detached VBDs; MACs are kept", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, web, "disks");
    const vbds = await rpc<string[]>(sim(), "VM.get_VBDs", s, snap);
    const disk = (await Promise.all(vbds.map((v) => rpc<Rec>(sim(), "VBD.get_record", s, v)))).find((v) => v.type === "Disk") as Rec;
    expect(disk.currently_attached).toBe(false);
    expect((disk.other_config as Rec).owner).toBe("");
    const vdi = await rpc<Rec>(sim(), "VDI.get_record", s, disk.VDI as string);
    expect(vdi.is_a_snapshot).toBe(true);
    const sourceVbd = (await Promise.all((await rpc<string[]>(sim(), "VM.get_VBDs", s, web)).map((v) => rpc<Rec>(sim(), "VBD.get_record", s, v)))).find((v) => v.type === "Disk") as Rec;
    expect(vdi.snapshot_of).toBe(sourceVbd.VDI);
    const mac = async (vm: string) => rpc<string>(sim(), "VIF.get_MAC", s, (await rpc<string[]>(sim(), "VM.get_VIFs", s, vm))[0] as string);
    expect(await mac(snap)).toBe(await mac(web));
    const messages = Object.values(await rpc<Record<string, Rec>>(sim(), "message.get_all_records", s));
    expect(messages.some((m) => m.name === "VM_SNAPSHOTTED")).toBe(true);
  });

  it("leaves disks in ignore_vdis out of the snapshot", async () => {
    const s = await login(sim());
    const db = await refByName(sim(), s, "VM", "db-01");
    const dataVdi = await refByName(sim(), s, "VDI", "db-01 data");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, db, "system only", [dataVdi]);
    const vbds = await Promise.all((await rpc<string[]>(sim(), "VM.get_VBDs", s, snap)).map((v) => rpc<Rec>(sim(), "VBD.get_record", s, v)));
    expect(vbds.filter((v) => v.type === "Disk")).toHaveLength(1);
  });

  it("checkpoints a Running VM into a Suspended snapshot with a memory image on the suspend SR", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const cp = await rpc<string>(sim(), "VM.checkpoint", s, web, "cp");
    const rec = await rpc<Rec>(sim(), "VM.get_record", s, cp);
    expect(rec.power_state).toBe("Suspended");
    expect(rec.snapshot_info).toEqual({ "disk-snapshot-type": "crash_consistent", "power-state-at-snapshot": "Running" });
    const image = await rpc<Rec>(sim(), "VDI.get_record", s, rec.suspend_VDI as string);
    expect(image.type).toBe("suspend");
    expect(Number(image.virtual_size)).toBe(Math.ceil(2 * GiB * 1.26) + 100 * 1024 * 1024);
    expect(image.SR).toBe(await refByName(sim(), s, "SR", "NFS store"));
    expect(await rpc(sim(), "VM.get_power_state", s, web)).toBe("Running");
  });

  it("checkpoints a Paused VM into a Halted snapshot without memory and an empty snapshot_info", async () => {
    const s = await login(sim());
    const cp = await rpc<string>(sim(), "VM.checkpoint", s, await refByName(sim(), s, "VM", "paused-01"), "p");
    expect(await rpc(sim(), "VM.get_power_state", s, cp)).toBe("Halted");
    expect(await rpc(sim(), "VM.get_snapshot_info", s, cp)).toEqual({});
  });

  it("refuses a checkpoint of a Halted VM: VM_BAD_POWER_STATE [vm, \"paused, suspended, running\", \"halted\"]", async () => {
    const s = await login(sim());
    const batch = await refByName(sim(), s, "VM", "batch-01");
    expect(await failureOf(sim(), "VM.checkpoint", s, batch, "x")).toEqual(["VM_BAD_POWER_STATE", batch, "paused, suspended, running", "halted"]);
  });

  it("refuses a checkpoint whose memory image does not fit the suspend SR: SR_SUSPEND_SPACE_INSUFFICIENT [sr]", async () => {
    const s = await login(sim());
    const big = await refByName(sim(), s, "VM", "bigmem-01");
    expect(await failureOf(sim(), "VM.checkpoint", s, big, "x")).toEqual(["SR_SUSPEND_SPACE_INSUFFICIENT", await refByName(sim(), s, "SR", "Almost full")]);
  });

  it("refuses to snapshot a raw disk: UNIMPLEMENTED_IN_SM_BACKEND [sr]", async () => {
    const s = await login(sim());
    const raw = await refByName(sim(), s, "VM", "legacy-raw");
    expect(await failureOf(sim(), "VM.snapshot", s, raw, "x")).toEqual(["UNIMPLEMENTED_IN_SM_BACKEND", await refByName(sim(), s, "SR", "Local storage")]);
  });

  it("refuses to snapshot a snapshot (VM_IS_SNAPSHOT [vm, op]) and a template (VM_IS_TEMPLATE [vm, op])", async () => {
    const s = await login(sim());
    const manual = await refByName(sim(), s, "VM", "web-01 manual");
    expect(await failureOf(sim(), "VM.snapshot", s, manual, "x")).toEqual(["VM_IS_SNAPSHOT", manual, "snapshot"]);
    const template = await refByName(sim(), s, "VM", "Debian Bookworm 12");
    expect(await failureOf(sim(), "VM.snapshot", s, template, "x")).toEqual(["VM_IS_TEMPLATE", template, "snapshot"]);
  });

  it("refuses a blocked operation first: OPERATION_BLOCKED [vm, reason]", async () => {
    const s = await login(sim());
    const app = (await rpc<string[]>(sim(), "VM.get_by_name_label", s, "app"))[0] as string;
    await rpc(sim(), "VM.add_to_blocked_operations", s, app, "snapshot", "frozen by ops");
    expect(await failureOf(sim(), "VM.snapshot", s, app, "x")).toEqual(["OPERATION_BLOCKED", app, "frozen by ops"]);
    await rpc(sim(), "VM.remove_from_blocked_operations", s, app, "snapshot");
  });

  it("refuses a control domain: OPERATION_NOT_ALLOWED", async () => {
    const s = await login(sim());
    const dom0 = await refByName(sim(), s, "VM", "Control domain on host: xcp-host-1");
    expect((await failureOf(sim(), "VM.snapshot", s, dom0, "x"))[0]).toBe("OPERATION_NOT_ALLOWED");
  });

  it("answers VM.snapshot_with_quiesce with MESSAGE_REMOVED on a current xapi", async () => {
    const s = await login(sim());
    const win = await refByName(sim(), s, "VM", "win-app-01");
    expect(await failureOf(sim(), "VM.snapshot_with_quiesce", s, win, "x")).toEqual(["MESSAGE_REMOVED"]);
  });

  it("runs Async.VM.snapshot as a task whose result is an XML-RPC <value> string", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const task = await rpc<string>(sim(), "Async.VM.snapshot", s, web, "async");
    const rec = await waitTask(sim(), s, task);
    expect(rec).toMatchObject({ status: "success", name_label: "Async.VM.snapshot", progress: 1, error_info: [] });
    expect(rec.result).toMatch(/^<value>OpaqueRef:[0-9a-f-]+<\/value>$/);
  });
});

describe("VM.snapshot on storage limits (reference §3.1 errors, §5)", () => {
  it("fails with SR_BACKEND_FAILURE_44 on a full thick SR and SR_BACKEND_FAILURE_109 at chain depth 30", async () => {
    await withSimulator({
      customize: (b) => {
        const sr = b.sr({ name_label: "tight lvm", type: "lvm", size: 45 * GiB });
        b.vm({ name_label: "fills-sr", power_state: "Running", memory: GiB, disks: [{ size: 40 * GiB, sr }] });
        const nfs = b.sr({ name_label: "deep nfs", type: "nfs", size: 1024 * GiB });
        b.vm({ name_label: "deep-chain", memory: GiB, disks: [{ size: 10 * GiB, sr: nfs, chainDepth: 29 }] });
      },
    }, async (sim) => {
      const s = await login(sim);
      const full = await refByName(sim, s, "VM", "fills-sr");
      expect(await failureOf(sim, "VM.snapshot", s, full, "x")).toEqual(["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""]);
      const deep = await refByName(sim, s, "VM", "deep-chain");
      await rpc(sim, "VM.snapshot", s, deep, "the 30th layer");
      expect(await failureOf(sim, "VM.snapshot", s, deep, "one too many")).toEqual(["SR_BACKEND_FAILURE_109", "", "The snapshot chain is too long", ""]);
    });
  });

  it("keeps SR accounting: a thick snapshot consumes the disk's allocation again, a thin one only small leaves", async () => {
    await withSimulator({}, async (sim) => {
      const s = await login(sim);
      const used = async (name: string) => Number(await rpc(sim, "SR.get_physical_utilisation", s, await refByName(sim, s, "SR", name)));
      const local0 = await used("Local storage");
      const nfs0 = await used("NFS store");
      await rpc(sim, "VM.snapshot", s, await refByName(sim, s, "VM", "db-01"), "thick");
      await rpc(sim, "VM.snapshot", s, await refByName(sim, s, "VM", "web-01"), "thin");
      expect((await used("Local storage")) - local0).toBeGreaterThan(70 * GiB);
      expect((await used("NFS store")) - nfs0).toBeLessThan(64 * 1024 * 1024);
    });
  });
});

describe("xapi version differences (reference §0, §1.4, §3.3)", () => {
  const sim = useSimulator({ xapiVersion: "1.160" });

  it("has no ignore_vdis on an old xapi: MESSAGE_PARAMETER_COUNT_MISMATCH [VM.snapshot, 2, 3]", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    expect(await failureOf(sim(), "VM.snapshot", s, web, "x", [])).toEqual(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.snapshot", "2", "3"]);
    expect(await rpc(sim(), "VM.snapshot", s, web, "x")).toMatch(/^OpaqueRef:/);
  });

  it("keeps snapshot_with_quiesce for Windows guests and refuses others with VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", async () => {
    const s = await login(sim());
    const win = await refByName(sim(), s, "VM", "win-app-01");
    const snap = await rpc<string>(sim(), "VM.snapshot_with_quiesce", s, win, "vss");
    expect(await rpc(sim(), "VM.get_is_a_snapshot", s, snap)).toBe(true);
    const web = await refByName(sim(), s, "VM", "web-01");
    expect(await failureOf(sim(), "VM.snapshot_with_quiesce", s, web, "x")).toEqual(["VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED", web]);
  });

  it("fails quiesced snapshots under an injected fault with the quiesce error codes", async () => {
    const s = await login(sim());
    const win = await refByName(sim(), s, "VM", "win-app-01");
    sim().sim.faults.add({ method: "VM.snapshot_with_quiesce", error: ["VM_SNAPSHOT_WITH_QUIESCE_TIMEOUT", win], times: 1 });
    expect(await failureOf(sim(), "VM.snapshot_with_quiesce", s, win, "x")).toEqual(["VM_SNAPSHOT_WITH_QUIESCE_TIMEOUT", win]);
    expect(await rpc(sim(), "VM.snapshot_with_quiesce", s, win, "retry")).toMatch(/^OpaqueRef:/);
  });
});
