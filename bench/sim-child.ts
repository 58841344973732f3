/**
 * Runs the simulator in its own process for benches, so serving a large pool does not share a
 * CPU or heap with the client being measured. Prints `{"url": …, "buildMs": …, "rssMb": …}` once
 * listening; closes on SIGTERM. Started by bench/sim-process.ts.
 * usage: node dist/bench/sim-child.js '<SimulatorOptions as JSON>'
 */
import { startSimulator, type SimulatorOptions } from "../src/sim";

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as SimulatorOptions;
  const started = Date.now();
  const sim = await startSimulator({ ...options, port: 0 });
  const buildMs = Date.now() - started;
  // The handler first: whoever reads the line may stop us at once.
  process.once("SIGTERM", () => {
    void sim.close().then(() => process.exit(0));
  });
  process.stdout.write(`${JSON.stringify({ url: sim.url, buildMs, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

void main();
