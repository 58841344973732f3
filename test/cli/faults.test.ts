/**
 * Fault suite through the real CLI (issue 12): a permanent XAPI error on a mutating step after
 * something else applied is exit 5 with the report (applied / failed / skipped) and the next plan is
 * exactly the remainder; two concurrent applies of one stack: one gets the lock, the other exit 3,
 * and the pool ends converged. The engine-level half is test/engine/faults.integration.test.ts.
 */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { assertBuilt, stackDir, writeStack, xsnap } from "./harness";

jest.setTimeout(60_000);

const tally = { injected: 0, rejected: 0 };
afterAll(() => {
  console.log(`fault suite (CLI): ${tally.injected} faults injected, ${tally.rejected} permanent ones rejected with exit 5 and the remainder planned next; concurrent applies: one exit 3, converged`);
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

describe("two concurrent applies of the same stack", () => {
  it("one waits for nothing and gets exit 3; the other applies; the pool ends converged", async () => {
    await withSim(1500, async (sim) => {
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
    });
  });
});
