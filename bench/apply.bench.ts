/**
 * Apply throughput (DESIGN §8): 200 snapshots across 200 VMs with task time 500 ms and parallelism 10.
 * Ideal = 200 / 10 × 0.5 s = 10 s; the bar is within 1.25× of it.
 */
import { applyPlan } from "../src/engine/applier";
import { planStack } from "../src/engine/planner";
import { startSimulatorProcess } from "./sim-process";
import { connect } from "../src/xapi";
import type { Address } from "../src/model";

const N = 200;
const TASK_MS = 500;
const PARALLELISM = 10;
const BAR = 1.25;

async function main(): Promise<void> {
  const sim = await startSimulatorProcess({ vms: N, snapshotsPerVm: 0, taskMs: TASK_MS });
  const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
  try {
    const view = await client.readPoolView();
    const vms = [...view.vms.values()].filter((v) => !v.is_a_snapshot && !v.is_a_template && !v.is_control_domain).slice(0, N);
    const resources = vms.map((vm, i) => ({
      address: `xapi_snapshot.s${i}` as Address, mode: "managed" as const, type: "xapi_snapshot", name: `s${i}`, provider: "default",
      attrs: { vm: vm.uuid, name_label: `bench ${i}`, name_description: "", on_destroy: "uninstall", protect: false, quiesce: false }, dependsOn: [],
    }));
    const pool = { uuid: view.pool.uuid, name_label: view.pool.name_label, url: sim.url, xapi_version: view.xapiVersion, insecure: false };
    const plan = planStack({ stack: { stack: "bench", configHash: "x", providers: { default: { alias: "default" } }, resources }, provider: "default", view, pool });
    const started = Date.now();
    const report = await applyPlan({ plan, client, parallelism: PARALLELISM });
    const seconds = (Date.now() - started) / 1000;
    const ideal = (vms.length / PARALLELISM) * (TASK_MS / 1000);
    console.log(`apply ${vms.length} snapshots on ${vms.length} VMs, task ${TASK_MS} ms, parallelism ${PARALLELISM}: ${seconds.toFixed(2)} s; ideal ${ideal.toFixed(2)} s; ratio ${(seconds / ideal).toFixed(2)} (bar ≤ ${BAR})`);
    console.log(`applied ${report.applied.length}, failed ${report.failed.length}, skipped ${report.skipped.length}`);
    if (report.failed.length > 0) console.log(`first failure: ${report.failed[0]?.address}: ${report.failed[0]?.message}`);
    if (seconds / ideal > BAR || report.applied.length !== vms.length) process.exitCode = 1;
  } finally {
    await client.close();
    sim.stop();
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
