/**
 * Simulator at scale: build the generated 2,000-VM / 20,000-snapshot pool, then time `VM.get_all_records`
 * streamed over loopback and the peak RSS. Run: npm run build && node dist/bench/sim-large-pool.js [vms] [k]
 */
import { startSimulator } from "../src/sim";

async function main(): Promise<void> {
  const vms = Number(process.argv[2] ?? 2000);
  const perVm = Number(process.argv[3] ?? 10);
  let peak = 0;
  const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const t0 = Date.now();
  const sim = await startSimulator({ vms, snapshotsPerVm: perVm, seed: 7 });
  const built = Date.now() - t0;
  const post = async (method: string, params: string[]): Promise<Response> =>
    fetch(`${sim.url}/`, {
      method: "POST",
      body: `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param><value>${p}</value></param>`).join("")}</params></methodCall>`,
    });
  const loginBody = await (await post("session.login_with_password", ["root", "xsnap"])).text();
  const session = /OpaqueRef:[0-9a-f-]+/.exec(loginBody)?.[0] ?? "";
  const t1 = Date.now();
  const res = await post("VM.get_all_records", [session]);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  const fetched = Date.now() - t1;
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  const records = sim.sim.db.table("VM").size;
  console.log(JSON.stringify({ vms, snapshotsPerVm: perVm, vmRecords: records, buildMs: built, getAllRecordsMs: fetched, bodyMiB: +(bytes / 1048576).toFixed(1), peakRssMiB: Math.round(peak / 1048576) }));
  await sim.close();
}

void main();
