/**
 * DESIGN §8: reading a 2,000-VM / 20,000-snapshot pool (the simulator's generated pool with
 * realistic record sizes) into a PoolView: time, XAPI calls, peak RSS; and the Vates xen-api client
 * merely fetching the same seven record sets, for the ratio. The simulator runs in a child process.
 * Env: BENCH_POOL_VMS (2000), BENCH_POOL_SNAPSHOTS (10 per VM), BENCH_XENAPI_XMLRPC=1 to also time
 * xen-api over XML-RPC (its default, `auto`, picks JSON-RPC, which the simulator serves).
 */
import { execFile } from "child_process";
import { join } from "path";
import { buildPoolView, connect, readPoolRecords } from "../src/xapi";
import { Session } from "../src/xapi/session";
import { startSimulatorProcess } from "./sim-process";

const VMS = Number(process.env.BENCH_POOL_VMS ?? 2000);
const SNAPSHOTS = Number(process.env.BENCH_POOL_SNAPSHOTS ?? 10);
const MAX_CALLS = 12;
const MAX_RSS_MB = 400;

async function readOurs(url: string): Promise<{ ms: number; cpuMs: number; calls: number; vms: number }> {
  let calls = 0;
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  // Every XAPI call (XML-RPC or JSON-RPC) passes the client's one logging point.
  const log = (line: string): void => {
    if (line.startsWith("→")) calls++;
  };
  const client = await connect({ url, username: "root", password: "xsnap", callTimeoutMs: 600_000, log });
  const view = await client.readPoolView();
  const cpu = process.cpuUsage(cpu0);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await client.close();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, calls, vms: view.vms.size };
}

/** The XML-RPC path alone (hosts without JSON-RPC): the same read with the JSON-RPC bulk path left out. */
async function readOursXmlOnly(url: string): Promise<{ ms: number; cpuMs: number; vms: number }> {
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const session = new Session(url, { username: "root", password: "xsnap", originator: "xsnap", tls: {}, timeoutMs: 600_000 });
  const view = buildPoolView(await readPoolRecords({ call: (method, params, options) => session.call(method, params, options) }));
  const cpu = process.cpuUsage(cpu0);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await session.close();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, vms: view.vms.size };
}

function runXenApi(url: string, transport: string): Promise<{ ms: number; cpuMs: number; counts: Record<string, number>; maxRssMb: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--max-old-space-size=6144", join(__dirname, "..", "..", "bench", "xen-api-fetch.mjs"), url, transport], { maxBuffer: 1 << 20, timeout: 900_000 }, (error, stdout) => {
      if (error) return reject(error);
      resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "{}"));
    });
  });
}

async function main(): Promise<void> {
  const sim = await startSimulatorProcess({ vms: VMS, snapshotsPerVm: SNAPSHOTS, taskMs: 0 }, ["--max-old-space-size=6144"]);
  try {
    console.log(`pool-view: simulated pool of ${VMS} VMs × ${SNAPSHOTS} snapshots built in ${(sim.buildMs / 1000).toFixed(1)} s`);
    // Interleaved, best of two each: the first read of a cold simulator is slower for whoever goes first.
    const runs: Awaited<ReturnType<typeof readOurs>>[] = [];
    const theirs: Awaited<ReturnType<typeof runXenApi>>[] = [];
    let rssAfterFirstRead = 0;
    for (let round = 0; round < 2; round++) {
      runs.push(await readOurs(sim.url));
      if (round === 0) rssAfterFirstRead = process.resourceUsage().maxRSS / 1024;
      theirs.push(await runXenApi(sim.url, "auto"));
    }
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const theirBest = theirs.reduce((a, b) => (b.ms < a.ms ? b : a));
    console.log(`  xsnap readPoolView (login + 7 bulk reads over JSON-RPC + typed, indexed view): ${runs.map((r) => `${r.ms.toFixed(0)} ms`).join(", ")} wall; best: cpu ${best.cpuMs.toFixed(0)} ms; ${best.vms} VM records; ${best.calls} XAPI calls; peak RSS ${rssAfterFirstRead.toFixed(0)} MB`);
    console.log(`  xen-api (its default transport, JSON-RPC here) login + fetch of the same records: ${theirs.map((r) => `${r.ms.toFixed(0)} ms`).join(", ")} wall; best: cpu ${theirBest.cpuMs.toFixed(0)} ms, peak RSS ${theirBest.maxRssMb.toFixed(0)} MB`);
    console.log(`  → xsnap is ${(theirBest.ms / best.ms).toFixed(2)}× as fast as xen-api (best wall times)`);
    const xml = await readOursXmlOnly(sim.url);
    console.log(`  xsnap readPoolView over XML-RPC only (hosts without JSON-RPC): ${xml.ms.toFixed(0)} ms wall, cpu ${xml.cpuMs.toFixed(0)} ms`);
    if (process.env.BENCH_XENAPI_XMLRPC === "1") {
      const slow = await runXenApi(sim.url, "xml-rpc");
      console.log(`  xen-api over XML-RPC: ${slow.ms.toFixed(0)} ms wall, cpu ${slow.cpuMs.toFixed(0)} ms → xsnap XML-RPC path is ${(slow.ms / xml.ms).toFixed(2)}× as fast`);
    }
    if (best.calls > MAX_CALLS) {
      console.log(`pool-view: FAIL, ${best.calls} calls > ${MAX_CALLS}`);
      process.exitCode = 1;
    }
    if (rssAfterFirstRead > MAX_RSS_MB) console.log(`pool-view: note, peak RSS ${rssAfterFirstRead.toFixed(0)} MB is above the ${MAX_RSS_MB} MB plan budget`);
  } finally {
    await sim.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
