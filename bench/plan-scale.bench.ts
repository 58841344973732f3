/**
 * Plan cost as the pool grows (DESIGN §8, issue 14): simulated pools of 200, 2,000, 5,000 and
 * 10,000 VMs × 10 snapshots, a stack of 200 managed snapshots (100 already applied, 100 to create).
 * Per size: XAPI calls of the plan, plan wall time (login + the one batched read + planning), peak
 * RSS of the plan process, and the ratio to the Vates `xen-api` client's best raw fetch (login +
 * `get_all_records` of the same seven classes, nothing else) over its transports, in the same run.
 *
 * Three processes per size, so nobody's memory or CPU is counted for someone else: the simulator
 * (bench/sim-child), each measured plan (bench/plan-scale-child, a fresh process per round) and each
 * xen-api fetch (bench/xen-api-fetch.mjs; ESM, so a plain node child). Rounds are interleaved and
 * the best wall time of each side is compared. The floor is measured too: the same login and seven
 * JSON-RPC answers received and thrown away (no parsing), so a reader sees what part of either side
 * is the simulator's serving, which no client can beat. xen-api over XML-RPC is timed only up to
 * BENCH_XMLRPC_MAX VMs (default 200): it is ~10× slower than its JSON-RPC there (measured at
 * 2,000 VMs: 345 s against 28 s), so it is never its best transport.
 * Env: BENCH_SIZES (200,2000,5000,10000), BENCH_ROUNDS (2), BENCH_XMLRPC_MAX (200),
 * BENCH_OUT (bench/results/plan-scale.json; the docs' table and plot are made from it).
 * Bars: ratio ≤ 0.5 at every size; peak RSS ≤ 400 MB; calls ≤ 12 and the same at every size.
 */
import { execFile } from "child_process";
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "fs";
import { loadavg, tmpdir, cpus } from "os";
import { dirname, join } from "path";
import { request } from "http";
import { applyPlan } from "../src/engine/applier";
import { planStack } from "../src/engine/planner";
import { connect } from "../src/xapi";
import type { DesiredStack, PoolIdentity, Address } from "../src/model";
import { startSimulatorProcess } from "./sim-process";

const SIZES = (process.env.BENCH_SIZES ?? "200,2000,5000,10000").split(",").map(Number);
const SNAPSHOTS_PER_VM = 10;
const MANAGED = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const XMLRPC_MAX = Number(process.env.BENCH_XMLRPC_MAX ?? 200);
const OUT = process.env.BENCH_OUT ?? join(__dirname, "..", "..", "bench", "results", "plan-scale.json");
const MAX_RATIO = 0.5;
const MAX_RSS_MB = 400;
const MAX_CALLS = 12;
const root = join(__dirname, "..", "..");

/** Peak RSS of another process so far (Linux), in MB. */
function peakRssMb(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function simCalls(url: string): Promise<number> {
  const body = (await (await fetch(new URL("/sim/stats", url))).json()) as { calls: Record<string, number> };
  return Object.values(body.calls).reduce((a, b) => a + b, 0);
}

const resourceFor = (vmUuid: string, i: number, prefix: string) => ({
  address: `xapi_snapshot.${prefix}${i}` as Address, mode: "managed" as const, type: "xapi_snapshot", name: `${prefix}${i}`, provider: "default",
  attrs: { vm: vmUuid, name_label: `bench ${i}`, name_description: "", on_destroy: "uninstall", protect: false, quiesce: false }, dependsOn: [],
});

/** 200 snapshots on VMs whose snapshots can be taken, half of them applied; returns the stack of all 200. */
async function seed(url: string): Promise<DesiredStack> {
  const client = await connect({ url, username: "root", password: "xsnap", callTimeoutMs: 900_000 });
  try {
    const view = await client.readPoolView();
    const candidates = [...view.vms.values()].filter((v) => !v.is_a_snapshot && !v.is_a_template && !v.is_control_domain).slice(0, 4 * MANAGED);
    const pool: PoolIdentity = { uuid: view.pool.uuid, name_label: view.pool.name_label, url, xapi_version: view.xapiVersion, insecure: false };
    const probe = planStack({ stack: { stack: "probe", configHash: "", providers: {}, resources: candidates.map((vm, i) => resourceFor(vm.uuid, i, "p")) }, provider: "default", view, pool });
    const refused = new Set(probe.diagnostics.filter((d) => d.severity === "error").map((d) => d.address));
    const resources = candidates.filter((_, i) => !refused.has(`xapi_snapshot.p${i}` as Address)).slice(0, MANAGED).map((vm, i) => resourceFor(vm.uuid, i, "s"));
    const stack = (n: number): DesiredStack => ({ stack: "bench", configHash: String(n), providers: { default: { alias: "default" } }, resources: resources.slice(0, n) });
    const seeded = await applyPlan({ plan: planStack({ stack: stack(MANAGED / 2), provider: "default", view, pool }), client, parallelism: 10 });
    if (seeded.failed.length > 0) throw new Error(`seed apply: ${seeded.failed.length} failed, e.g. ${seeded.failed[0]?.address}: ${seeded.failed[0]?.message}`);
    return stack(MANAGED);
  } finally {
    await client.close();
  }
}

/** POSTs a JSON-RPC call and counts the answer's bytes; returns the first KiB of it as text. */
function postCounting(url: string, method: string, params: readonly string[]): Promise<{ bytes: number; head: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL("/jsonrpc", url), { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let bytes = 0;
      const head: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        if (bytes < 1024) head.push(chunk);
        bytes += chunk.length;
      });
      res.on("end", () => resolve({ bytes, head: Buffer.concat(head).toString("utf8", 0, 1024) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }));
  });
}

