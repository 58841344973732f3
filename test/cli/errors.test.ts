// How the CLI reports failures: one readable line and exit 1, never a stack trace for a user error.
import { startSim, stackDir, writeStack, xsnap, type Sim } from "./harness";

describe("xsnap errors", () => {
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
    expect(run.stderr).toMatch(/^Error: XAPI SESSION_AUTHENTICATION_FAILED\(root, Authentication failure\) from session\.login_with_password: /);
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
});
