// Issue 13: the repository root is a cdktf project (cdktf.json beside package.json) whose app is the
// quickstart stack, so a fresh clone's README quick start works: `npx xsnap sim` in one terminal,
// `npx xsnap validate` / `npx xsnap plan` at the root in another, and the real `cdktf synth` too.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, baseEnv, startSim, xsnap, type Run, type Sim } from "./harness";

const NO_XAPI = { XAPI_URL: undefined, XAPI_USERNAME: undefined };

/** `npx xsnap ...` at the root, as the README writes it (npx finds the package's own bin there). */
function npx(args: readonly string[], env: Record<string, string | undefined>): Promise<Run> {
  const child = spawn("npx", ["--no-install", ...args], { cwd: ROOT, env: baseEnv({ NO_COLOR: "1", CHECKPOINT_DISABLE: "1", ...env }), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  return new Promise((done) => child.once("close", (code) => done({ code: code ?? -1, stdout, stderr })));
}

describe("the repository root as a cdktf project", () => {
  let sim: Sim;
  beforeAll(async () => { sim = await startSim(); });
  afterAll(async () => { await sim.stop(); });

  it("declares the app, the output, and the binding settings in cdktf's own keys", () => {
    const cdktfJson = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as Record<string, unknown>;
    expect(cdktfJson).toMatchObject({
      language: "typescript", app: "npx ts-node examples/quickstart/main.ts", output: "cdktf.out", codeMakerOutput: "src/constructs",
      terraformProviders: [{ name: "xapi", source: "registry.terraform.io/xsnap/xapi", version: "0.1.0" }],
    });
  });

  it("npx xsnap validate succeeds at the root without a pool", async () => {
    expect(await npx(["xsnap", "validate"], NO_XAPI)).toEqual({ code: 0, stdout: "Success! The configuration is valid.\n", stderr: "" });
  });

  it("npx xsnap plan at the root plans the quickstart stack against xsnap sim", async () => {
    const run = await npx(["xsnap", "plan"], { XAPI_URL: sim.url, XAPI_USERNAME: "root", XAPI_PASSWORD: "xsnap" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Stack "quickstart" on pool "demo-pool"/m);
    expect(run.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
  });

  it("the real cdktf synth writes the quickstart stack", async () => {
    const out = mkdtempSync(join(tmpdir(), "xsnap-root-synth-"));
    try {
      const run = await npx(["cdktf", "synth", "--output", out], NO_XAPI);
      expect(run.stdout).toContain("Generated Terraform code for the stacks: quickstart");
      const doc = JSON.parse(readFileSync(join(out, "stacks/quickstart/cdk.tf.json"), "utf8")) as { terraform: { required_providers: Record<string, unknown> } };
      expect(doc.terraform.required_providers.xapi).toEqual({ source: "registry.terraform.io/xsnap/xapi", version: "0.1.0" });
      // What cdktf synth wrote is what xsnap reads.
      expect((await xsnap(["validate", "--config", out])).code).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
