/**
 * Runs the simulator in its own process for benches, so serving a large pool does not share a
 * CPU or heap with the client being measured. Prints `{"url": …, "buildMs": …, "rssMb": …}` once
 * listening; exits on SIGTERM.
 * usage: node dist/bench/sim-child.js VMS SNAPSHOTS_PER_VM [TASK_MS]
 */
import { startSimulator } from "../src/sim";

async function main(): Promise<void> {
  const started = Date.now();
  const sim = await startSimulator({ vms: Number(process.argv[2] ?? 2000), snapshotsPerVm: Number(process.argv[3] ?? 10), taskMs: Number(process.argv[4] ?? 0) });
  const buildMs = Date.now() - started;
  // The handler first: whoever reads the line may stop us at once.
  process.on("SIGTERM", () => {
    void sim.close().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ url: sim.url, buildMs, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

void main();
