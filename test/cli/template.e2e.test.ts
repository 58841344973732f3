// xapi_template through the real CLI and a real simulator process: a snapshot and a template made
// from it in one saved-plan apply (`source = ${xapi_snapshot.base.uuid}`, known after apply), a copy
// of a checkpoint into "NFS store" without memory, no changes after, rename, uninstall with disks.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "../../src/cdktf";
import { GoldenTemplateStack } from "../../examples/golden-template/main";
import { connect } from "../../src/xapi";
import { isNullRef } from "../../src/xapi/types";
import type { PoolView, VmRecord } from "../../src/xapi/records";
import { startSim, stackDir, writeStack, xsnap, type Resources, type Sim } from "./harness";

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";

describe("xapi_template through the CLI on the demo pool", () => {
  let sim: Sim;
  let dir: string;
  let config = "";
  const write = (resources: Resources): void => { config = writeStack(dir, { url: sim.url, resources }); };
  const resources = (golden: Record<string, unknown> = {}): Resources => ({
    xapi_snapshot: { base: { vm: "web-01", name_label: "web-01 base" } },
    xapi_checkpoint: { cp: { vm: "web-01", name_label: "web-01 cp" } },
    xapi_template: {
      golden: { source: "${xapi_snapshot.base.uuid}", name_label: "web golden", ...golden },
      copied: { source: "${xapi_checkpoint.cp.uuid}", name_label: "web copied", sr: "NFS store" },
    },
  });
  const view = async (): Promise<PoolView> => {
    const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
    try { return await client.readPoolView(); } finally { await client.close(); }
  };
  const templateNamed = (v: PoolView, name: string): VmRecord | undefined => [...v.vms.values()].find((t) => t.is_a_template && !t.is_a_snapshot && t.name_label === name);
  let goldenUuid = "";

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("template");
  });
  afterAll(async () => { await sim.stop(); });

  it("plans both templates with their source known after apply", async () => {
    write(resources());
    const run = await xsnap(["plan", "--config", config, "--out", join(dir, "p1")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  # xapi_template.golden will be created\n");
    expect(run.stdout).toMatch(/^ {6}\+ source +(= \(known after apply\))$/m);
    expect(run.stdout).toContain("Plan: 4 to add, 0 to change, 0 to destroy.");
  });

  it("applies the saved plan: a clone of the snapshot, a copy of the checkpoint in NFS store without memory", async () => {
    const run = await xsnap(["apply", join(dir, "p1"), "--config", config]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
    const v = await view();
    const golden = templateNamed(v, "web golden");
    const copied = templateNamed(v, "web copied");
    goldenUuid = golden?.uuid ?? "";
    expect(golden?.other_config["xsnap.source"]).toBe([...v.vms.values()].find((s) => s.is_a_snapshot && s.name_label === "web-01 base")?.uuid);
    expect(copied?.power_state).toBe("Halted");
    expect(isNullRef(copied?.suspend_VDI ?? "")).toBe(true);
    const nfs = [...v.srs.values()].find((s) => s.name_label === "NFS store");
    const disks = (copied?.VBDs ?? []).map((r) => v.vbds.get(r)).filter((b) => b?.type === "Disk" && !b.empty).map((b) => (b ? v.vdis.get(b.VDI) : undefined));
    expect(disks.length).toBeGreaterThan(0);
    for (const d of disks) expect(d?.SR).toBe(nfs?.ref);
  });

  it("plans no changes afterwards", async () => {
    const run = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(NO_CHANGES);
  });

  it("renames in place, keeping the uuid", async () => {
    write(resources({ name_label: "web golden v2" }));
    const run = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    expect(templateNamed(await view(), "web golden v2")?.uuid).toBe(goldenUuid);
  });

  it("uninstalls a removed template with its disks", async () => {
    const before = await view();
    const copied = templateNamed(before, "web copied");
    const disks = (copied?.VBDs ?? []).map((r) => before.vbds.get(r)).map((b) => (b ? before.vdis.get(b.VDI)?.uuid : undefined)).filter((d): d is NonNullable<typeof d> => d !== undefined);
    const { xapi_template: templates, ...rest } = resources({ name_label: "web golden v2" });
    write({ ...rest, xapi_template: { golden: templates?.golden ?? {} } });
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toContain("  # xapi_template.copied will be destroyed\n");
    for (const d of disks) expect(plan.stdout).toContain(d);
    const run = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Apply complete! Resources: 0 added, 0 changed, 1 destroyed.");
    const after = await view();
    expect(templateNamed(after, "web copied")).toBeUndefined();
    for (const d of disks) expect(after.byUuid.has(d)).toBe(false);
    expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"])).code).toBe(0);
  });
});

describe("examples/golden-template, its template half, through the CLI", () => {
  let sim: Sim;
  let dir: string;

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("golden-template");
  });
  afterAll(async () => { await sim.stop(); });

  it("applies the snapshot and its template copy on NFS store; a second plan shows no changes", async () => {
    const json = JSON.parse(Testing.synth(new GoldenTemplateStack(Testing.app(), "golden-template"))) as { resource: Record<string, unknown> };
    delete json.resource.xapi_snapshot_export;   // exports are not supported yet: the template half only
    const config = join(dir, "cdk.tf.json");
    writeFileSync(config, JSON.stringify(json));
    const env = { XAPI_URL: sim.url, XAPI_USERNAME: "root" };
    const run = await xsnap(["apply", "--config", config, "--auto-approve"], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    expect(run.stdout).toMatch(/xapi_template\.web_template: Creation complete after \d+s \[uuid=[0-9a-f-]{36}\]/);
    expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"], { env })).code).toBe(0);
    const tree = (await xsnap(["inventory"], { env })).stdout;
    // The template stands under the snapshot it was made from.
    expect(tree).toMatch(/── snapshot "web-01 golden" .* managed: \S+ xapi_snapshot\.web_golden\n[│ ] {3}└── template "web golden template" .* managed: \S+ xapi_template\.web_template\n/);
  });
});
