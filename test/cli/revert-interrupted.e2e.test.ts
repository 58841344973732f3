// An interrupted xapi_vm_revert with safety_snapshot, through the real CLI and a real simulator
// process (hostile audit, defect 1): the pool ran VM.revert but the apply never recorded it, once
// because the answer was lost (/sim/faults "drop-after"), once because the apply was killed -9 during
// the revert task. The next plan must only record it (no "will be REVERTED"), the next apply must not
// call VM.revert again nor take a second safety snapshot, and no intent may be left.
import type { ChildProcess } from "node:child_process";
import { connect } from "../../src/xapi";
import type { PoolView } from "../../src/xapi/records";
import { startSim, stackDir, writeStack, xsnap, type Resources, type Sim } from "./harness";

jest.setTimeout(90_000);

const calls = async (sim: Sim, method: string): Promise<number> => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls[method] ?? 0;

async function withView<T>(sim: Sim, fn: (view: PoolView, call: (m: string, p: unknown[]) => Promise<unknown>) => Promise<T> | T): Promise<T> {
  const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
  try { return await fn(await client.readPoolView(), (m, p) => client.call(m, p as never)); } finally { await client.close(); }
}
const named = (view: PoolView, name: string): string[] => [...view.vms.values()].filter((v) => v.is_a_snapshot && v.name_label === name).map((v) => v.uuid);
const pending = (view: PoolView): string[] => Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"));

/** Waits until no task of the pool is pending (a killed client's task runs on in the pool). */
async function tasksEnded(sim: Sim): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const busy = await withView(sim, async (_v, call) => Object.values((await call("task.get_all_records", [])) as Record<string, { status: string }>).some((t) => t.status === "pending"));
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("a task is still pending after 30 s");
}

/**
 * The next plan only records the revert; the apply after it reverts nothing; then no changes, no intent.
 * With `start` (restore_power_state, a snapshot taken while the VM was Running), the plan also shows the
 * power step the interrupted apply did not reach, and the apply starts the VM once.
 */
async function expectRecordedOnce(sim: Sim, config: string, vm: string, token: string, start = false): Promise<void> {
  expect(await calls(sim, "Async.VM.revert")).toBe(1);
  const startsBefore = await calls(sim, "Async.VM.start");
  const plan = await xsnap(["plan", "--config", config]);
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain("Pending operations from an interrupted apply:");
  expect(plan.stdout).toMatch(/will be adopted\n\s+VM ".+" was reverted for token ".+" but the revert was not recorded; the next apply records it \(no second revert\)/);
  expect(plan.stdout).not.toContain("will be REVERTED");
  expect(plan.stdout).not.toContain("first takes the safety snapshot");
  expect(plan.stdout).not.toContain("Destructive:");
  expect(plan.stdout).toContain(`already reverted ${vm} for token "${token}": this records it; the VM is not reverted again`);
  const note = `then starts ${vm}, as restore_power_state asks, which the interrupted apply did not reach`;
  if (start) expect(plan.stdout).toContain(note);
  else expect(plan.stdout).not.toContain(note);
  const apply = await xsnap(["apply", "--config", config, "--auto-approve"]);
  expect({ code: apply.code, stderr: apply.stderr }).toEqual({ code: 0, stderr: "" });
  expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
  expect(await calls(sim, "Async.VM.revert")).toBe(1);
  await withView(sim, (view) => {
    expect(named(view, `${vm} before revert ${token}`)).toHaveLength(1);
    expect(pending(view)).toEqual([]);
    const target = [...view.vms.values()].find((v) => v.name_label === vm && !v.is_a_snapshot && !v.is_a_template);
    expect(target?.power_state).toBe(start ? "Running" : "Halted");
  });
  expect({ starts: (await calls(sim, "Async.VM.start")) - startsBefore, resumes: await calls(sim, "Async.VM.resume") }).toEqual({ starts: start ? 1 : 0, resumes: 0 });
  const settled = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
  expect({ code: settled.code, out: settled.stdout }).toEqual({ code: 0, out: expect.stringContaining("No changes.") });
  expect(settled.stdout).not.toContain("Pending operations");
  expect(await calls(sim, "Async.VM.revert")).toBe(1);
  expect((await calls(sim, "Async.VM.start")) - startsBefore).toBe(start ? 1 : 0);
}

