/**
 * The frame that import, forget and recover share: find the stack and its pools, then run under the
 * lock of every pool (DESIGN §5: they lock like apply).
 */
import { Option, type Command } from "commander";
import type { DesiredStack, Address } from "../model";
import { CliFailure } from "./exit-codes";
import { xsnapCommand } from "./hints";
import { installInterrupts, interruptible } from "./interrupts";
import type { Io } from "./io";
import { withStackLock } from "./locking";
import { parseDuration, withPoolOptions } from "./options";
import { loadOptionalStack, openPools, type StackFlags } from "./planning";
import { closeAll, type PoolSession } from "./pools";

/** The stack a pool command means: the loaded configuration's, else `--stack`. */
export function stackName(desired: DesiredStack | undefined, flags: StackFlags, purpose: string): string {
  const name = desired?.stack ?? flags.stack;
  if (!name) throw new CliFailure(`which stack? pass --stack NAME (or --config) to name the stack ${purpose}`);
  return name;
}

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
  // Installed first: an interrupt while loading, logging in or waiting for the lock ends the command at
  // once, exit 7. A read-only listing installs none: a signal ends it at once, as any read-only command.
  const interrupts = options.lock ? installInterrupts(io, xsnapCommand(["plan"], flags)) : undefined;
  const signal = interrupts?.signal ?? new AbortController().signal;
  const cancelled = `${operation[0]?.toUpperCase() ?? ""}${operation.slice(1)} interrupted`;
  let sessions: PoolSession[] = [];
  try {
    const desired = await interruptible(signal, cancelled, () => loadOptionalStack(flags, io, signal));
    const stack = stackName(desired, flags, `to ${operation} in`);
    sessions = await interruptible(signal, cancelled, () => openPools(desired, io), closeAll);
    const opened = sessions;
    // Under the lock, a first Ctrl-C lets the few calls in flight finish so the lock is released, as apply does.
    return await withStackLock({ sessions, stack, operation, enabled: options.lock, timeoutMs: flags.lockTimeout, io, hint: flags, signal },
      () => {
        interrupts?.mutating();   // from here on a second Ctrl-C may leave a change half made: exit 5, not 7
        return body({ stack, desired, sessions: opened });
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
