/**
 * Apply throughput (DESIGN §8, issue 14): 200 snapshots across 200 VMs with a simulated task time of
 * 500 ms at parallelism 1, 4, 10 and 25; the bar is 1.1× the ideal (N / parallelism × task time).
 * Then 20 snapshots of one VM at parallelism 10: the applier must run them one after another (one
 * VM, one operation at a time), so the ideal is 20 × task time and XAPI must never have answered
 * OTHER_OPERATION_IN_PROGRESS (counted from the client's call log, retries included).
 * Each run gets a fresh simulator process. Env: BENCH_PARALLELISM (1,4,10,25), BENCH_TASK_MS (500),
 * BENCH_OUT (bench/results/apply-throughput.json).
 */
import { mkdirSync, writeFileSync } from "fs";
import { cpus, loadavg } from "os";
import { dirname, join } from "path";
import { applyPlan } from "../src/engine/applier";
import { planStack } from "../src/engine/planner";
import { startSimulatorProcess } from "./sim-process";
import { connect } from "../src/xapi";
import type { Address } from "../src/model";

const N = 200;
const SERIAL = 20;
const TASK_MS = Number(process.env.BENCH_TASK_MS ?? 500);
const PARALLELISM = (process.env.BENCH_PARALLELISM ?? "1,4,10,25").split(",").map(Number);
const BAR = 1.1;
const OUT = process.env.BENCH_OUT ?? join(__dirname, "..", "..", "bench", "results", "apply-throughput.json");

interface Run {
  readonly name: string;
  readonly snapshots: number;
  readonly vms: number;
  readonly parallelism: number;
  readonly seconds: number;
  readonly idealSeconds: number;
  readonly ratio: number;
  readonly applied: number;
  readonly failed: number;
  readonly otherOperationInProgress: number;
  readonly load: number;
}

async function run(name: string, parallelism: number, oneVm: boolean): Promise<Run> {
  const count = oneVm ? SERIAL : N;
  const sim = await startSimulatorProcess({ vms: oneVm ? 1 : N, snapshotsPerVm: 0, taskMs: TASK_MS });
  let conflicts = 0;
  const perMethod = new Map<string, { n: number; ms: number }>();
  const log = (line: string): void => {
    if (line.startsWith("✗") && line.includes("OTHER_OPERATION_IN_PROGRESS")) conflicts++;
    const done = /^← (\S+) ok in (\d+) ms/.exec(line);
    if (done?.[1]) {
      const m = perMethod.get(done[1]) ?? { n: 0, ms: 0 };
      m.n++;
      m.ms += Number(done[2]);
      perMethod.set(done[1], m);
    }
  };
  const client = await connect({ url: sim.url, username: "root", password: "xsnap", log });
  try {
    const view = await client.readPoolView();
    const vms = [...view.vms.values()].filter((v) => !v.is_a_snapshot && !v.is_a_template && !v.is_control_domain).slice(0, oneVm ? 1 : N);
    const resources = Array.from({ length: count }, (_, i) => ({
      address: `xapi_snapshot.s${i}` as Address, mode: "managed" as const, type: "xapi_snapshot", name: `s${i}`, provider: "default",
      attrs: { vm: (vms[oneVm ? 0 : i] ?? vms[0])?.uuid ?? "", name_label: `bench ${i}`, name_description: "", on_destroy: "uninstall", protect: false, quiesce: false }, dependsOn: [],
    }));
    const pool = { uuid: view.pool.uuid, name_label: view.pool.name_label, url: sim.url, xapi_version: view.xapiVersion, insecure: false };
    const plan = planStack({ stack: { stack: "bench", configHash: "x", providers: { default: { alias: "default" } }, resources }, provider: "default", view, pool });
    const load = loadavg()[0] ?? 0;
    const started = process.hrtime.bigint();
    const report = await applyPlan({ plan, client, parallelism });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const idealSeconds = oneVm ? count * (TASK_MS / 1000) : (count / parallelism) * (TASK_MS / 1000);
    if (report.failed.length > 0) console.log(`  first failure: ${report.failed[0]?.address}: ${report.failed[0]?.message}`);
    if (process.env.BENCH_VERBOSE === "1") {
      console.log(`  calls: ${[...perMethod].map(([m, { n, ms }]) => `${m} ×${n} avg ${(ms / n).toFixed(0)} ms`).join("; ")}`);
    }
    return {
      name, snapshots: count, vms: oneVm ? 1 : vms.length, parallelism, seconds, idealSeconds, ratio: seconds / idealSeconds,
      applied: report.applied.length, failed: report.failed.length, otherOperationInProgress: conflicts, load,
    };
  } finally {
    await client.close();
    sim.stop();
  }
}

async function main(): Promise<void> {
  console.log(`apply-throughput: task ${TASK_MS} ms, bar ≤ ${BAR}× ideal; node ${process.version}, ${cpus().length} cores`);
  const runs: Run[] = [];
  const show = (r: Run): void =>
    console.log(
      `  ${r.name}: ${r.snapshots} snapshots on ${r.vms} VM(s), parallelism ${r.parallelism}: ${r.seconds.toFixed(2)} s; ideal ${r.idealSeconds.toFixed(2)} s; ratio ${r.ratio.toFixed(3)}; ` +
        `applied ${r.applied}, failed ${r.failed}, OTHER_OPERATION_IN_PROGRESS ${r.otherOperationInProgress}; load ${r.load.toFixed(2)}`,
    );
  for (const p of PARALLELISM) {
    runs.push(await run(`spread-p${p}`, p, false));
    show(runs[runs.length - 1] as Run);
  }
  runs.push(await run("one-vm-p10", 10, true));
  show(runs[runs.length - 1] as Run);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, taskMs: TASK_MS, runs }, null, 2)}\n`);
  const misses = runs.filter((r) => r.ratio > BAR || r.failed > 0 || r.applied !== r.snapshots || r.otherOperationInProgress > 0);
  for (const r of misses) console.log(`apply-throughput: FAIL ${r.name} (ratio ${r.ratio.toFixed(3)}, failed ${r.failed}, conflicts ${r.otherOperationInProgress})`);
  if (misses.length > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
