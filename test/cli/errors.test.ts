// How the CLI reports failures: one readable line and exit 1, never a stack trace for a user error.
import { startSim, stackDir, writeStack, xsnap, type Sim } from "./harness";

describe("xsnap failure reporting and machine-readable apply output", () => {
  let sim: Sim;
  beforeAll(async () => { sim = await startSim(); });
  afterAll(async () => { await sim.stop(); });

  it("prints an XAPI error as one line with its code and a hint, never a stack trace", async () => {
    const config = writeStack(stackDir("auth"), { url: sim.url, resources: {} });
    await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([
      { method: "session.login_with_password", error: ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"], times: 1 }]) });
    const run = await xsnap(["plan", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr.trim()).toBe('Error: XAPI SESSION_AUTHENTICATION_FAILED(root, Authentication failure) from session.login_with_password: the user name or password is wrong for user "root" (user from username in provider \"xapi\", password from XAPI_PASSWORD)');
  });

  it("says it cannot reach a pool that is not there", async () => {
    const config = writeStack(stackDir("down"), { url: "http://127.0.0.1:1", resources: {} });
    const run = await xsnap(["plan", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: cannot talk to the pool: ECONNREFUSED/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the missing password variable", async () => {
    const config = writeStack(stackDir("nopw"), { url: sim.url, resources: {} });
    const run = await xsnap(["plan", "--config", config], { env: { XAPI_PASSWORD: undefined } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Error: no password: set the XAPI_PASSWORD environment variable");
  });

  it("reports a partial apply as incomplete with what failed, and exits 5", async () => {
    const config = writeStack(stackDir("partial"), { url: sim.url, stack: "partial", resources: { xapi_snapshot: {
      a: { vm: "web-01", name_label: "partial a" }, b: { vm: "win-app-01", name_label: "partial b" } } } });
    await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([
      { method: "VM.snapshot", error: ["SR_FULL", "1000", "10"], after: 1, times: 1 }]) });
    const run = await xsnap(["apply", "--config", config, "--auto-approve", "--parallelism", "1"]);
    expect(run.stdout).toContain("Apply incomplete! Resources: 1 added, 0 changed, 0 destroyed; 1 failed, 0 skipped.");
    expect(run.stdout).toMatch(/Failed:\n {2}- xapi_snapshot\.[ab]: SR_FULL\(1000, 10\): the SR has not enough free space\n/);
    expect(run.stdout).toContain(`Run \`xsnap plan --config ${config}\` to see what remains; the next apply continues from here.`);
    expect(run.code).toBe(5);
  });

  it("streams apply progress as JSON lines with --json", async () => {
    const config = writeStack(stackDir("json"), { url: sim.url, stack: "json", resources: { xapi_snapshot: { a: { vm: "db-01", name_label: "json" } } } });
    const refused = await xsnap(["apply", "--config", config, "--json"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--json needs --auto-approve or a plan file");
    // The reader of the JSON stream learns why too: one Terraform `diagnostic` line.
    expect(JSON.parse(refused.stdout)).toMatchObject({ "@level": "error", type: "diagnostic", diagnostic: { severity: "error", summary: expect.stringContaining("--json needs --auto-approve") } });
    const run = await xsnap(["apply", "--config", config, "--json", "--auto-approve"]);
    expect(run.code).toBe(0);
    const types = run.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types[0]).toBe("apply_start");
    expect(types.filter((t) => t === "apply_complete")).toHaveLength(1);
    expect(types[types.length - 1]).toBe("change_summary");
  });

  it("ends apply --json of a stale plan with a JSON diagnostic on stdout and exit 4", async () => {
    const dir = stackDir("json-stale");
    const config = writeStack(dir, { url: sim.url, stack: "json-stale", resources: { xapi_snapshot: { a: { vm: "db-01", name_label: "before" } } } });
    expect((await xsnap(["plan", "--config", config, "--out", `${dir}/p.xsnap`])).code).toBe(0);
    writeStack(dir, { url: sim.url, stack: "json-stale", resources: { xapi_snapshot: { a: { vm: "db-01", name_label: "after" } } } });
    const run = await xsnap(["apply", `${dir}/p.xsnap`, "--json"]);
    expect(run.code).toBe(4);
    const lines = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; diagnostic?: { summary: string } });
    expect(lines).toEqual([expect.objectContaining({ type: "diagnostic", diagnostic: expect.objectContaining({ summary: expect.stringContaining("the configuration changed since the plan was made") }) })]);
  });
});
