/**
 * Starts the simulator in a child process for benchmarks, so that the time and memory measured in the
 * bench process are xsnap's alone (the simulator's pool database and event loop live elsewhere).
 * `stop` closes it (SIGTERM, which the child answers with `close()`): a killed simulator would leave
 * the spill files of its disks behind (gigabytes after an XVA bench).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import type { SimulatorOptions } from "../src/sim";

export interface SimulatorProcess {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export async function startSimulatorProcess(options: SimulatorOptions): Promise<SimulatorProcess> {
  const script = `require(${JSON.stringify(require.resolve("../src/sim"))}).startSimulator(${JSON.stringify({ ...options, port: 0 })})` +
    ".then((s) => { process.once('SIGTERM', () => s.close().then(() => process.exit(0))); console.log('xapi-sim listening on ' + s.url); })";
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`simulator exited (${code})`)));
  });
  const exited = once(child, "exit");
  return {
    url, pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
