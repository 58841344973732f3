// Behaviour that needs a terminal (colour, the approval prompt), run under util-linux `script`,
// which gives the CLI a pseudo-terminal; and the README's first command, `xsnap demo`.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, assertBuilt, baseEnv, startSim, stackDir, writeStack, xsnap, type Run, type Sim } from "./harness";

const ESC = "\u001b[";

function inTerminal(args: readonly string[], options: { readonly env?: Record<string, string | undefined>; readonly input?: string } = {}): Promise<Run> {
  assertBuilt();
  const command = [process.execPath, join(ROOT, "bin/xsnap.js"), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: ROOT, env: baseEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  if (options.input !== undefined) child.stdin.write(options.input);
  return new Promise((done) => child.once("close", (code) => { child.stdin.destroy(); done({ code: code ?? -1, stdout, stderr }); }));
}

describe("xsnap in a terminal", () => {
  let sim: Sim;
  let config: string;
  beforeAll(async () => {
    sim = await startSim();
    config = writeStack(stackDir("tty"), { url: sim.url, resources: { xapi_snapshot: { web: { vm: "web-01", name_label: "tty" } } } });
  });
  afterAll(async () => { await sim.stop(); });

  it("colours the plan on a terminal", async () => {
    const run = await inTerminal(["plan", "--config", config]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(ESC);
  });

  it.each([
    ["NO_COLOR turns colour off", { NO_COLOR: "1" }, []],
    ["--no-color turns colour off", {}, ["--no-color"]],
  ])("%s", async (_why, env, flags) => {
    const run = await inTerminal(["plan", "--config", config, ...flags], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(run.stdout).not.toContain(ESC);
  });

  it("cancels with exit 7 when the answer to the approval prompt is not yes", async () => {
    const run = await inTerminal(["apply", "--config", config, "--no-color"], { input: "no\n" });
    expect(run.stdout).toContain("Only 'yes' will be accepted to approve.");
    expect(run.stdout).toContain("Apply cancelled.");
    expect(run.code).toBe(7);
  });
});

describe("xsnap demo", () => {
  it("plans, applies and re-plans the quickstart on the built-in simulator", async () => {
    const run = await xsnap(["demo"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(run.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    expect(run.stdout).toContain("No changes. Your infrastructure matches the configuration.");
    expect(run.stdout).toContain("Demo complete.");
  }, 180_000);
});
