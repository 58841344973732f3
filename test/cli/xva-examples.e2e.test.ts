// examples/golden-template (its export half), examples/multi-pool and examples/disaster-recovery,
// planned and applied end to end against simulators. The apps read their pools and export folder
// from the environment at synth time: the committed stacks run here without an edit.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "../../src/cdktf";
import { GoldenTemplateStack } from "../../examples/golden-template/main";
import { ROOT, stackDir, startSim, xsnap, type Sim } from "./harness";

describe("the XVA examples against simulators", () => {
  let primary: Sim;
  let dr: Sim;
  let exportsDir: string;
  beforeAll(async () => {
    [primary, dr] = await Promise.all([startSim(), startSim(["--seed", "7"])]);
    exportsDir = mkdtempSync(join(tmpdir(), "xsnap-example-exports-"));
  });
  afterAll(async () => {
    await Promise.all([primary.stop(), dr.stop()]);
    rmSync(exportsDir, { recursive: true, force: true });
  });
  const env = () => ({
    XAPI_PRIMARY_URL: primary.url, XAPI_DR_URL: dr.url, XAPI_USERNAME: "root", XAPI_DR_PASSWORD: "xsnap",
    XSNAP_EXPORT_DIR: exportsDir, DR_RUN: "2026-01-01",
  });

  // Run from the example's folder exactly as a user does: `xsnap plan` runs cdktf.json's `npx ts-node main.ts`.
  for (const [example, stack, files] of [
    ["disaster-recovery", "disaster-recovery", ["web-01-nightly.xva"]],
    ["multi-pool", "multi-pool", ["web-01-dr.xva"]],
  ] as const) {
    it(`examples/${example}: snapshot and export on the primary pool, import into the DR pool; then no changes`, async () => {
      const cwd = join(ROOT, "examples", example);
      const plan = await xsnap(["plan"], { cwd, env: env() });
      expect(plan.stderr).toBe("");
      expect(plan.stdout).toContain(`Stack "${stack}" (provider xapi.dr) on pool "demo-pool" (`);
      expect(plan.stdout).toContain(`at ${dr.url}`);
      const apply = await xsnap(["apply", "--auto-approve"], { cwd, env: env() });
      expect(apply.stderr).toBe("");
      expect(apply.stdout).toContain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
      for (const f of files) expect(readdirSync(exportsDir)).toContain(f);
      const again = await xsnap(["plan", "--detailed-exitcode"], { cwd, env: env() });
      expect(again.code).toBe(0);
      expect(again.stdout.match(/No changes\. Your infrastructure matches the configuration\./g)).toHaveLength(2);
      const destroyed = await xsnap(["destroy", "--auto-approve"], { cwd, env: env() });
      expect(destroyed.code).toBe(0);
      for (const f of files) expect(readdirSync(exportsDir)).not.toContain(f);   // the files xsnap wrote, unchanged, go too
    }, 120_000);
  }

  it("examples/golden-template: snapshot, template and compressed export; then no changes", async () => {
    const saved = process.env.XSNAP_EXPORT_DIR;
    process.env.XSNAP_EXPORT_DIR = exportsDir;   // read when the stack is synthesized
    let json: string;
    try {
      json = Testing.synth(new GoldenTemplateStack(Testing.app(), "golden-template"));
    } finally {
      if (saved === undefined) delete process.env.XSNAP_EXPORT_DIR;
      else process.env.XSNAP_EXPORT_DIR = saved;
    }
    const config = join(stackDir("golden-xva"), "cdk.tf.json");
    writeFileSync(config, json);
    const on = { env: { XAPI_URL: primary.url, XAPI_USERNAME: "root" } };
    const run = await xsnap(["apply", "--config", config, "--auto-approve"], on);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    expect(readdirSync(exportsDir)).toContain("web-01-golden.xva");
    expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"], on)).code).toBe(0);
  });
});