describe("an interrupted revert with safety_snapshot is recorded, never run twice", () => {
  it("when the answer to VM.revert was lost after the pool ran it (drop-after)", async () => {
    const sim = await startSim();
    try {
      const dir = stackDir("revert-drop");
      const base = writeStack(stackDir("revert-base"), { url: sim.url, stack: "base", resources: { xapi_snapshot: { b: { vm: "bigmem-01", name_label: "bigmem base" } } } });
      expect((await xsnap(["apply", "--config", base, "--auto-approve"])).code).toBe(0);
      const resources: Resources = { xapi_vm_revert: { r: { vm: "bigmem-01", snapshot: "bigmem base", revert_token: "b1", safety_snapshot: true } } };
      const config = writeStack(dir, { url: sim.url, stack: "revB", resources });
      const fault = await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([{ method: "VM.revert", error: "drop-after", times: 1 }]) });
      expect(fault.status).toBe(200);
      const first = await xsnap(["apply", "--config", config, "--auto-approve"]);
      expect(first.code).not.toBe(0);
      expect(`${first.stdout}${first.stderr}`).toContain("ECONNRESET");
      await tasksEnded(sim);
      await expectRecordedOnce(sim, config, "bigmem-01", "b1");
    } finally {
      await sim.stop();
    }
  });

  it("when the answer to VM.revert was lost (drop-after), with restore_power_state: the next apply also starts the VM, once", async () => {
    const sim = await startSim();
    try {
      const resources: Resources = { xapi_vm_revert: { r: { vm: "web-01", snapshot: "web-01 manual", revert_token: "d1", safety_snapshot: true, restore_power_state: true } } };
      const config = writeStack(stackDir("revert-drop-power"), { url: sim.url, stack: "revD", resources });
      const fault = await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([{ method: "VM.revert", error: "drop-after", times: 1 }]) });
      expect(fault.status).toBe(200);
      const first = await xsnap(["apply", "--config", config, "--auto-approve"]);
      expect(first.code).not.toBe(0);
      await tasksEnded(sim);
      await withView(sim, (view) => expect([...view.vms.values()].find((v) => v.name_label === "web-01" && !v.is_a_snapshot)?.power_state).toBe("Halted"));
      await expectRecordedOnce(sim, config, "web-01", "d1", true);
    } finally {
      await sim.stop();
    }
  });

  it("when the apply was killed -9 during the revert task (with restore_power_state)", async () => {
    const sim = await startSim(["--task-ms", "3000"]);
    try {
      const dir = stackDir("revert-kill");
      const resources: Resources = { xapi_vm_revert: { r: { vm: "web-01", snapshot: "web-01 manual", revert_token: "k1", safety_snapshot: true, restore_power_state: true } } };
      const config = writeStack(dir, { url: sim.url, stack: "revK", resources });
      let child: ChildProcess | undefined;
      let killed = false;
      const run = xsnap(["apply", "--config", config, "--auto-approve"], { onSpawn: (c) => { child = c; } });
      // Kill once the pool has started the revert's task (after the safety snapshot's task).
      const watch = (async () => {
        while (child?.exitCode === null || child === undefined) {
          if (await calls(sim, "Async.VM.revert") >= 1) {
            child?.kill("SIGKILL");
            killed = true;
            return;
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const done = await run;
      await watch;
      expect({ killed, signal: done.code }).toEqual({ killed: true, signal: -1 });
      await tasksEnded(sim);
      // The killed run still holds the stack's lock: remove it as the user would.
      const status = await xsnap(["lock", "status", "--config", config]);
      const id = /ID: +(\S+)/.exec(status.stdout)?.[1] ?? "";
      expect(id).not.toBe("");
      expect((await xsnap(["force-unlock", id, "--force", "--config", config])).code).toBe(0);
      await expectRecordedOnce(sim, config, "web-01", "k1", true);
    } finally {
      await sim.stop();
    }
  });
});
