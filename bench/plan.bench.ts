/**
 * Plan on a large pool (DESIGN §8): 2,000 VMs / 20,000 snapshots in the simulator, a stack of 200
 * managed snapshots (100 already applied, 100 to create). Prints the XAPI call count of the plan
 * (bar: ≤ 12, independent of pool and config size), its time (read + plan) and peak RSS (bar: ≤ 400 MB).
 */
import { applyPlan } from "../src/engine/applier";
import { planStack } from "../src/engine/planner";
import { connect } from "../src/xapi";
import { startSimulatorProcess } from "./sim-process";
import { PoolBuilder } from "../test/helpers/pool-view";
import type { DesiredStack, PoolIdentity, Address } from "../src/model";
import type { XapiClient } from "../src/resources/client";

const VMS = 2000;
const SNAPSHOTS_PER_VM = 10;
const MANAGED = 200;
const MAX_CALLS = 12;
const MAX_RSS = 400 * 1024 * 1024;

/** Seeds the pool (half the stack applied) and returns the stack; the seeding view is dropped. */
async function seed(client: XapiClient, url: string): Promise<{ stack: DesiredStack; pool: PoolIdentity }> {
  const first = await client.readPoolView();
  const candidates = [...first.vms.values()].filter((v) => !v.is_a_snapshot && !v.is_a_template && !v.is_control_domain).slice(0, 4 * MANAGED);
  const pool: PoolIdentity = { uuid: first.pool.uuid, name_label: first.pool.name_label, url, xapi_version: first.xapiVersion, insecure: false };
  const resourceFor = (vmUuid: string, i: number, prefix: string) => ({
    address: `xapi_snapshot.${prefix}${i}` as Address, mode: "managed" as const, type: "xapi_snapshot", name: `${prefix}${i}`, provider: "default",
    attrs: { vm: vmUuid, name_label: `bench ${i}`, name_description: "", on_destroy: "uninstall", protect: false, quiesce: false }, dependsOn: [],
  });
  // The generated pool has full SRs on purpose; the bench manages VMs whose snapshots can be taken.
  const probe = planStack({ stack: { stack: "probe", configHash: "", providers: {}, resources: candidates.map((vm, i) => resourceFor(vm.uuid, i, "p")) }, provider: "default", view: first, pool });
  const refused = new Set(probe.diagnostics.filter((d) => d.severity === "error").map((d) => d.address));
  const resources = candidates.filter((_, i) => !refused.has(`xapi_snapshot.p${i}` as Address)).slice(0, MANAGED).map((vm, i) => resourceFor(vm.uuid, i, "s"));
  const stack = (n: number): DesiredStack => ({ stack: "bench", configHash: String(n), providers: { default: { alias: "default" } }, resources: resources.slice(0, n) });
  // Half the stack exists already, so the measured plan has no-ops, creates and markers to match.
  const seeded = await applyPlan({ plan: planStack({ stack: stack(MANAGED / 2), provider: "default", view: first, pool }), client, parallelism: 10 });
  if (seeded.failed.length > 0) console.log(`seed apply: ${seeded.failed.length} failed, e.g. ${seeded.failed[0]?.address}: ${seeded.failed[0]?.message}`);
  return { stack: stack(MANAGED), pool };
}

async function main(): Promise<void> {
  const sim = await startSimulatorProcess({ vms: VMS, snapshotsPerVm: SNAPSHOTS_PER_VM, taskMs: 0 });
  const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
  let sampler: NodeJS.Timeout | undefined;
  try {
    const { stack, pool } = await seed(client, sim.url);
    (globalThis as { gc?: () => void }).gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const before = await stats(sim.url);
    const started = process.hrtime.bigint();
    const view = await client.readPoolView();
    const read = Number(process.hrtime.bigint() - started) / 1e6;
    const plan = planStack({ stack, provider: "default", view, pool });
    const total = Number(process.hrtime.bigint() - started) / 1e6;
    peak = Math.max(peak, process.memoryUsage().rss);
    const calls = (await stats(sim.url)) - before;
    const counts = plan.changes.reduce<Record<string, number>>((m, c) => ({ ...m, [c.action]: (m[c.action] ?? 0) + 1 }), {});
    console.log(`pool: ${view.vms.size} VM records, ${view.vdis.size} VDIs; stack: ${stack.resources.length} snapshots (${JSON.stringify(counts)})`);
    console.log(`plan: ${calls} XAPI calls (bar ≤ ${MAX_CALLS}), read ${read.toFixed(0)} ms + plan ${(total - read).toFixed(0)} ms = ${total.toFixed(0)} ms`);
    console.log(`peak RSS ${(peak / 1048576).toFixed(0)} MB during read + plan (process before: ${(base / 1048576).toFixed(0)} MB; bar ≤ ${MAX_RSS / 1048576} MB, ratio ${(peak / MAX_RSS).toFixed(2)})`);
    if (calls > MAX_CALLS || peak > MAX_RSS) process.exitCode = 1;
  } finally {
    if (sampler) clearInterval(sampler);
    await client.close();
    await sim.stop();
  }
}

/** The planner alone (pure) on a hand-built pool of the same size: what xsnap adds on top of the read. */
function plannerOnly(): void {
  const b = new PoolBuilder();
  const sr = b.sr({ name_label: "NFS store", type: "nfs" });
  const vms = Array.from({ length: VMS }, (_, i) => b.vm({ name_label: `vm-${i}`, disks: [{ name_label: `vm-${i} root`, sr }] }));
  for (const vm of vms) for (let k = 0; k < SNAPSHOTS_PER_VM; k++) b.snapshot(vm, { name_label: `${vm.name_label} snap ${k}` });
  const view = b.build();
  const resources = vms.slice(0, MANAGED).map((vm, i) => ({
    address: `xapi_snapshot.s${i}` as Address, mode: "managed" as const, type: "xapi_snapshot", name: `s${i}`, provider: "default",
    attrs: { vm: vm.name_label, name_label: `bench ${i}`, name_description: "", on_destroy: "uninstall", protect: false, quiesce: false }, dependsOn: [],
  }));
  const rssBefore = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const plan = planStack({ stack: { stack: "bench", configHash: "x", providers: { default: { alias: "default" } }, resources }, provider: "default", view,
    pool: { uuid: view.pool.uuid, name_label: "p", url: "", xapi_version: view.xapiVersion, insecure: false } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`planner only: ${view.vms.size} VM records, ${MANAGED} resources → ${plan.changes.length} changes in ${ms.toFixed(0)} ms (RSS +${((process.memoryUsage().rss - rssBefore) / 1048576).toFixed(0)} MB)`);
}

async function stats(url: string): Promise<number> {
  const res = await fetch(new URL("/sim/stats", url));
  const body = (await res.json()) as { calls: Record<string, number> };
  return Object.values(body.calls).reduce((a, b) => a + b, 0);
}

main()
  .catch((e) => { console.error(`end-to-end plan failed: ${(e as Error).message}`); process.exitCode = 1; })
  .then(() => plannerOnly());
