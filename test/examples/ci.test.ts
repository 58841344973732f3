// examples/ci: each workflow is valid for its CI system (GitHub Actions: @action-validator/core, the
// SchemaStore workflow schema; GitLab: gitlab-ci-local, which validates against GitLab's own ci.json
// schema), and the shell lines of its xsnap steps, taken from the YAML as written, run against the
// simulator: plan + Markdown comment body + saved plan, the drift check failing loudly, apply of the
// saved plan, the stale plan refused, and per pool in the matrix.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT, baseEnv, startSim, type Sim } from "../cli/harness";

const CI = join(ROOT, "examples/ci");
const GITHUB = ["github/xsnap.yml", "github/xsnap-multi-pool.yml"];
const GITLAB = "gitlab/.gitlab-ci.yml";

interface Step { readonly name?: string; readonly run?: string }
interface Job { readonly steps?: Step[]; readonly script?: string[] }

function yamlOf(file: string): { jobs?: Record<string, Job> } & Record<string, Job> {
  return parse(readFileSync(join(CI, file), "utf8")) as { jobs?: Record<string, Job> } & Record<string, Job>;
}

/** The `run:` of the GitHub step with this name. */
function step(file: string, job: string, name: string): string {
  const run = yamlOf(file).jobs?.[job]?.steps?.find((s) => s.name === name)?.run;
  if (!run) throw new Error(`${file}: job ${job} has no step "${name}" with a run`);
  return run;
}

/** The script lines of a GitLab job that run xsnap (the API calls around them are left out). */
function scriptOf(job: string): string {
  const lines = yamlOf(GITLAB)[job]?.script;
  if (!lines) throw new Error(`${GITLAB}: no job ${job}`);
  return lines.filter((l) => !l.includes("curl")).join("\n");
}

/** A user's repository: the quickstart app, with `npx xsnap` and `npx ts-node` installed as in node_modules/.bin. */
function appDir(): string {
  const dir = mkdtempSync(join(ROOT, "examples", ".ci-run-"));
  for (const f of ["main.ts", "cdktf.json"]) copyFileSync(join(ROOT, "examples/quickstart", f), join(dir, f));
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  symlinkSync(join(ROOT, "bin/xsnap.js"), join(dir, "node_modules/.bin/xsnap"));
  symlinkSync(join(ROOT, "node_modules/.bin/ts-node"), join(dir, "node_modules/.bin/ts-node"));
  return dir;
}

interface Shell { readonly code: number; readonly out: string }

/** As the runner does: GitHub's `bash -e {0}` (pipefail too), GitLab's errexit shell. */
function sh(script: string, cwd: string, env: Record<string, string>): Promise<Shell> {
  const child = spawn("bash", ["-e", "-o", "pipefail", "-c", script], { cwd, env: baseEnv({ XSNAP_IN_AUTOMATION: "1", NO_COLOR: "1", XAPI_USERNAME: "root", ...env }) });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
  return new Promise((done) => child.once("close", (code) => done({ code: code ?? -1, out })));
}

