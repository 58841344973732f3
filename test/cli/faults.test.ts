/**
 * Fault suite through the real CLI (issue 12): a permanent XAPI error on a mutating step after
 * something else applied is exit 5 with the report (applied / failed / skipped) and the next plan is
 * exactly the remainder; HOST_IS_SLAVE and a lost answer to a setter are repeated with the retry
 * printed; a lost answer to VM.snapshot is not repeated and the next plan adopts the snapshot; two
 * concurrent applies of one stack: one gets the lock, the other exit 3, and the pool ends converged. The engine-level half is test/engine/faults.integration.test.ts.
 */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { connect } from "../../src/xapi";
import { assertBuilt, stackDir, writeStack, xsnap } from "./harness";

jest.setTimeout(60_000);

const tally = { injected: 0, rejected: 0, retried: 0, settled: 0, concurrent: false };
afterAll(() => {
  console.log(`fault suite (CLI): ${tally.injected} faults injected, ${tally.rejected} permanent ones rejected with exit 5 and the remainder planned next, ${tally.retried} retried to success (retry printed), ${tally.settled} settled by the next plan; concurrent applies: ${tally.concurrent ? "one exit 3, converged" : "not shown (failed or not run)"}`);
});

async function withSim<T>(taskMs: number, fn: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  assertBuilt();
  const sim = await startSimulator({ fixture: "demo", port: 0, taskMs, authFailureDelayMs: 0 });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}
const inject = async (sim: RunningSimulator, fault: object): Promise<void> => {
  expect((await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([fault]) })).status).toBe(200);
  tally.injected++;
};

const FOUR = {
  xapi_snapshot: { a: { vm: "web-01", name_label: "fault a" }, b: { vm: "db-01", name_label: "fault b" } },
  xapi_checkpoint: { c: { vm: "win-app-01", name_label: "fault c" }, d: { vm: "web-01", name_label: "fault d" } },
};

describe("a permanent error after something applied", () => {
  it.each([
    ["SR_BACKEND_FAILURE_44 on VM.snapshot", { method: "VM.snapshot", error: ["SR_BACKEND_FAILURE_44", "", "There is insufficient space"], after: 1 }, "create"],
    ["VM_BAD_POWER_STATE on VM.checkpoint", { method: "VM.checkpoint", error: ["VM_BAD_POWER_STATE", "OpaqueRef:x", "running", "halted"], after: 1 }, "create"],
    ["OPERATION_NOT_ALLOWED on VM.destroy", { method: "VM.destroy", error: ["OPERATION_NOT_ALLOWED", "destroy refused"], after: 1 }, "destroy"],
  ])("%s: exit 5, the report, and the next plan is exactly the remainder", async (_what, fault, phase) => {
    await withSim(0, async (sim) => {
      const dir = stackDir("faults");
      const config = writeStack(dir, { url: sim.url, stack: "faults", resources: FOUR });
      if (phase === "destroy") {
        expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
        writeStack(dir, { url: sim.url, stack: "faults", resources: {} });
      }
      await inject(sim, fault);
      const run = await xsnap(["apply", "--config", config, "--auto-approve", "--parallelism", "1"]);
      expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 5 });
      expect(`${run.stdout}\n${run.stderr}`).toMatch(new RegExp(fault.error[0] as string));
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      const out = `${run.stdout}\n${run.stderr}`;
      // The report names what applied, what failed and what was skipped.
      expect(out).toMatch(/applied/i);
      expect(out).toMatch(/failed/i);
      const next = await xsnap(["plan", "--config", config, "--format", "json"]);
      expect(next.code).toBe(0);
      const changes = (JSON.parse(next.stdout) as { resource_changes: { address: string; change: { actions: string[] } }[] }).resource_changes
        .filter((c) => !c.change.actions.includes("no-op")).map((c) => `${c.change.actions.join(",")} ${c.address}`);
      // Exactly the remainder: what did not apply, nothing that did.
      expect(changes.length).toBeGreaterThan(0);
      expect(changes.length).toBeLessThan(4);
      expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
      const after = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
      expect({ code: after.code, out: after.stdout }).toEqual({ code: 0, out: expect.stringContaining("No changes.") });
      tally.rejected++;
    });
  });
});

