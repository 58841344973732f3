// One apply takes a snapshot, reverts its VM to it and makes a template from it (issue 8's end-to-end
// check), through the real CLI and a real simulator process.
import { join } from "node:path";
import { connect } from "../../src/xapi";
import type { PoolView, VmRecord } from "../../src/xapi/records";
import { startSim, stackDir, writeStack, xsnap, type Resources, type Sim } from "./harness";

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";

describe("snapshot → revert + template in one apply", () => {
  let sim: Sim;
  let dir: string;
  let config = "";
  const write = (token: string, extra: Record<string, unknown> = {}, template = true): void => {
    const resources: Resources = {
      xapi_snapshot: { base: { vm: "web-01", name_label: "web-01 base" } },
      xapi_vm_revert: { back: { vm: "web-01", snapshot: "${xapi_snapshot.base.uuid}", revert_token: token, ...extra } },
      ...(template ? { xapi_template: { gold: { source: "${xapi_snapshot.base.uuid}", name_label: "web gold", sr: "NFS store" } } } : {}),
    };
    config = writeStack(dir, { url: sim.url, stack: "combo", resources });
  };
  const calls = async (method: string): Promise<number> => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls[method] ?? 0;
  const view = async (): Promise<PoolView> => {
    const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
    try { return await client.readPoolView(); } finally { await client.close(); }
  };
  const vm = (v: PoolView, name: string): VmRecord | undefined => [...v.vms.values()].find((x) => x.name_label === name);

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("combo");
  });
  afterAll(async () => { await sim.stop(); });

  it("applies all three from one saved plan; VM.revert runs once; the template is a copy in NFS store without memory", async () => {
    write("t1");
    expect((await xsnap(["plan", "--config", config, "--out", join(dir, "p")])).code).toBe(0);
    const run = await xsnap(["apply", join(dir, "p"), "--config", config]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Apply complete! Resources: 2 added, 1 changed, 0 destroyed.");
    expect(await calls("Async.VM.revert")).toBe(1);
    const v = await view();
    const gold = vm(v, "web gold");
    const nfs = [...v.srs.values()].find((s) => s.name_label === "NFS store");
    expect(gold).toMatchObject({ is_a_template: true, is_a_snapshot: false, power_state: "Halted", suspend_VDI: "OpaqueRef:NULL" });
    const disks = (gold?.VBDs ?? []).map((r) => v.vbds.get(r)).filter((b) => b?.type === "Disk").map((b) => v.vdis.get(b?.VDI as never));
    expect(disks.length).toBeGreaterThan(0);
    for (const d of disks) expect(d?.SR).toBe(nfs?.ref);
    expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"])).stdout).toContain(NO_CHANGES);
  });

  it("a new token reverts exactly once more, with a safety snapshot, and starts the VM again", async () => {
    write("t2", { safety_snapshot: true, restore_power_state: true });
    const run = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    expect(await calls("Async.VM.revert")).toBe(2);
    const v = await view();
    expect(vm(v, "web-01")?.power_state).toBe("Running");
    expect(vm(v, "web-01 before revert t2")?.is_a_snapshot).toBe(true);
    expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"])).code).toBe(0);
    expect(await calls("Async.VM.revert")).toBe(2);
  });

  it("removing the template uninstalls it with its disks", async () => {
    const before = await view();
    const gold = vm(before, "web gold");
    const disks = (gold?.VBDs ?? []).map((r) => before.vbds.get(r)).filter((b) => b?.type === "Disk").map((b) => before.vdis.get(b?.VDI as never)?.uuid);
    write("t2", { safety_snapshot: true, restore_power_state: true }, false);
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toContain("  # xapi_template.gold will be destroyed\n");
    const run = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(run.stdout).toContain("Apply complete! Resources: 0 added, 0 changed, 1 destroyed.");
    const after = await view();
    expect(vm(after, "web gold")).toBeUndefined();
    for (const d of disks) expect(after.byUuid.has(d as never)).toBe(false);
  });
});
