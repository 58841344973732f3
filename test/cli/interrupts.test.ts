// Interrupts before any change (DESIGN §4: exit 7): while waiting for the pool lock, while planning;
// and help whose reader goes away (`xsnap --help | head -1`) ends quietly.
import type { ChildProcess } from "node:child_process";
import { startSim, stackDir, writeStack, xsnap, type Run, type Sim } from "./harness";

/** Runs xsnap and sends `signal` once `ready(stderr)` holds; resolves with the run and the ms from the signal to the exit. */
async function interruptWhen(args: readonly string[], signal: NodeJS.Signals, ready: (stderr: string) => boolean): Promise<Run & { readonly afterSignalMs: number }> {
  let sentAt = 0;
  const run = await xsnap(args, {
    onSpawn: (child: ChildProcess) => {
      let stderr = "";
      child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (sentAt === 0 && ready(stderr)) { sentAt = Date.now(); child.kill(signal); }
      });
    },
  });
  return { ...run, afterSignalMs: sentAt === 0 ? -1 : Date.now() - sentAt };
}

describe("interrupts before any change", () => {
  it("Ctrl-C or SIGTERM while waiting for the pool lock stops the wait at once with exit 7; the holder finishes", async () => {
    const slow = await startSim(["--task-ms", "12000"]);
    try {
      const config = writeStack(stackDir("lockwait"), { url: slow.url, stack: "lockwait", resources: { xapi_snapshot: { web: { vm: "web-01", name_label: "held" } } } });
      let started!: () => void;
      const creating = new Promise<void>((resolve) => { started = resolve; });
      const first = xsnap(["apply", "--config", config, "--auto-approve"], { onStdout: (out) => { if (out.includes("Creating...")) started(); } });
      expect(await Promise.race([creating.then(() => undefined), first])).toBeUndefined();
      const waiting = (stderr: string): boolean => stderr.includes("Acquiring pool lock");
      const [int, term] = await Promise.all([
        interruptWhen(["apply", "--config", config, "--auto-approve", "--lock-timeout", "10m"], "SIGINT", waiting),
        interruptWhen(["destroy", "--config", config, "--auto-approve", "--lock-timeout", "10m"], "SIGTERM", waiting),
      ]);
      for (const run of [int, term]) {
        expect(run.stderr).toContain("Interrupted while waiting for the pool lock; nothing was changed.");
        expect(run.stderr).not.toContain("Error acquiring the pool lock");
        expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
        expect(run.code).toBe(7);
        expect(run.afterSignalMs).toBeGreaterThanOrEqual(0);
        expect(run.afterSignalMs).toBeLessThan(5000);
      }
      // The waiters released nothing they did not hold: the first apply still completes and unlocks.
      const done = await first;
      expect(done.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
      expect(done.code).toBe(0);
      expect((await xsnap(["lock", "status", "--config", config])).stdout).toContain('Stack "lockwait" is not locked');
    } finally {
      await slow.stop();
    }
  }, 60_000);

  describe("while planning against a slow pool", () => {
    let sim: Sim;
    beforeAll(async () => { sim = await startSim(["--latency-ms", "3000"]); });
    afterAll(async () => { await sim.stop(); });

    it.each(["SIGINT", "SIGTERM"] as const)("%s exits 7 with one line, no stack", async (signal) => {
      const config = writeStack(stackDir("planint"), { url: sim.url, stack: `planint-${signal}`, resources: { xapi_snapshot: { web: { vm: "web-01", name_label: "p" } } } });
      let child: ChildProcess | undefined;
      let sentAt = 0;
      // Logging in alone takes 3 s: at 1.5 s the plan is starting or logging in, never done.
      const timer = setTimeout(() => { sentAt = Date.now(); child?.kill(signal); }, 1500);
      const run = await xsnap(["plan", "--config", config], { onSpawn: (c) => { child = c; } });
      clearTimeout(timer);
      expect(run.stderr).toContain("Planning interrupted; nothing was changed.");
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(run.stdout).toBe("");
      expect(run.code).toBe(7);
      expect(sentAt).toBeGreaterThan(0);
    }, 30_000);
  });

  it.each([[["--help"]], [["help", "plan"]], [["plan", "--help"]]])("xsnap %j into a reader that closed ends quietly with exit 0", async (args) => {
    // The reader closes before xsnap writes: the write fails with EPIPE every time, not only sometimes.
    const run = await xsnap(args, { onSpawn: (c) => { c.stdout?.destroy(); } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});
