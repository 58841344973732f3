/**
 * Starts the simulator in a child process for benchmarks, so that the time and memory measured in the
 * bench process are xsnap's alone (the simulator's pool database and event loop live elsewhere).
 */
import { spawn } from "node:child_process";

export async function startSimulatorProcess(options: { readonly vms: number; readonly snapshotsPerVm: number; readonly taskMs: number }): Promise<{ url: string; pid: number | undefined; stop: () => void }> {
  const script = `require(${JSON.stringify(require.resolve("../src/sim"))}).startSimulator(${JSON.stringify({ ...options, port: 0 })})` +
    ".then((s) => console.log('xapi-sim listening on ' + s.url))";
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
  return { url, pid: child.pid, stop: () => child.kill() };
}
