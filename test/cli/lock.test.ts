// The pool lock seen from the CLI: concurrent applies, Ctrl-C, a killed run, force-unlock.
import type { ChildProcess } from "node:child_process";
import { startSim, stackDir, writeStack, xsnap, type Sim } from "./harness";

describe("xsnap apply and the pool lock", () => {
  let sim: Sim;
  beforeAll(async () => { sim = await startSim(["--task-ms", "2500"]); });
  afterAll(async () => { await sim.stop(); });

  it("refuses a second concurrent apply (and plan --lock) with exit 3 and shows who holds the lock", async () => {
    // A long task: the second process must start and plan while the first still holds the lock,
    // even on a loaded machine.
    const slow = await startSim(["--task-ms", "12000"]);
    try {
    const dir = stackDir("lock");
    const config = writeStack(dir, { url: slow.url, stack: "locked", resources: { xapi_snapshot: { web: { vm: "web-01", name_label: "slow" } } } });
    let started!: () => void;
    const creating = new Promise<void>((resolve) => { started = resolve; });
    const first = xsnap(["apply", "--config", config, "--auto-approve"], { onStdout: (out) => { if (out.includes("Creating...")) started(); } });
    // If the first apply ends before it starts creating, fail with its output instead of waiting forever.
    const early = await Promise.race([creating.then(() => undefined), first]);
    expect(early).toBeUndefined();
    const [second, lockedPlan, plainPlan] = await Promise.all([
      xsnap(["apply", "--config", config, "--auto-approve"]),
      xsnap(["plan", "--config", config, "--lock"]),
      xsnap(["plan", "--config", config]),
    ]);
    expect(lockedPlan.code).toBe(3);
    expect(plainPlan.code).toBe(0);   // plan reads without locking unless --lock is given
    expect(second.code).toBe(3);
    expect(second.stderr).toContain("Error acquiring the pool lock");
    expect(second.stderr).toContain("Operation: apply");
    // The way out if that run were gone, with the lock's own ID: it is still live, so not "ran out".
    const heldId = /ID: +(\S+)/.exec(second.stderr)?.[1] ?? "";
    expect(second.stderr).toContain(`To remove it now: xsnap force-unlock ${heldId} --config ${config} --stack locked`);
    expect(second.stderr).not.toContain("The lease ran out");
    expect((await first).code).toBe(0);
    } finally {
      await slow.stop();
    }
  });

  it("on Ctrl-C finishes the running step, starts nothing new, releases the lock and exits 5", async () => {
    const dir = stackDir("interrupt");
    // Two snapshots of one VM run one after the other, so the second has not started at the interrupt.
    const config = writeStack(dir, { url: sim.url, stack: "interrupted", resources: { xapi_snapshot: {
      a: { vm: "win-app-01", name_label: "first" }, b: { vm: "win-app-01", name_label: "second" } } } });
    let child: ChildProcess | undefined;
    let interrupted = false;
    const run = xsnap(["apply", "--config", config, "--auto-approve"], {
      onSpawn: (c) => { child = c; },
      onStdout: (out) => { if (out.includes("Creating...") && child?.exitCode === null && !interrupted) { interrupted = true; child.kill("SIGINT"); } },
    });
    const done = await run;
    expect(done.stderr).toContain("Interrupt received.");
    expect(done.stdout).toMatch(/Creation complete after \d+s/);
    expect(done.stdout).toContain("Apply incomplete! Resources: 1 added, 0 changed, 0 destroyed; 0 failed, 1 skipped.");
    expect(done.code).toBe(5);
    const status = await xsnap(["lock", "status", "--config", config]);
    expect(status.stdout).toContain('Stack "interrupted" is not locked');
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("treats %s as the first Ctrl-C: the running step finishes, the lock is released, exit 5", async (signal) => {
    const dir = stackDir("signal");
    const config = writeStack(dir, { url: sim.url, stack: `signalled-${signal}`, resources: { xapi_snapshot: {
      a: { vm: "db-01", name_label: `first ${signal}` }, b: { vm: "db-01", name_label: `second ${signal}` } } } });
    let child: ChildProcess | undefined;
    let sent = false;
    const done = await xsnap(["apply", "--config", config, "--auto-approve"], {
      onSpawn: (c) => { child = c; },
      onStdout: (out) => { if (out.includes("Creating...") && !sent) { sent = true; child?.kill(signal); } },
    });
    expect(done.stdout).toContain("Apply incomplete! Resources: 1 added, 0 changed, 0 destroyed; 0 failed, 1 skipped.");
    expect(done.code).toBe(5);
    expect((await xsnap(["lock", "status", "--config", config])).stdout).toContain(`Stack "signalled-${signal}" is not locked`);
  });

  it("when its output goes away (apply --json | head -1) stops as on Ctrl-C: no stack trace, lock released, exit 5", async () => {
    const dir = stackDir("epipe");
    const config = writeStack(dir, { url: sim.url, stack: "piped", resources: { xapi_snapshot: {
      a: { vm: "batch-01", name_label: "first" }, b: { vm: "batch-01", name_label: "second" } } } });
    let child: ChildProcess | undefined;
    const done = await xsnap(["apply", "--config", config, "--auto-approve", "--json"], {
      onSpawn: (c) => { child = c; },
      // `head -1`: read the first line, then close the pipe.
      onStdout: (out) => { if (out.includes("\n") && child?.stdout && !child.stdout.destroyed) child.stdout.destroy(); },
    });
    expect(done.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(done.code).toBe(5);
    expect((await xsnap(["lock", "status", "--config", config])).stdout).toContain('Stack "piped" is not locked');
    const again = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(again.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  });

  it("shows a lock left by a killed apply and removes it with force-unlock ID", async () => {
    const dir = stackDir("killed");
    const config = writeStack(dir, { url: sim.url, stack: "killed", resources: { xapi_snapshot: { web: { vm: "bigmem-01", name_label: "killed" } } } });
    let child: ChildProcess | undefined;
    await xsnap(["apply", "--config", config, "--auto-approve"], {
      onSpawn: (c) => { child = c; },
      onStdout: (out) => { if (out.includes("Creating...")) child?.kill("SIGKILL"); },
    });
    const locked = await xsnap(["lock", "status", "--config", config]);
    expect(locked.stdout).toContain('Stack "killed" is locked on pool');
    const id = /ID: +(\S+)/.exec(locked.stdout)?.[1] ?? "";
    expect(id).not.toBe("");
    // Its lease has minutes to run, and the command to end it now is printed rather than left to find.
    expect(locked.stdout).toContain(`If that run is gone (its job was killed, say), the lock stays until`);
    expect(locked.stdout).toContain(`To remove it now: xsnap force-unlock ${id} --config ${config} --stack killed`);
    expect((await xsnap(["force-unlock", "wrong-id", "--force", "--config", config])).code).toBe(1);
    const unlock = await xsnap(["force-unlock", id, "--force", "--config", config]);
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain("This did not modify your infrastructure.");
    expect((await xsnap(["lock", "status", "--config", config])).stdout).toContain('Stack "killed" is not locked');
  });
});
