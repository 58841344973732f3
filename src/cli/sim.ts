/**
 * `xsnap sim`: serve the XAPI simulator (DESIGN §7) until SIGINT/SIGTERM. The first stdout line is
 * `xapi-sim listening on http://HOST:PORT` so scripts and tests can wait for it and read the port.
 */
import { type Command, InvalidArgumentError } from "commander";
import { startSimulator, type SimulatorOptions } from "../sim";
import { EXIT } from "./exit-codes";
import { shellWord } from "./hints";

interface SimCliOptions {
  readonly port: number;
  readonly host: string;
  readonly fixture?: string;
  readonly vms?: number;
  readonly snapshotsPerVm?: number;
  readonly latencyMs: number;
  readonly taskMs: number;
  readonly state?: string;
  readonly xapiVersion?: string;
  readonly user: string;
  readonly password: string;
  readonly seed: number;
  readonly memberOf?: string;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return n;
}

export function register(program: Command, setExit: (code: number) => void): void {
  program
    .command("sim")
    .description("run the XAPI simulator (a fake XCP-ng pool) on 127.0.0.1 until interrupted")
    .option("--port <n>", "TCP port (0 = a free one)", wholeNumber, 0)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--fixture <name|file>", "'demo', 'none' or a JSON pool description")
    .option("--vms <n>", "generate a large pool with this many VMs instead of a fixture", wholeNumber)
    .option("--snapshots-per-vm <k>", "snapshots per generated VM", wholeNumber)
    .option("--latency-ms <n>", "delay every RPC answer", wholeNumber, 0)
    .option("--task-ms <n>", "duration of snapshots, checkpoints, reverts, copies and power operations", wholeNumber, 0)
    .option("--state <file>", "save the pool after every change and load it on start")
    .option("--xapi-version <v>", "xapi version to imitate (1.160 = pre-8.1: quiesce, no ignore_vdis)")
    .option("--user <name>", "accepted user name", "root")
    .option("--password <password>", "accepted password", "xsnap")
    .option("--seed <n>", "seed for generated uuids and pools", wholeNumber, 1)
    .option("--member-of <address>", "act as a pool member: every login fails with HOST_IS_SLAVE naming this master address")
    .action(async (opts: SimCliOptions) => {
      setExit(await runSim(opts));
    });
}

export async function runSim(opts: SimCliOptions): Promise<number> {
  const options: SimulatorOptions = {
    port: opts.port, host: opts.host, fixture: opts.fixture, vms: opts.vms, snapshotsPerVm: opts.snapshotsPerVm,
    latencyMs: opts.latencyMs, taskMs: opts.taskMs, statePath: opts.state, xapiVersion: opts.xapiVersion,
    user: opts.user, password: opts.password, seed: opts.seed, memberOf: opts.memberOf,
  };
  let running;
  try {
    running = await startSimulator(options);
  } catch (e) {
    process.stderr.write(`xapi-sim: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.error;
  }
  // Listening for the stop signals before the first line is out: a script that waits for that line
  // and then sends SIGTERM would otherwise, on a busy machine, find no handler yet and kill the
  // simulator before it closes (seen in CI as an exit by signal instead of 0).
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  // The first line is for scripts (they wait for it); the rest is what a person pastes in another terminal.
  process.stdout.write([
    `xapi-sim listening on ${running.url}`,
    `login: user ${opts.user}, password ${opts.password}`,
    "In another terminal:",
    `  export XAPI_URL=${running.url} XAPI_USERNAME=${shellWord(opts.user)} XAPI_PASSWORD=${shellWord(opts.password)}`,
    "",
  ].join("\n"));
  await stopped;
  await running.close();
  return EXIT.ok;
}
