/**
 * `xsnap import ADDR UUID` (DESIGN §4, Terraform's `import ADDRESS ID`): an existing snapshot or
 * checkpoint becomes the object of ADDR. Only its markers are written; nothing is created or deleted.
 * Also the frame that import, forget and recover share: find the stack and its pools, hold the lock.
 */
import { Option, type Command } from "commander";
import type { DesiredStack } from "../config/model";
import { importObject } from "../engine";
import { asAddress, type Address } from "../engine/diagnostics";
import { asUuid } from "../xapi/types";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { installInterrupts } from "./interrupts";
import { processIo, type Io } from "./io";
import { withStackLock } from "./locking";
import { parseDuration, withPoolOptions } from "./options";
import { loadOptionalStack, openPools, type StackFlags } from "./planning";
import { closeAll, type PoolSession } from "./pools";

export interface LockedStackFlags extends StackFlags {
  readonly lockTimeout: number;
  readonly color: boolean;
}

/** The pool options plus `--lock-timeout`, for commands that change the pool's records under the lock. */
export function withLockedStackOptions(cmd: Command): Command {
  return withPoolOptions(cmd)
    .addOption(new Option("--lock-timeout <duration>", "how long to wait for the pool lock, e.g. 30s, 10m").argParser(parseDuration).default(0, "0s"));
}

export interface LockedStack {
  readonly stack: string;
  /** The loaded configuration, when there is one (--config, or a cdktf.json here). */
  readonly desired: DesiredStack | undefined;
  readonly sessions: readonly PoolSession[];
}

/**
 * Finds the stack (config, or `--stack` with XAPI_* env alone), opens its pools and runs `body`
 * holding the lock of every pool (DESIGN §5: import, forget and recover lock like apply); a
 * read-only listing passes `lock: false` so it works while a killed run's lock is still held.
 */
export async function withLockedStack<T>(flags: LockedStackFlags, io: Io, operation: string, body: (s: LockedStack) => Promise<T>,
  options: { readonly lock: boolean } = { lock: true }): Promise<T> {
  const desired = await loadOptionalStack(flags, io);
  const stack = desired?.stack ?? flags.stack;
  if (!stack) throw new CliFailure(`which stack? pass --stack NAME (or --config) to name the stack to ${operation} in`);
  const sessions = await openPools(desired, io);
  // A first Ctrl-C lets the few calls in flight finish so the lock is released, as apply does.
  const interrupts = options.lock ? installInterrupts(io) : undefined;
  try {
    return await withStackLock({ sessions, stack, operation, enabled: options.lock, timeoutMs: flags.lockTimeout, io },
      () => {
        interrupts?.mutating();   // from here on a second Ctrl-C may leave a change half made: exit 5, not 7
        return body({ stack, desired, sessions });
      });
  } finally {
    interrupts?.dispose();
    await closeAll(sessions);
  }
}

/** The pools an address lives on: its provider's when the configuration has it, else every pool. */
export function poolsOf(s: LockedStack, address: Address): readonly PoolSession[] {
  const provider = s.desired?.resources.find((r) => r.address === address)?.provider;
  return provider === undefined ? s.sessions : s.sessions.filter((p) => p.alias === provider);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function register(program: Command, setExit: (code: number) => void): void {
  withLockedStackOptions(program.command("import <address> <uuid>")
    .description("adopt an existing snapshot or checkpoint as ADDRESS (only its markers change; the next plan records its configuration)"))
    .action(async (address: string, uuid: string, opts: LockedStackFlags) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runImport(asAddress(address), uuid, opts, io));
    });
}

export async function runImport(address: Address, uuid: string, opts: LockedStackFlags, io: Io): Promise<ExitCode> {
  if (!UUID.test(uuid)) throw new CliFailure(`${address}: "${uuid}" is not a uuid; \`xsnap inventory\` lists the uuid of every snapshot and checkpoint`);
  return withLockedStack(opts, io, "import", async (s) => {
    const pools = poolsOf(s, address);
    if (pools.length !== 1) {
      throw new CliFailure(`${address}: the stack has ${pools.length} pools and the configuration does not say which one holds it; add ${address} to the configuration first`);
    }
    const [session] = pools;
    if (!session) throw new Error("poolsOf returned an empty slot");
    const result = await importObject({ client: session.client, stack: s.stack, address, uuid: asUuid(uuid.toLowerCase()) });
    if (!result.ok) throw new CliFailure(result.message);
    io.out(io.paint.green(result.summary));
    return EXIT.ok;
  });
}
