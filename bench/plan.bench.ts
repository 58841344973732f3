/**
 * Plan on a large pool (DESIGN §8): 2,000 VMs / 20,000 snapshots in the simulator, a stack of 200
 * managed snapshots (100 already applied, 100 to create). Prints the XAPI call count of the plan
 * (bar: ≤ 12, independent of pool and config size), its time (read + plan) and peak RSS (bar: ≤ 400 MB).
 */
import { applyPlan } from "../src/engine/applier";
import { planStack } from "../src/engine/planner";
import { startSimulator } from "../src/sim";
import { connect } from "../src/xapi";
import type { DesiredStack } from "../src/config/model";
import type { Address } from "../src/engine/diagnostics";

const VMS = 2000;
const SNAPSHOTS_PER_VM = 10;
const MANAGED = 200;
const MAX_CALLS = 12;
const MAX_RSS = 400 * 1024 * 1024;

async function main(): Promise<void> {
  const sim = await startSimulator({ vms: VMS, snapshotsPerVm: SNAPSHOTS_PER_VM, port: 0, taskMs: 0 });
  const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  try {
    const first = await client.readPoolView();
    const vms = [...first.vms.values()].filter((v) => !v.is_a_snapshot && !v.is_a_template && !v.is_control_domain).slice(0, MANAGED);
    const resources = vms.map((vm, i) => ({
      address: `xapi_snapshot.s${i}` as Address, mode: "managed" as const, type: "xapi_snapshot", name: `s${i}`, provider: "default",
      attrs: { vm: vm.uuid, name_label: `bench ${i}`, name_description: "", on_destroy: "uninstall", protect: false, quiesce: false }, dependsOn: [],
    }));
    const stack = (n: number): DesiredStack => ({ stack: "bench", configHash: String(n), providers: { default: { alias: "default" } }, resources: resources.slice(0, n) });
    const pool = { uuid: first.pool.uuid, name_label: first.pool.name_label, url: sim.url, xapi_version: first.xapiVersion, insecure: false };
    // Half the stack exists already, so the plan has no-ops, creates and markers to match.
    const seed = planStack({ stack: stack(MANAGED / 2), provider: "default", view: first, pool });
    await applyPlan({ plan: seed, client, parallelism: 10 });

    const before = await stats(sim.url);
    const started = process.hrtime.bigint();
    const view = await client.readPoolView();
    const read = Number(process.hrtime.bigint() - started) / 1e6;
    const plan = planStack({ stack: stack(MANAGED), provider: "default", view, pool });
    const total = Number(process.hrtime.bigint() - started) / 1e6;
    const after = await stats(sim.url);
    const calls = after - before;
    const counts = plan.changes.reduce<Record<string, number>>((m, c) => ({ ...m, [c.action]: (m[c.action] ?? 0) + 1 }), {});
    console.log(`pool: ${view.vms.size} VM records, ${view.vdis.size} VDIs; stack: ${MANAGED} snapshots (${JSON.stringify(counts)})`);
    console.log(`plan: ${calls} XAPI calls (bar ≤ ${MAX_CALLS}), read ${read.toFixed(0)} ms + plan ${(total - read).toFixed(0)} ms = ${total.toFixed(0)} ms`);
    console.log(`peak RSS ${(peak / 1048576).toFixed(0)} MB (bar ≤ ${MAX_RSS / 1048576} MB, ratio ${(peak / MAX_RSS).toFixed(2)})`);
    if (calls > MAX_CALLS || peak > MAX_RSS) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await client.close();
    await sim.close();
  }
}

async function stats(url: string): Promise<number> {
  const res = await fetch(new URL("/sim/stats", url));
  const body = (await res.json()) as { calls: Record<string, number> };
  return Object.values(body.calls).reduce((a, b) => a + b, 0);
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