/** The floor: login and the seven answers received in parallel and discarded, nothing parsed. */
async function receiveOnly(url: string): Promise<number> {
  const started = process.hrtime.bigint();
  const login = await postCounting(url, "session.login_with_password", ["root", "xsnap"]);
  const session = /"result":"([^"]+)"/.exec(login.head)?.[1];
  if (!session) throw new Error(`receive-only floor: login failed: ${login.head}`);
  await Promise.all(["VM", "VDI", "VBD", "SR", "VMSS", "pool", "host"].map((cls) => postCounting(url, `${cls}.get_all_records`, [session])));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await postCounting(url, "session.logout", [session]);
  return ms;
}

function runJson<T>(args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20, timeout: 1_800_000, cwd: root }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${args.join(" ")}: ${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as T);
    });
  });
}

interface PlanRun { ms: number; readMs: number; planMs: number; cpuMs: number; calls: number; maxRssMb: number; vmRecords: number; actions: Record<string, number>; errors: number; simCalls: number }
interface PeerRun { ms: number; cpuMs: number; maxRssMb: number; transport: string; counts: Record<string, number>; error?: string }

export interface SizeResult {
  readonly vms: number;
  readonly vmRecords: number;
  readonly simBuildS: number;
  readonly simPeakRssMb: number;
  readonly calls: number;
  readonly planS: number;
  readonly planRuns: readonly number[];
  readonly readS: number;
  readonly planOnlyMs: number;
  readonly planCpuS: number;
  readonly planPeakRssMb: number;
  /** Infinity when every peer fetch failed (see peerError). */
  readonly peerS: number;
  readonly peerError?: string;
  readonly peerTransport: string;
  readonly peerRuns: readonly { transport: string; s: number; error?: string }[];
  readonly peerPeakRssMb: number;
  readonly ratio: number;
  /** Best time to merely receive the seven answers (see receiveOnly), and its ratio to the peer: no client's ratio can be lower. */
  readonly floorS: number;
  readonly floorRatio: number;
  readonly load: readonly number[];
}

