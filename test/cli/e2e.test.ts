// The real CLI against a real simulator process: what a user and a CI pipeline see (DESIGN §4).
import { join } from "node:path";
import { asUuid, connect } from "../../src/xapi";
import { startSim, stackDir, writeStack, xsnap, type Resources, type Sim } from "./harness";

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";

interface InventoryJson {
  readonly vms: readonly { readonly name_label: string; readonly objects: readonly { readonly uuid: string; readonly name_label: string; readonly owner: { readonly kind: string } }[] }[];
}
const objectsOf = (stdout: string, vm: string): InventoryJson["vms"][number]["objects"] =>
  (JSON.parse(stdout) as InventoryJson).vms.find((v) => v.name_label === vm)?.objects ?? [];

describe("xsnap plan / apply / inventory on the demo pool", () => {
  let sim: Sim;
  let config: string;
  let dir: string;
  const write = (resources: Resources): string => (config = writeStack(dir, { url: sim.url, resources }));
  const webSnapshot = (name: string): Resources => ({ xapi_snapshot: { web: { vm: "web-01", name_label: name } } });
  let uuid = "";

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir();
  });
  afterAll(async () => { await sim.stop(); });

  it("plans a new snapshot and exits 2 with --detailed-exitcode", async () => {
    write(webSnapshot("web-01 before upgrade"));
    const run = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("  # xapi_snapshot.web will be created\n");
    expect(run.stdout).toMatch(/^ {6}\+ name_label +(= "web-01 before upgrade")$/m);
    expect(run.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
  });

  it("exits 0 for the same plan without --detailed-exitcode", async () => {
    expect((await xsnap(["plan", "--config", config])).code).toBe(0);
  });

  it("refuses to apply without a terminal or --auto-approve (fails closed, exit 1)", async () => {
    const run = await xsnap(["apply", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no terminal to ask for approval");
    expect(objectsOf((await xsnap(["inventory", "--config", config, "--json"])).stdout, "web-01").map((o) => o.name_label)).toEqual(["web-01 manual"]);
  });

  it("applies with --auto-approve and reports the new snapshot's uuid", async () => {
    const run = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(run.code).toBe(0);
    const done = /xapi_snapshot\.web: Creation complete after \d+s \[uuid=([0-9a-f-]{36})\]/.exec(run.stdout);
    expect(done).not.toBeNull();
    uuid = done?.[1] ?? "";
    expect(run.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  });

  it("plans no changes afterwards (exit 0 with --detailed-exitcode)", async () => {
    const run = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(NO_CHANGES);
  });

  it("renames in place, keeping the snapshot's uuid", async () => {
    write(webSnapshot("web-01 pre-upgrade"));
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toMatch(/^ {6}~ name_label += "web-01 before upgrade" -> "web-01 pre-upgrade"$/m);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
    const objects = objectsOf((await xsnap(["inventory", "--config", config, "--json"])).stdout, "web-01");
    expect(objects.find((o) => o.uuid === uuid)).toMatchObject({ name_label: "web-01 pre-upgrade", owner: { kind: "managed" } });
  });

  it("destroys the snapshot and its disks when it leaves the configuration, leaving the unmanaged one alone", async () => {
    write({});
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toContain("  # xapi_snapshot.web will be destroyed\n  # (because xapi_snapshot.web is not in configuration)");
    expect(plan.stdout).toContain("Destructive: 1 to destroy (xapi_snapshot.web).");
    const json = JSON.parse((await xsnap(["plan", "--config", config, "--format", "json"])).stdout) as
      { resource_changes: { change: { before: { disk_uuids?: string[] } | null } }[] };
    const disks = json.resource_changes[0]?.change.before?.disk_uuids ?? [];
    expect(disks.length).toBeGreaterThan(0);
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 0 changed, 1 destroyed.");
    const objects = objectsOf((await xsnap(["inventory", "--config", config, "--json"])).stdout, "web-01");
    expect(objects.map((o) => [o.name_label, o.owner.kind])).toEqual([["web-01 manual", "unmanaged"]]);
    const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
    try {
      const view = await client.readPoolView();
      expect(disks.filter((d) => view.byUuid.has(asUuid(d)))).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("refuses a saved plan once the pool changed (exit 4, naming the address)", async () => {
    const dbSnapshot = (name: string): Resources => ({ xapi_snapshot: { db: { vm: "db-01", name_label: name } } });
    write(dbSnapshot("db-01 nightly"));
    expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
    write(dbSnapshot("db-01 nightly v2"));
    const planFile = join(dir, "plan.xsnap");
    expect((await xsnap(["plan", "--config", config, "--out", planFile])).code).toBe(0);
    const shown = await xsnap(["show", planFile]);
    expect(shown.stdout).toMatch(/^ {6}~ name_label += "db-01 nightly" -> "db-01 nightly v2"$/m);
    expect((await xsnap(["show", planFile, "--format", "markdown"])).stdout).toMatch(/^<!-- xsnap:plan stack=e2e pool=\S+ -->\n## xsnap plan: `e2e`/);
    // Meanwhile another checkout of the same stack renames the snapshot differently.
    const other = writeStack(stackDir(), { url: sim.url, resources: dbSnapshot("db-01 nightly v3") });
    expect((await xsnap(["apply", "--config", other, "--auto-approve"])).code).toBe(0);
    const stale = await xsnap(["apply", planFile, "--config", config]);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toContain("Saved plan is stale");
    expect(stale.stderr).toContain("xapi_snapshot.db");
    expect(stale.stdout).not.toContain("Modifying...");
  });

  it("rejects a checkpoint of a Halted VM at plan time (exit 1, naming the address)", async () => {
    write({ xapi_checkpoint: { batch: { vm: "batch-01", name_label: "batch-01 checkpoint" } } });
    const run = await xsnap(["plan", "--config", config]);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Error: xapi_checkpoint\.batch: .*Halted/);
  });

  it("writes only the JSON document to stdout with --format json", async () => {
    write(webSnapshot("web-01 json"));
    const run = await xsnap(["plan", "--config", config, "--format", "json"]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { format_version: string; resource_changes: { address: string; change: { actions: string[] } }[] };
    expect(doc.format_version).toBe("1.1");
    expect(doc.resource_changes.map((c) => [c.address, c.change.actions])).toContainEqual(["xapi_snapshot.web", ["create"]]);
  });

  it("plans a requested retake as a replacement", async () => {
    write({ xapi_snapshot: { db: { vm: "db-01", name_label: "db-01 nightly v3" } } });
    const run = await xsnap(["plan", "--config", config, "--replace", "xapi_snapshot.db"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  # xapi_snapshot.db will be replaced, as requested\n");
    expect(run.stdout).toContain("Destructive: 1 to replace (xapi_snapshot.db).");
  });

  it("destroys everything the stack manages with xsnap destroy", async () => {
    const run = await xsnap(["destroy", "--config", config, "--auto-approve"]);
    expect(run.stdout).toContain("  # xapi_snapshot.db will be destroyed\n");
    expect(run.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    expect(run.code).toBe(0);
    const objects = objectsOf((await xsnap(["inventory", "--config", config, "--json"])).stdout, "db-01");
    expect(objects.filter((o) => o.owner.kind === "managed")).toEqual([]);
  });
});
