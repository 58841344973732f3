// A stack with two `xapi` provider aliases = two pools: one plan section and one lock per pool.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSim, stackDir, xsnap, type Sim } from "./harness";

describe("xsnap with two pools in one stack", () => {
  let primary: Sim;
  let dr: Sim;
  beforeAll(async () => { [primary, dr] = await Promise.all([startSim(), startSim(["--seed", "7"])]); });
  afterAll(async () => { await Promise.all([primary.stop(), dr.stop()]); });

  it("plans and applies each pool with its own credentials, then finds no changes in either", async () => {
    const config = join(stackDir("multi"), "cdk.tf.json");
    writeFileSync(config, JSON.stringify({
      "//": { metadata: { stackName: "multi" } },
      provider: { xapi: [
        { alias: "primary", url: primary.url, username: "root" },
        { alias: "dr", url: dr.url, username: "root", password_env: "DR_PASSWORD" },
      ] },
      resource: { xapi_snapshot: {
        web: { provider: "xapi.primary", vm: "web-01", name_label: "on primary" },
        db: { provider: "xapi.dr", vm: "db-01", name_label: "on dr" },
      } },
    }));
    const env = { DR_PASSWORD: "xsnap" };
    const plan = await xsnap(["plan", "--config", config], { env });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`Stack "multi" (provider xapi.primary) on pool "demo-pool" (`);
    expect(plan.stdout).toContain(`at ${dr.url}`);
    expect(plan.stdout.match(/Plan: 1 to add, 0 to change, 0 to destroy\./g)).toHaveLength(2);
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"], { env });
    expect(apply.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    const again = await xsnap(["plan", "--config", config, "--detailed-exitcode"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout.match(/No changes\. Your infrastructure matches the configuration\./g)).toHaveLength(2);
  });
});
