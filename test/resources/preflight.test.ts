import type { Plan } from "../../src/model";
import { demoLikePool } from "../helpers/demo-like-pool";
import { GiB } from "../helpers/pool-view";
import { changeAt, plan, stackOf } from "../helpers/stack";

const findings = (p: Plan, severity: "error" | "warning"): string =>
  p.diagnostics.filter((d) => d.severity === severity).map((d) => `${d.address}: ${d.summary}\n${d.detail ?? ""}`).join("\n");

type Attrs = Record<string, string | boolean | string[]>;
const snap = (attrs: Attrs) => stackOf({ address: "xapi_snapshot.s", attrs: { name_label: "s", ...attrs } });
const checkpoint = (attrs: Attrs) => stackOf({ address: "xapi_checkpoint.c", attrs: { name_label: "c", ...attrs } });

describe("snapshot and checkpoint preflight", () => {
  it.each([
    ["a checkpoint of a Halted VM is refused at plan time", checkpoint({ vm: "batch-01" }), "a checkpoint needs the VM Running, Paused or Suspended; VM \"batch-01\" is Halted"],
    ["a raw disk cannot be snapshotted", snap({ vm: "legacy-raw" }), "disk \"raw disk\""],
    ["a checkpoint whose suspend SR is almost full is refused", checkpoint({ vm: "bigmem-01" }), "SR \"Almost full\" has 1.0 GiB free"],
    ["quiesce on a current pool names the alternative", snap({ vm: "win-app-01", quiesce: true }), "xapi_checkpoint"],
    ["an ambiguous vm lists every candidate", snap({ vm: "app" }), "matches 2 VMs"],
    ["an unknown vm is an error", snap({ vm: "nope" }), "vm \"nope\" matches no VM"],
    ["a template never matches as vm", snap({ vm: "web-template" }), "templates, snapshots or control domains, which never match"],
    ["an unknown ignore_disks entry is an error", snap({ vm: "web-01", ignore_disks: ["no such disk"] }), "is not a disk of VM \"web-01\""],
  ])("%s", (_why, stack, expected) => {
    expect(findings(plan(demoLikePool().b, stack), "error")).toContain(expected);
  });

  it("lists name and uuid of each candidate of an ambiguous vm", () => {
    const { b, vms } = demoLikePool();
    const text = findings(plan(b, snap({ vm: "app" })), "error");
    expect(text).toContain(vms.app1.uuid);
    expect(text).toContain(vms.app2.uuid);
  });

  it("accepts a raw disk left out with ignore_disks", () => {
    const p = plan(demoLikePool().b, snap({ vm: "legacy-raw", ignore_disks: ["raw disk"] }));
    expect(findings(p, "error")).toBe("");
    expect(changeAt(p, "xapi_snapshot.s")?.action).toBe("create");
  });

  it.each([
    ["a sharable disk", { sharable: true }, "is sharable"],
    ["a disk with on_boot=reset", { on_boot: "reset" as const }, "on_boot=reset"],
  ])("refuses %s", (_why, patch, expected) => {
    const { b, vms } = demoLikePool();
    const disk = [...b.vdis.values()].find((v) => v.name_label === "web-01 root" && !v.is_a_snapshot);
    if (!disk) throw new Error("fixture");
    b.edit(disk, patch);
    expect(findings(plan(b, snap({ vm: vms.web.uuid })), "error")).toContain(expected);
  });

  it("refuses an operation the VM blocks", () => {
    const { b, vms } = demoLikePool();
    b.edit(vms.db, { blocked_operations: { checkpoint: "true" } });
    expect(findings(plan(b, checkpoint({ vm: "db-01" })), "error")).toContain("blocks the checkpoint operation");
    expect(findings(plan(b, snap({ vm: "db-01" })), "error")).toBe("");
  });

  it("refuses a disk whose snapshot chain is at the storage limit", () => {
    const { b, vms } = demoLikePool();
    // The fixture already holds "web-01 manual": 28 more make 29 snapshots, a chain of depth 30.
    for (let i = 0; i < 27; i++) b.snapshot(vms.web, { name_label: `old ${i}` });
    expect(findings(plan(b, snap({ vm: "web-01" })), "error")).toBe("");
    b.snapshot(vms.web, { name_label: "one more" });
    expect(findings(plan(b, snap({ vm: "web-01" })), "error")).toContain("snapshot chain of depth 30");
  });

  it("shows the checkpoint space estimate: 1.26 × memory + 100 MiB plus per-disk cost", () => {
    const p = plan(demoLikePool().b, checkpoint({ vm: "web-01" }));
    const bytes = Math.ceil(2 * GiB * 1.26) + 100 * 1024 ** 2 + 16 * 1024 ** 2;
    expect(changeAt(p, "xapi_checkpoint.c")?.after).toMatchObject({ estimated_bytes: bytes, memory_bytes: 2 * GiB, power_state: "Suspended" });
    expect(changeAt(p, "xapi_checkpoint.c")?.notes.join("\n")).toContain("pauses briefly");
  });

  it("refuses checkpoints that each fit on the SR but together do not", () => {
    const { b } = demoLikePool();
    const nfs = [...b.srs.values()].find((sr) => sr.name_label === "NFS store");
    if (!nfs) throw new Error("fixture");
    b.edit(nfs, { physical_utilisation: nfs.physical_size - 4 * GiB });
    const one = stackOf({ address: "xapi_checkpoint.a", attrs: { vm: "web-01", name_label: "a" } });
    expect(findings(plan(b, one), "error")).toBe("");
    const two = stackOf({ address: "xapi_checkpoint.a", attrs: { vm: "web-01", name_label: "a" } }, { address: "xapi_checkpoint.b", attrs: { vm: "web-01", name_label: "b" } });
    const text = findings(plan(b, two), "error");
    expect(text).toContain("SR \"NFS store\" has 4.0 GiB free; together, 2 changes need about 5.3 GiB there");
    expect(text).toContain("xapi_checkpoint.b: about 2.6 GiB");
  });

  it("counts used space of disks on LVM SRs in the estimate", () => {
    const p = plan(demoLikePool().b, checkpoint({ vm: "db-01" }));
    const disks = 2 * (4 * GiB + 16 * 1024 ** 2);
    expect(changeAt(p, "xapi_checkpoint.c")?.after?.estimated_bytes).toBe(Math.ceil(8 * GiB * 1.26) + 100 * 1024 ** 2 + disks);
  });

  it("allows a checkpoint of a Paused VM, whose checkpoint is Halted", () => {
    const p = plan(demoLikePool().b, checkpoint({ vm: "paused-01" }));
    expect(findings(p, "error")).toBe("");
    expect(changeAt(p, "xapi_checkpoint.c")?.after?.power_state).toBe("Halted");
  });

  describe("quiesce on a pool that still has it", () => {
    const oldPool = () => { const fx = demoLikePool(); fx.b.xapiVersion = "1.160.0"; return fx; };
    it("warns about a Windows VM with more than 2 VBDs", () => {
      const p = plan(oldPool().b, snap({ vm: "win-app-01", quiesce: true }));
      expect(findings(p, "error")).toBe("");
      expect(findings(p, "warning")).toContain("has 3 VBDs");
    });
    it("refuses a non-Windows guest", () => {
      expect(findings(plan(oldPool().b, snap({ vm: "web-01", quiesce: true })), "error")).toContain("quiesce needs a Windows guest");
    });
  });

  it("warns that a VM with snapmanager=true can attach other VMs' snapshot disks", () => {
    const { b, vms } = demoLikePool();
    b.edit(vms.web, { other_config: { snapmanager: "true" } });
    expect(findings(plan(b, snap({ vm: "web-01" })), "warning")).toContain('VM "web-01" has other_config:snapmanager=true: the VM can attach the snapshot disks of other VMs');
  });

  it.each([
    ["a typo is one edit away", "web01", 'vm "web01" matches no VM; did you mean "web-01"?'],
    ["case differs", "DB-01", 'vm "DB-01" matches no VM; did you mean "db-01"?'],
    ["a prefix of several names", "web", 'vm "web" matches no VM; did you mean "web-01"?'],
    ["nothing is close", "zzzzzzzz", 'vm "zzzzzzzz" matches no VM\n'],
  ])("suggests the closest VM names when vm matches nothing: %s", (_why, vm, expected) => {
    expect(findings(plan(demoLikePool().b, snap({ vm })), "error")).toContain(expected);
  });

  it("says a checkpoint of a Paused VM captures no memory", () => {
    const p = plan(demoLikePool().b, checkpoint({ vm: "paused-01" }));
    expect(changeAt(p, "xapi_checkpoint.c")?.notes).toContain("(paused-01 is Paused: XAPI captures no memory image of a Paused VM, so this checkpoint holds its disks only and reverts to Halted)");
  });

  it("shows a checkpoint's space estimate per SR, and protect", () => {
    const p = plan(demoLikePool().b, checkpoint({ vm: "db-01", protect: true }));
    const c = changeAt(p, "xapi_checkpoint.c");
    // 8 GiB of disks used on LVM "Local storage"; the memory image, 1.26 × 8 GiB + 100 MiB, on the suspend SR.
    expect(c?.notes).toContain('(needs ≈ 8.0 GiB on SR "Local storage", ≈ 10.2 GiB on SR "NFS store")');
    expect(c?.after).toMatchObject({ protect: true });
  });

  it("refuses checkpoints when the licence restricts them", () => {
    const { b } = demoLikePool();
    b.pool.restrictions = { restrict_checkpoint: "true" };
    expect(findings(plan(b, checkpoint({ vm: "web-01" })), "error")).toContain("licence does not allow checkpoints");
  });
});
