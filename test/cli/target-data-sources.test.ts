// --target with a data source reference, through the real CLI against the simulator: targeting keeps
// the target's dependencies, data sources included, so a targeted destroy still reads the data sources
// its target references and plans only the targeted destroy (Terraform's behaviour).
import { startSim, stackDir, writeStack, xsnap, type Sim } from "./harness";

interface InventoryJson {
  readonly vms: readonly { readonly name_label: string; readonly objects: readonly { readonly name_label: string; readonly owner: { readonly kind: string } }[] }[];
}
const managedOn = (stdout: string, vm: string): string[] =>
  ((JSON.parse(stdout) as InventoryJson).vms.find((v) => v.name_label === vm)?.objects ?? []).filter((o) => o.owner.kind === "managed").map((o) => o.name_label);

describe("--target of a resource that references a data source", () => {
  let sim: Sim;
  let config: string;
  const TARGET = "xapi_snapshot.web_snapshot";

  beforeAll(async () => {
    sim = await startSim();
    config = writeStack(stackDir("target-data"), {
      url: sim.url,
      data: { xapi_vm: { web: { name_label: "web-01" } } },
      resources: { xapi_snapshot: { web_snapshot: { vm: "${data.xapi_vm.web.uuid}", name_label: "web-01 targeted" }, db: { vm: "db-01", name_label: "db-01 other" } } },
    });
  });
  afterAll(async () => { await sim.stop(); });

  it("plan --target plans the target only, its data source read", async () => {
    const run = await xsnap(["plan", "--config", config, "--target", TARGET]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`  # ${TARGET} will be created\n`);
    expect(run.stdout).not.toContain("xapi_snapshot.db");
    expect(run.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
  });

  it("apply --target creates the target only", async () => {
    const run = await xsnap(["apply", "--config", config, "--target", TARGET, "--auto-approve"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect((await xsnap(["apply", "--config", config, "--auto-approve"])).stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  });

  it("plan --destroy --target reads the data source and plans only the targeted destroy", async () => {
    const run = await xsnap(["plan", "--destroy", "--config", config, "--target", TARGET]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`  # ${TARGET} will be destroyed\n`);
    expect(run.stdout).not.toContain("xapi_snapshot.db");
    expect(run.stdout).toContain("Plan: 0 to add, 0 to change, 1 to destroy.");
  });

  it("destroy --target destroys the target and leaves the rest of the stack", async () => {
    const run = await xsnap(["destroy", "--config", config, "--target", TARGET, "--auto-approve"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    const inventory = (await xsnap(["inventory", "--config", config, "--json"])).stdout;
    expect(managedOn(inventory, "web-01")).toEqual([]);
    expect(managedOn(inventory, "db-01")).toEqual(["db-01 other"]);
  });
});
