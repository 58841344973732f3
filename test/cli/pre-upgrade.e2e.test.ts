// examples/pre-upgrade through the real CLI and a real simulator process: a checkpoint and a revert to
// it in one apply, VM.revert exactly once per token, a safety snapshot, the power state restored.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "../../src/cdktf";
import { PreUpgradeStack } from "../../examples/pre-upgrade/main";
import { startSim, stackDir, xsnap, type Sim } from "./harness";

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";

/** The example as `cdktf synth` writes it, with `token` as its revert token. */
function synthesize(dir: string, token: string): string {
  const json = JSON.parse(Testing.synth(new PreUpgradeStack(Testing.app(), "pre-upgrade"))) as { resource: { xapi_vm_revert: Record<string, { revert_token: string }> } };
  for (const r of Object.values(json.resource.xapi_vm_revert)) r.revert_token = token;
  const file = join(dir, "cdk.tf.json");
  writeFileSync(file, JSON.stringify(json));
  return file;
}

interface Stats { readonly calls: Record<string, number> }

describe("examples/pre-upgrade on the demo pool", () => {
  let sim: Sim;
  let dir: string;
  let env: Record<string, string>;
  const calls = async (method: string): Promise<number> => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as Stats).calls[method] ?? 0;
  const inventory = async (): Promise<string> => (await xsnap(["inventory", "--vm", "db-01"], { env })).stdout;

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("pre-upgrade");
    env = { XAPI_URL: sim.url, XAPI_USERNAME: "root" };
  });
  afterAll(async () => { await sim.stop(); });

  it("plans the checkpoint and a revert whose snapshot is known after apply", async () => {
    const config = synthesize(dir, "rollback-1");
    const run = await xsnap(["plan", "--config", config, "--out", join(dir, "p1")], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  # xapi_vm_revert.db_rollback will be REVERTED\n");
    expect(run.stdout).toMatch(/^ {6}\+ snapshot +(= \(known after apply\))$/m);
    expect(run.stdout).toContain("Plan: 1 to add, 1 to change, 0 to destroy.");
    expect(run.stdout).toContain("Destructive: 1 to revert (xapi_vm_revert.db_rollback).");
  });

  it("applies the saved plan: checkpoint, safety snapshot, one VM.revert, db-01 resumed", async () => {
    const run = await xsnap(["apply", join(dir, "p1"), "--config", join(dir, "cdk.tf.json")], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Apply complete! Resources: 1 added, 1 changed, 0 destroyed.");
    expect(await calls("Async.VM.revert")).toBe(1);
    expect(await calls("Async.VM.resume")).toBe(1);
    const tree = await inventory();
    expect(tree).toMatch(/db-01 \(\w+\) Running/);
    expect(tree).toMatch(/snapshot "db-01 before revert rollback-1" .* managed: \S+ xapi_vm_revert\.db_rollback/);
  });

  it("plans no changes afterwards: the token was recorded", async () => {
    const run = await xsnap(["plan", "--config", join(dir, "cdk.tf.json"), "--detailed-exitcode"], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(NO_CHANGES);
  });

  it("a new token reverts again exactly once", async () => {
    const config = synthesize(dir, "rollback-2");
    const run = await xsnap(["apply", "--config", config, "--auto-approve"], { env });
    expect(run.code).toBe(0);
    expect(await calls("Async.VM.revert")).toBe(2);
    expect(await inventory()).toContain('"db-01 before revert rollback-2"');
    expect((await xsnap(["plan", "--config", config], { env })).stdout).toContain(NO_CHANGES);
    expect(await calls("Async.VM.revert")).toBe(2);
  });
});
