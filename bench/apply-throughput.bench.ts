/**
 * Apply throughput (DESIGN §8, issue 14), each run on a fresh simulator process whose every XAPI task
 * takes BENCH_TASK_MS (500 ms). The bar is 1.1× the ideal, for every run.
 *
 * The ideal is a lower bound that no scheduler can beat: with W tasks in all, at most `parallelism`
 * at once, and a longest chain of C tasks that must run one after another (a dependency, or a serial
 * key such as the VM they share), an apply takes at least max(W / parallelism, C) × task time. The
 * calls a step makes besides its task (intent, markers, registry, record reads) count as overhead.
 *
 * - spread-pN: 200 snapshots across 200 VMs at parallelism 1, 4, 10 and 25: W = 200, C = 1, so the
 *   ideal is 200 / N × task time.
 * - one-vm-p10: 20 snapshots of one VM at parallelism 10: one VM, one operation at a time, so C = 20
 *   and the ideal is 20 × task time; XAPI must never have answered OTHER_OPERATION_IN_PROGRESS
 *   (counted from the client's call log, retries included).
 * - mixed-p10: 40 units of a snapshot of a VM, a template cloned from it and a revert of the VM to
 *   it (the kinds' DAG: template and revert depend on the snapshot and share its uuid as serial key,
 *   so each unit is a chain of 3 tasks), plus 10 snapshot schedules of 4 other VMs each (VMSS.create
 *   and VM.set_snapshot_schedule are synchronous: no task, overhead only). W = 120, C = 3, so at
 *   parallelism 10 the ideal is max(12, 3) × task time = 6 s.
 *
 * Reported per run besides the time: the XAPI calls the simulator served during the apply, per step
 * and per method (/sim/stats), and the CPU seconds of the client (this process) and of the simulator
 * process, so that the simulator's per-call cost (a single-threaded stand-in for XAPI) and the
 * client's can be told apart from waiting.
 *
 * Env: BENCH_RUNS (spread,one-vm,mixed), BENCH_PARALLELISM (1,4,10,25: the spread runs),
 * BENCH_TASK_MS (500), BENCH_VERBOSE=1 (calls per method and their mean latency),
 * BENCH_OUT (bench/results/apply-throughput.json).
 */
import { mkdirSync, readFileSync, writeFileSync } from "fs";
import { cpus, loadavg } from "os";
import { dirname, join } from "path";
import { applyPlan } from "../src/engine/applier";
import { planStack } from "../src/engine/planner";
import { startSimulatorProcess } from "./sim-process";
import { connect } from "../src/xapi";
import type { VmRecord } from "../src/xapi";
import { asAddress, type ConfigValue, type DesiredResource } from "../src/model";

const TASK_MS = Number(process.env.BENCH_TASK_MS ?? 500);
const PARALLELISM = (process.env.BENCH_PARALLELISM ?? "1,4,10,25").split(",").map(Number);
const RUNS = (process.env.BENCH_RUNS ?? "spread,one-vm,mixed").split(",");
const VERBOSE = process.env.BENCH_VERBOSE === "1";
const BAR = 1.1;
const OUT = process.env.BENCH_OUT ?? join(__dirname, "..", "..", "bench", "results", "apply-throughput.json");

/** What one run applies and the bounds its ideal comes from. */
interface Workload {
  readonly name: string;
  /** VMs in the simulator's pool. */
  readonly vms: number;
  readonly parallelism: number;
  /** XAPI tasks in all (W) and along the longest chain that must run one after another (C). */
  readonly tasks: number;
  readonly chain: number;
  resources(vms: readonly VmRecord[]): DesiredResource[];
}

interface Run {
  readonly name: string;
  readonly steps: number;
  readonly tasks: number;
  readonly vms: number;
  readonly parallelism: number;
  readonly seconds: number;
  readonly idealSeconds: number;
  readonly ratio: number;
  readonly applied: number;
  readonly failed: number;
  readonly otherOperationInProgress: number;
  /** 1-minute load average when the apply started (the machine is shared). */
  readonly load: number;
  /** XAPI calls the simulator served during the apply: per step, and by method. */
  readonly callsPerStep: number;
  readonly calls: Readonly<Record<string, number>>;
  /** CPU seconds of this process (the client) and of the simulator's process during the apply. */
  readonly clientCpuSeconds: number;
  readonly simCpuSeconds: number;
}