describe("examples/ci workflows are valid for their CI system", () => {
  it.each(GITHUB)("%s passes the GitHub Actions workflow schema", (file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { validateWorkflow } = require("@action-validator/core") as { validateWorkflow(src: string): { errors: unknown[] } };
    expect(validateWorkflow(readFileSync(join(CI, file), "utf8")).errors).toEqual([]);
  });

  function gitlabCiLocal(yaml: string): { code: number | null; out: string } {
    const dir = mkdtempSync(join(tmpdir(), "xsnap-gitlab-"));
    try {
      writeFileSync(join(dir, ".gitlab-ci.yml"), yaml);
      spawnSync("git", ["init", "-q"], { cwd: dir });
      const r = spawnSync(process.execPath, ["-r", join(ROOT, "test/helpers/set-methods-polyfill.cjs"), join(ROOT, "node_modules/gitlab-ci-local/dist/index.js"), "--list"],
        { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it(`${GITLAB} passes GitLab's CI schema (gitlab-ci-local)`, () => {
    const yaml = readFileSync(join(CI, GITLAB), "utf8");
    const ok = gitlabCiLocal(yaml);
    expect(ok.out).toContain("json schema validated");
    expect(ok).toMatchObject({ code: 0 });
    // The validator is live: a misspelt key is refused.
    const bad = gitlabCiLocal(yaml.replace("  resource_group: xsnap-pool\n  environment:", "  resource_groupe: xsnap-pool\n  environment:"));
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("'resource_groupe' property is not expected");
  }, 60_000);
});

describe("the xsnap steps, run against the simulator", () => {
  let sims: Sim[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("GitHub: PR plan → comment body with the marker + plan file; drift fails loudly; apply of the saved plan; the same plan again is refused as stale", async () => {
    const sim = await startSim();
    sims.push(sim);
    const dir = appDir();
    dirs.push(dir);
    const summary = join(dir, "summary.md");
    const env = { XAPI_URL: sim.url, GITHUB_STEP_SUMMARY: summary };
    const file = GITHUB[0] ?? "";

    const plan = await sh(step(file, "plan", "xsnap plan"), dir, env);
    expect(plan).toMatchObject({ code: 0 });
    const md = readFileSync(join(dir, "plan.md"), "utf8");
    expect(md.split("\n")[0]).toMatch(/^<!-- xsnap:plan stack=quickstart pool=\S+ -->$/);
    expect(md).toContain("2 to add");
    expect(existsSync(join(dir, "plan.xsnap"))).toBe(true);

    const drift = await sh(step(file, "drift", "xsnap drift check"), dir, env);
    expect(drift.code).toBe(2);
    expect(drift.out).toContain("::error::drift");
    expect(readFileSync(summary, "utf8")).toContain("<!-- xsnap:plan");

    const apply = await sh(step(file, "apply", "xsnap apply"), dir, env);
    expect(apply).toMatchObject({ code: 0 });

    const clean = await sh(step(file, "drift", "xsnap drift check"), dir, env);
    expect(clean.code).toBe(0);

    const again = await sh(step(file, "apply", "xsnap apply"), dir, env);
    expect(again.code).toBe(4);
    expect(again.out).toContain("::error::the saved plan is stale");
  }, 180_000);

  it("GitLab: MR plan, drift (exit 2), apply of the saved plan, drift clean", async () => {
    const sim = await startSim();
    sims.push(sim);
    const dir = appDir();
    dirs.push(dir);
    const env = { XAPI_URL: sim.url };
    const plan = await sh(scriptOf("xsnap-plan"), dir, env);
    expect(plan).toMatchObject({ code: 0 });
    expect(readFileSync(join(dir, "plan.md"), "utf8")).toMatch(/^<!-- xsnap:plan stack=quickstart /);
    const drift = await sh(scriptOf("xsnap-drift"), dir, env);
    expect(drift.code).toBe(2);
    expect(drift.out).toContain("DRIFT");
    expect(await sh(scriptOf("xsnap-apply"), dir, env)).toMatchObject({ code: 0 });
    expect((await sh(scriptOf("xsnap-drift"), dir, env)).code).toBe(0);
  }, 180_000);

  it("GitHub matrix: one job per pool, each planning and applying its own pool", async () => {
    const pools = await Promise.all([startSim(), startSim()]);
    sims = [...sims, ...pools];
    const file = GITHUB[1] ?? "";
    const results = await Promise.all(pools.map(async (sim) => {
      const dir = appDir();
      dirs.push(dir);
      const env = { XAPI_URL: sim.url, XSNAP_STACK: "quickstart" };
      const plan = await sh(step(file, "pool", "xsnap plan"), dir, env);
      const apply = await sh(step(file, "pool", "xsnap apply"), dir, env);
      const drift = await sh(step(file, "pool", "xsnap drift check"), dir, env);
      if (apply.code !== 0) process.stderr.write(`${plan.out}\n${apply.out}\n${drift.out}\n`);
      return { plan: plan.code, md: existsSync(join(dir, "plan-quickstart.md")), apply: apply.code, drift: drift.code };
    }));
    expect(results).toEqual([{ plan: 0, md: true, apply: 0, drift: 0 }, { plan: 0, md: true, apply: 0, drift: 0 }]);
  }, 240_000);
});
