/**
 * The pool lock around a command (DESIGN §5): one lock per pool and stack, taken in alias order,
 * released on every exit path. A lock held by someone else ends the command with exit 3 and
 * Terraform's "Lock Info" block; an abandoned one names the exact force-unlock command.
 */
import { acquireLock, type HeldLock, type LockStatus } from "../engine";
import { CliFailure, EXIT } from "./exit-codes";
import { xsnapCommand, type HintFlags } from "./hints";
import { cancelledBeforeChange } from "./interrupts";
import type { Io } from "./io";
import type { PoolSession } from "./pools";

export interface LockArgs {
  readonly sessions: readonly PoolSession[];
  readonly stack: string;
  readonly operation: string;
  /** plan locks only with --lock; apply/destroy always. */
  readonly enabled: boolean;
  readonly timeoutMs: number;
  readonly io: Io;
  /** The --config the user gave, repeated in the force-unlock hint so it finds the same pool. */
  readonly hint?: HintFlags;
  /** The interrupt signal: it ends a wait for the lock at once (exit 7; nothing is in flight then). */
  readonly signal?: AbortSignal;
}

export async function withStackLock<T>(args: LockArgs, body: (locks: ReadonlyMap<string, HeldLock>) => Promise<T>): Promise<T> {
  const held = new Map<string, HeldLock>();
  try {
    if (args.enabled) {
      for (const session of args.sessions) {
        const result = await acquireLock({
          client: session.client, stack: args.stack, operation: args.operation, timeoutMs: args.timeoutMs,
          onWait: () => args.io.err("Acquiring pool lock. This may take a few moments..."),
          ...(args.signal ? { signal: args.signal } : {}),
        });
        if (!result.ok && result.cancelled) throw cancelledBeforeChange("Interrupted while waiting for the pool lock");
        if (!result.ok) throw new CliFailure(lockBusyText(args.stack, session, result.holder, args.hint), EXIT.lockNotAcquired);
        held.set(session.alias, result.lock);
      }
    }
    // An interrupt while the last lock was being taken: release it rather than start the command.
    if (args.enabled && args.signal?.aborted) throw cancelledBeforeChange("Interrupted while taking the pool lock");
    return await body(held);
  } finally {
    await Promise.all([...held.values()].map((l) => l.release().catch(() => undefined)));
  }
}

export function lockInfoText(status: LockStatus): string {
  const i = status.info;
  return [
    "Lock Info:",
    `  ID:        ${i.id}`,
    `  Operation: ${i.operation}`,
    `  Who:       ${i.who}`,
    `  Created:   ${i.created}`,
    `  Expires:   ${status.expiresAt}${status.abandoned ? " (lease ran out: the holder is probably gone)" : " (renewed by the holder's heartbeat)"}`,
  ].join("\n");
}

function lockBusyText(stack: string, session: PoolSession, holder: LockStatus | undefined, hint: HintFlags = {}): string {
  const lines = [`Error acquiring the pool lock: stack "${stack}" is locked on pool ${session.settings.url}.`, ""];
  if (holder) lines.push(lockInfoText(holder), "");
  lines.push("xsnap locks the stack so that two runs never change it at once. Wait for the other run to finish,",
    "or let this one wait with --lock-timeout (e.g. --lock-timeout 10m).");
  if (holder) lines.push("", forceUnlockAdvice(holder, stack, hint));
  return lines.join("\n");
}

/**
 * The way out when the holder is gone: the exact force-unlock command. A killed run (a cancelled CI
 * job) leaves its lock until the lease runs out; its owner knows it is gone long before that.
 */
export function forceUnlockAdvice(status: LockStatus, stack: string, hint: HintFlags = {}): string {
  const command = xsnapCommand(["force-unlock", status.info.id], { config: hint.config, stack });
  return status.abandoned
    ? `The lease ran out: its holder is probably gone. If it is, remove the lock with: ${command}`
    : `If that run is gone (its job was killed, say), the lock stays until ${status.expiresAt}. To remove it now: ${command}`;
}