const DEFAULTS: Readonly<Record<string, Readonly<Record<string, ConfigValue>>>> = {
  xapi_snapshot: { name_description: "", on_destroy: "uninstall", protect: false, quiesce: false },
  xapi_template: { name_description: "", protect: false },
  xapi_vm_revert: { safety_snapshot: false, restore_power_state: false },
  xapi_snapshot_schedule: { name_description: "", retained_snapshots: 7, enabled: true },
};

function resource(address: string, attrs: Readonly<Record<string, ConfigValue>>, dependsOn: readonly string[] = []): DesiredResource {
  const [type = "", name = ""] = address.split(".");
  return { address: asAddress(address), mode: "managed", type, name, provider: "default", attrs: { ...DEFAULTS[type], ...attrs }, dependsOn: dependsOn.map(asAddress) };
}

const uuidOf = (address: string): ConfigValue => ({ ref: { address: asAddress(address), attribute: "uuid" } });
const vmAt = (vms: readonly VmRecord[], i: number): string => vms[i]?.uuid ?? "";

const spread = (parallelism: number): Workload => ({
  name: `spread-p${parallelism}`, vms: 200, parallelism, tasks: 200, chain: 1,
  resources: (vms) => Array.from({ length: 200 }, (_, i) => resource(`xapi_snapshot.s${i}`, { vm: vmAt(vms, i), name_label: `bench ${i}` })),
});

const oneVm: Workload = {
  name: "one-vm-p10", vms: 1, parallelism: 10, tasks: 20, chain: 20,
  resources: (vms) => Array.from({ length: 20 }, (_, i) => resource(`xapi_snapshot.s${i}`, { vm: vmAt(vms, 0), name_label: `bench ${i}` })),
};

const UNITS = 40;
const SCHEDULES = 10;
const PER_SCHEDULE = 4;

const mixed: Workload = {
  name: "mixed-p10", vms: UNITS + SCHEDULES * PER_SCHEDULE, parallelism: 10, tasks: 3 * UNITS, chain: 3,
  resources: (vms) => [
    ...Array.from({ length: UNITS }, (_, i) => [
      resource(`xapi_snapshot.base${i}`, { vm: vmAt(vms, i), name_label: `mixed base ${i}` }),
      resource(`xapi_template.gold${i}`, { source: uuidOf(`xapi_snapshot.base${i}`), name_label: `mixed gold ${i}` }, [`xapi_snapshot.base${i}`]),
      resource(`xapi_vm_revert.back${i}`, { vm: vmAt(vms, i), snapshot: uuidOf(`xapi_snapshot.base${i}`), revert_token: "r1" }, [`xapi_snapshot.base${i}`]),
    ]).flat(),
    ...Array.from({ length: SCHEDULES }, (_, j) => resource(`xapi_snapshot_schedule.nightly${j}`, {
      name_label: `mixed nightly ${j}`, type: "snapshot", frequency: "daily", schedule: { hour: 2, min: 30 },
      vms: Array.from({ length: PER_SCHEDULE }, (_, k) => vmAt(vms, UNITS + j * PER_SCHEDULE + k)),
    })),
  ],
};

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 elsewhere. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function simCalls(url: string): Promise<Record<string, number>> {
  const body = (await (await fetch(`${url}/sim/stats`)).json()) as { calls: Record<string, number> };
  return body.calls;
}

const clientCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function run(w: Workload): Promise<Run> {
  const sim = await startSimulatorProcess({ vms: w.vms, snapshotsPerVm: 0, taskMs: TASK_MS });
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
    const vms = [...view.vms.values()].filter((v) => !v.is_a_snapshot && !v.is_a_template && !v.is_control_domain);
    const resources = w.resources(vms);
    const pool = { uuid: view.pool.uuid, name_label: view.pool.name_label, url: sim.url, xapi_version: view.xapiVersion, insecure: false };
    const plan = planStack({ stack: { stack: "bench", configHash: "x", providers: { default: { alias: "default" } }, resources }, provider: "default", view, pool });
    const errors = plan.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) throw new Error(`${w.name}: the plan has errors: ${errors.map((d) => `${d.address ?? ""} ${d.summary}`).join("; ")}`);
    perMethod.clear();
    const load = loadavg()[0] ?? 0;
    const callsBefore = await simCalls(sim.url);
    const cpuBefore = { client: clientCpu(), sim: cpuSecondsOf(sim.pid) };
    const started = process.hrtime.bigint();
    const report = await applyPlan({ plan, client, parallelism: w.parallelism });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = { client: clientCpu() - cpuBefore.client, sim: cpuSecondsOf(sim.pid) - cpuBefore.sim };
    const callsAfter = await simCalls(sim.url);
    const calls: Record<string, number> = {};
    for (const [m, n] of Object.entries(callsAfter)) if (n > (callsBefore[m] ?? 0)) calls[m] = n - (callsBefore[m] ?? 0);
    const totalCalls = Object.values(calls).reduce((a, b) => a + b, 0);
    const idealSeconds = Math.max(w.tasks / w.parallelism, w.chain) * (TASK_MS / 1000);
    if (report.failed.length > 0) console.log(`  first failure: ${report.failed[0]?.address}: ${report.failed[0]?.message}`);
    if (VERBOSE) console.log(`  mean latency: ${[...perMethod].map(([m, { n, ms }]) => `${m} ${(ms / n).toFixed(0)} ms`).join("; ")}`);
    return {
      name: w.name, steps: resources.length, tasks: w.tasks, vms: w.vms, parallelism: w.parallelism, seconds, idealSeconds, ratio: seconds / idealSeconds,
      applied: report.applied.length, failed: report.failed.length, otherOperationInProgress: conflicts, load,
      callsPerStep: totalCalls / resources.length, calls, clientCpuSeconds: cpu.client, simCpuSeconds: cpu.sim,
    };
  } finally {
    await client.close();
    await sim.stop();
  }
}

function show(r: Run): void {
  console.log(
    `  ${r.name}: ${r.steps} steps (${r.tasks} tasks) on ${r.vms} VM(s), parallelism ${r.parallelism}: ${r.seconds.toFixed(2)} s; ideal ${r.idealSeconds.toFixed(2)} s; ` +
      `ratio ${r.ratio.toFixed(3)}; applied ${r.applied}, failed ${r.failed}, OTHER_OPERATION_IN_PROGRESS ${r.otherOperationInProgress}; load ${r.load.toFixed(2)}\n` +
      `    ${r.callsPerStep.toFixed(1)} XAPI calls per step; CPU: client ${r.clientCpuSeconds.toFixed(2)} s, simulator ${r.simCpuSeconds.toFixed(2)} s` +
      (VERBOSE ? `\n    calls per step: ${Object.entries(r.calls).map(([m, n]) => `${m} ${(n / r.steps).toFixed(2)}`).join("; ")}` : ""),
  );
}

async function main(): Promise<void> {
  console.log(`apply-throughput: task ${TASK_MS} ms, bar ≤ ${BAR}× ideal; node ${process.version}, ${cpus().length} cores`);
  const workloads = [
    ...(RUNS.includes("spread") ? PARALLELISM.map(spread) : []),
    ...(RUNS.includes("one-vm") ? [oneVm] : []),
    ...(RUNS.includes("mixed") ? [mixed] : []),
  ];
  const runs: Run[] = [];
  for (const w of workloads) {
    const r = await run(w);
    runs.push(r);
    show(r);
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, taskMs: TASK_MS, runs }, null, 2)}\n`);
  const misses = runs.filter((r) => r.ratio > BAR || r.failed > 0 || r.applied !== r.steps || r.otherOperationInProgress > 0);
  for (const r of misses) console.log(`apply-throughput: FAIL ${r.name} (ratio ${r.ratio.toFixed(3)}, failed ${r.failed}, conflicts ${r.otherOperationInProgress})`);
  if (misses.length > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
