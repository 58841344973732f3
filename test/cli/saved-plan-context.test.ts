// DESIGN §4 small print: a saved plan records where its configuration came from, the stack and the
// pool, so `apply PLANFILE` run from another folder needs nothing but the password; and every hint
// printed is a command that works from where the user ran xsnap.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startSim, stackDir, xsnap, type Sim } from "./harness";

const BIN = join(ROOT, "bin/xsnap.js");
/** Runs a printed hint as a user would paste it in a shell, with `xsnap` being this build. */
const runHint = (hint: string, cwd: string, env: Record<string, string>) =>
  spawnSync("sh", ["-c", hint.replace(/(^|&& )xsnap /g, `$1"${process.execPath}" "${BIN}" `)], { cwd, encoding: "utf8", env: { ...process.env, ...env, NO_COLOR: "1" } });

describe("a saved plan carries its context", () => {
  let sim: Sim;
  let work: string;
  beforeAll(async () => {
    sim = await startSim();
    work = stackDir("context");
    mkdirSync(join(work, "configs"));
    mkdirSync(join(work, "elsewhere"));
  });
  afterAll(async () => { await sim.stop(); });

  // Only the secret is left in the environment: no XAPI_URL / XAPI_USERNAME, and the block has no username.
  const onlySecret = { XAPI_URL: undefined, XAPI_USERNAME: undefined, XSNAP_IN_AUTOMATION: undefined };
  const withPool = (): Record<string, string> => ({ XAPI_URL: sim.url, XAPI_USERNAME: "root", XAPI_PASSWORD: "xsnap" });
  const writeConfig = (name: string): string => {
    const file = join(work, "configs", "cdk.tf.json");
    writeFileSync(file, JSON.stringify({
      "//": { metadata: { stackName: "context" } },
      provider: { xapi: [{}] },
      resource: { xapi_snapshot: { web: { vm: "web-01", name_label: name } } },
    }));
    return file;
  };

  it("hints the fresh apply with the --config that was used", async () => {
    writeConfig("web-01 saved");
    const plan = await xsnap(["plan", "--config", "configs/cdk.tf.json"], { cwd: work, env: withPool() });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('if you run "xsnap apply --config configs/cdk.tf.json" now.');
  });

  it("applies from another folder with no --config, no XAPI_URL and no XAPI_USERNAME", async () => {
    const saved = await xsnap(["plan", "--config", "configs/cdk.tf.json", "--out", "p.xsnap"], { cwd: work, env: withPool() });
    expect(saved.stdout).toContain("    xsnap apply p.xsnap");
    const applied = await xsnap(["apply", "../p.xsnap"], { cwd: join(work, "elsewhere"), env: onlySecret });
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  });

  it("refuses a stale plan with a re-plan command that works from where apply ran", async () => {
    writeConfig("web-01 saved again");
    const stalePlan = await xsnap(["plan", "--config", "configs/cdk.tf.json", "--out", "p2.xsnap"], { cwd: work, env: withPool() });
    expect(stalePlan.code).toBe(0);
    writeConfig("web-01 renamed after the plan");
    const elsewhere = join(work, "elsewhere");
    const refused = await xsnap(["apply", "../p2.xsnap"], { cwd: elsewhere, env: onlySecret });
    expect(refused.code).toBe(4);
    const hint = /Run `([^`]+)` again/.exec(refused.stderr)?.[1] ?? "";
    expect(hint).toBe("xsnap plan --out ../p2.xsnap --config ../configs/cdk.tf.json");
    const replanned = runHint(hint, elsewhere, withPool());
    expect(replanned.stderr).toBe("");
    expect(replanned.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
  });

  it("points destroy without a terminal to plan --destroy --out, with the --config used", async () => {
    const run = await xsnap(["destroy", "--config", "configs/cdk.tf.json"], { cwd: work, env: withPool() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("save the plan with `xsnap plan --destroy --out FILE --config configs/cdk.tf.json` and run `xsnap apply FILE`");
    const hint = /`(xsnap plan --destroy[^`]+)`/.exec(run.stderr)?.[1] ?? "";
    const saved = runHint(hint.replace("FILE", "d.xsnap"), work, withPool());
    expect(saved.stdout).toContain("Plan: 0 to add, 0 to change, 1 to destroy.");
    const destroyed = await xsnap(["apply", "d.xsnap"], { cwd: work, env: onlySecret });
    expect(destroyed.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
  });

  it("applies in another checkout (a pipeline's apply job): the configuration at the same relative place", async () => {
    writeConfig("web-01 from the plan job");
    const saved = await xsnap(["plan", "--config", "configs/cdk.tf.json", "--out", "p3.xsnap"], { cwd: work, env: withPool() });
    expect(saved.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    // The apply job's checkout: same files, another folder; the plan job's folder is gone.
    const checkout = `${work}-apply-job`;
    cpSync(work, checkout, { recursive: true });
    renameSync(join(work, "configs"), join(work, "configs-gone"));
    try {
      const nowhere = await xsnap(["apply", join(checkout, "p3.xsnap")], { cwd: join(checkout, "elsewhere"), env: onlySecret });
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toContain(`the plan was made from --config ${join(work, "configs/cdk.tf.json")}, which no longer exists, nor at configs/cdk.tf.json from here`);
      const applied = await xsnap(["apply", "p3.xsnap"], { cwd: checkout, env: onlySecret });
      expect(applied.stderr).toBe("");
      expect(applied.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
      // What is found there must still be the planned configuration: an edited copy is a stale plan.
      const again = await xsnap(["plan", "--config", "configs/cdk.tf.json", "--out", "p4.xsnap"], { cwd: checkout, env: withPool() });
      expect(again.code).toBe(0);
      const other = `${work}-edited`;
      cpSync(checkout, other, { recursive: true });
      rmSync(checkout, { recursive: true });
      writeFileSync(join(other, "configs/cdk.tf.json"), readFileSync(join(other, "configs/cdk.tf.json"), "utf8").replace("web-01 from the plan job", "web-01 edited"));
      expect((await xsnap(["apply", "p4.xsnap"], { cwd: other, env: onlySecret })).code).toBe(4);
    } finally {
      renameSync(join(work, "configs-gone"), join(work, "configs"));
    }
  });
});

describe("a saved plan of a cdktf app", () => {
  let sim: Sim;
  beforeAll(async () => { sim = await startSim(); });
  afterAll(async () => { await sim.stop(); });

  it("re-runs the app from its own folder when applied from elsewhere", async () => {
    const dir = stackDir("app-context");
    const planFile = join(dir, "q.xsnap");
    const app = join(ROOT, "examples/quickstart");
    const saved = await xsnap(["plan", "--out", planFile], { cwd: app, env: { XAPI_URL: sim.url, XAPI_USERNAME: "root" } });
    expect(saved.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    const applied = await xsnap(["apply", planFile], { cwd: dir, env: { XAPI_URL: undefined, XAPI_USERNAME: undefined } });
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
  });
});