describe("transient faults and lost answers, as a user sees them", () => {
  it("HOST_IS_SLAVE mid-apply: the client moves to the master it names, repeats the call, prints the retry, exit 0", async () => {
    await withSim(0, async (sim) => {
      const config = writeStack(stackDir("master-moved"), { url: sim.url, stack: "moved", resources: FOUR });
      // A bare HOST_IS_SLAVE names the simulator's own address: the "new master" is reachable.
      await inject(sim, { method: "VM.snapshot", error: ["HOST_IS_SLAVE"], after: 1 });
      const run = await xsnap(["apply", "--config", config, "--auto-approve", "--parallelism", "1"]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      expect(run.stdout).toMatch(/xapi_snapshot\.\w: HOST_IS_SLAVE, retrying in 0s \(attempt 1 of \d+\)\.\.\./);
      expect(run.stdout).toContain("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
      const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> };
      expect(stats.calls["Async.VM.snapshot"]).toBe(3);   // two snapshots, one refused and repeated
      expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"])).code).toBe(0);
      tally.retried++;
    });
  });

  it("a lost answer to an idempotent setter (drop-after on the markers) is repeated and printed, exit 0", async () => {
    await withSim(0, async (sim) => {
      const config = writeStack(stackDir("lost-setter"), { url: sim.url, stack: "lost", resources: FOUR });
      await inject(sim, { method: "VM.set_other_config", error: "drop-after", after: 1 });
      const run = await xsnap(["apply", "--config", config, "--auto-approve", "--parallelism", "1"]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      expect(run.stdout).toMatch(/: ECONNRESET, retrying in [\d.]+s \(attempt 1 of \d+\)\.\.\./);
      expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"])).code).toBe(0);
      tally.retried++;
    });
  });

  it("a lost answer to VM.snapshot (it ran): not repeated, the apply stops; the next plan adopts the snapshot; one snapshot in the end", async () => {
    await withSim(0, async (sim) => {
      const config = writeStack(stackDir("lost-snapshot"), { url: sim.url, stack: "lost", resources: { xapi_snapshot: { a: { vm: "web-01", name_label: "lost a" } } } });
      await inject(sim, { method: "VM.snapshot", error: "drop-after" });
      const run = await xsnap(["apply", "--config", config, "--auto-approve"]);
      expect(run.code).toBe(1);   // nothing applied: exit 1, not 5 (README, exit codes)
      expect(run.stdout).toContain("xapi_snapshot.a: Creation failed: ECONNRESET");
      expect(run.stdout).toContain("the pool may have done it: the next plan adopts what it made or plans it again");
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      const plan = await xsnap(["plan", "--config", config]);
      expect(plan.stdout).toContain("Pending operations from an interrupted apply:");
      expect(plan.stdout).toMatch(/snapshot "lost a" \([0-9a-f-]+\) of VM "web-01" was created without markers; it will be adopted/);
      expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
      expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"])).code).toBe(0);
      const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> };
      expect(stats.calls["Async.VM.snapshot"]).toBe(1);
      const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
      try {
        expect(await client.call("VM.get_by_name_label", ["lost a"])).toHaveLength(1);
      } finally {
        await client.close();
      }
      tally.settled++;
    });
  });
});

describe("two concurrent applies of the same stack", () => {
  it("one waits for nothing and gets exit 3; the other applies; the pool ends converged", async () => {
    // A 12 s task: the second CLI process must start while the first holds the lock, even on a loaded machine.
    await withSim(12_000, async (sim) => {
      const dir = stackDir("concurrent");
      const config = writeStack(dir, { url: sim.url, stack: "concurrent", resources: { xapi_snapshot: { a: { vm: "web-01", name_label: "concurrent a" } } } });
      let started!: () => void;
      const creating = new Promise<void>((resolve) => { started = resolve; });
      const first = xsnap(["apply", "--config", config, "--auto-approve"], { onStdout: (s) => { if (/Creating\.\.\./.test(s)) started(); } });
      await creating;   // the first holds the lock now
      const second = await xsnap(["apply", "--config", config, "--auto-approve"]);
      expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 3, stderr: expect.stringMatching(/lock/i) });
      expect((await first).code).toBe(0);
      const after = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
      expect(after.code).toBe(0);
      const view = await (await fetch(`${sim.url}/sim/stats`)).json() as { calls: Record<string, number> };
      expect(view.calls["Async.VM.snapshot"]).toBe(1);
      tally.concurrent = true;
    });
  });
});
