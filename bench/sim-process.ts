/**
 * Starts the simulator in a child process for benchmarks (bench/sim-child.ts), so that the time and
 * memory measured in the bench process are xsnap's alone (the simulator's pool database and event
 * loop live elsewhere). `stop` closes it (SIGTERM, which the child answers with `close()`): a killed
 * simulator would leave the spill files of its disks behind (gigabytes after an XVA bench).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { SimulatorOptions } from "../src/sim";

export interface SimulatorProcess {
  readonly url: string;
  readonly pid: number | undefined;
  /** How long the simulator took to build its pool, and its peak RSS then (MB). */
  readonly buildMs: number;
  readonly rssMb: number;
  stop(): Promise<void>;
}

/** `nodeArgs` go to the child's node (a larger heap for the biggest pools). */
export async function startSimulatorProcess(options: SimulatorOptions, nodeArgs: readonly string[] = []): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [...nodeArgs, join(__dirname, "sim-child.js"), JSON.stringify(options)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  let first: { url: string; buildMs: number; rssMb: number } | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    first = JSON.parse(line) as typeof first;
    break;
  }
  if (!first) throw new Error(`the simulator child exited before listening (${String(child.exitCode ?? child.signalCode)})`);
  return {
    ...first, pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