async function measure(vms: number): Promise<SizeResult> {
  const load0 = loadavg();
  const sim = await startSimulatorProcess({ vms, snapshotsPerVm: SNAPSHOTS_PER_VM, taskMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), "plan-scale-"));
  try {
    const stackFile = join(dir, "stack.json");
    writeFileSync(stackFile, JSON.stringify(await seed(sim.url)));
    const plans: PlanRun[] = [];
    const floors: number[] = [];
    const peers: PeerRun[] = [];
    // A failed fetch is a result too: at 10,000 VMs xen-api's JSON-RPC answer for VM.get_all_records
    // exceeds V8's maximum string length (its HTTP client decodes the body as one string).
    const peer = (transport: string): Promise<PeerRun> =>
      runJson<Omit<PeerRun, "transport">>(["--max-old-space-size=8192", join(root, "bench", "xen-api-fetch.mjs"), sim.url, transport]).then(
        (r) => ({ ...r, transport }),
        (error: Error) => ({ ms: Infinity, cpuMs: NaN, maxRssMb: NaN, counts: {}, transport, error: /ERR_\w+|Error: [^\n]*/.exec(error.message)?.[0] ?? "failed" }),
      );
    for (let round = 0; round < ROUNDS; round++) {
      const before = await simCalls(sim.url);
      const run = await runJson<Omit<PlanRun, "simCalls">>([join(__dirname, "plan-scale-child.js"), sim.url, stackFile]);
      plans.push({ ...run, simCalls: (await simCalls(sim.url)) - before });
      peers.push(await peer("json-rpc"));
      if (vms <= XMLRPC_MAX && round === 0) peers.push(await peer("xml-rpc"));
      floors.push(await receiveOnly(sim.url));
    }
    const best = plans.reduce((a, b) => (b.ms < a.ms ? b : a));
    const bestPeer = peers.reduce((a, b) => (b.ms < a.ms ? b : a));
    const load1 = loadavg();
    return {
      vms, vmRecords: best.vmRecords, simBuildS: sim.buildMs / 1000, simPeakRssMb: peakRssMb(sim.pid),
      calls: Math.max(...plans.map((p) => p.simCalls)), planS: best.ms / 1000, planRuns: plans.map((p) => p.ms / 1000),
      readS: best.readMs / 1000, planOnlyMs: best.planMs, planCpuS: best.cpuMs / 1000, planPeakRssMb: Math.max(...plans.map((p) => p.maxRssMb)),
      peerS: bestPeer.ms / 1000, ...(bestPeer.error ? { peerError: bestPeer.error } : {}), peerTransport: bestPeer.transport,
      peerRuns: peers.map((p) => ({ transport: p.transport, s: p.ms / 1000, ...(p.error ? { error: p.error } : {}) })),
      peerPeakRssMb: Math.max(...peers.map((p) => (Number.isNaN(p.maxRssMb) ? 0 : p.maxRssMb))), ratio: bestPeer.error ? NaN : best.ms / bestPeer.ms,
      floorS: Math.min(...floors) / 1000, floorRatio: bestPeer.error ? NaN : Math.min(...floors) / bestPeer.ms,
      load: [load0[0] ?? 0, load1[0] ?? 0],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sim.stop();
  }
}

const f = (n: number, d = 1): string => n.toFixed(d);

async function main(): Promise<void> {
  console.log(`plan-scale: ${SIZES.join(", ")} VMs × ${SNAPSHOTS_PER_VM} snapshots, ${MANAGED} managed snapshots, best of ${ROUNDS}; node ${process.version}, ${cpus().length} cores`);
  const results: SizeResult[] = [];
  for (const vms of SIZES) {
    const r = await measure(vms);
    results.push(r);
    console.log(
      `${String(vms).padStart(6)} VMs (${r.vmRecords} VM records): sim build ${f(r.simBuildS)} s, sim peak RSS ${f(r.simPeakRssMb, 0)} MB | plan ${r.calls} calls, ` +
        `${f(r.planS, 2)} s (read ${f(r.readS, 2)} s + plan ${f(r.planOnlyMs, 0)} ms; runs ${r.planRuns.map((s) => f(s, 2)).join(", ")}), cpu ${f(r.planCpuS, 2)} s, peak RSS ${f(r.planPeakRssMb, 0)} MB | ` +
        `xen-api best ${f(r.peerS, 2)} s (${r.peerTransport}; ${r.peerRuns.map((p) => `${p.transport} ${p.error ?? f(p.s, 2)}`).join(", ")}), peak RSS ${f(r.peerPeakRssMb, 0)} MB | ratio ${f(r.ratio, 2)} | receive-only floor ${f(r.floorS, 2)} s (ratio ${f(r.floorRatio, 2)}) | load ${r.load.map((l) => f(l, 2)).join("→")}`,
    );
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, cpu: cpus()[0]?.model, snapshotsPerVm: SNAPSHOTS_PER_VM, managed: MANAGED, rounds: ROUNDS, results }, null, 2)}\n`);
  console.log(`results written to ${OUT}`);
  const calls = new Set(results.map((r) => r.calls));
  const misses = [
    ...results.filter((r) => r.peerError).map((r) => `${r.vms} VMs: no ratio, xen-api failed (${r.peerError})`),
    ...results.filter((r) => !r.peerError && r.ratio > MAX_RATIO).map((r) => `${r.vms} VMs: ratio ${f(r.ratio, 2)} > ${MAX_RATIO}`),
    ...results.filter((r) => r.planPeakRssMb > MAX_RSS_MB).map((r) => `${r.vms} VMs: peak RSS ${f(r.planPeakRssMb, 0)} MB > ${MAX_RSS_MB} MB`),
    ...results.filter((r) => r.calls > MAX_CALLS).map((r) => `${r.vms} VMs: ${r.calls} calls > ${MAX_CALLS}`),
    ...(calls.size > 1 ? [`calls vary with pool size: ${[...calls].join(", ")}`] : []),
  ];
  for (const miss of misses) console.log(`plan-scale: FAIL ${miss}`);
  if (misses.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
