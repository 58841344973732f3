/**
 * The part plan, apply and destroy share: load the stack, open each pool, read it once, plan it.
 * Returns values; printing and exit codes stay with the commands.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadStack } from "../config";
import { type DesiredStack, asAddress, type Plan } from "../model";
import { readTaskStates } from "../engine/intents";
import { planPools as planStackPools } from "../engine/planner";
import { renderDiagnostics } from "../render/text";
import { CliFailure, EXIT } from "./exit-codes";
import { DiagnosticsFailure } from "./failure";
import type { Io } from "./io";
import { aliasesOf, closeAll, connectionSettings, connectPool, poolIdentity, type PoolSession } from "./pools";

export interface StackFlags {
  readonly config?: string;
  readonly stack?: string;
  /** Folder to run in (default: the process's); `xsnap demo` points it at examples/quickstart. */
  readonly cwd?: string;
}

export interface PlanningFlags extends StackFlags {
  readonly target?: readonly string[];
  readonly replace?: readonly string[];
  readonly destroy?: boolean;
}

/** Loads and validates the stack; warnings go to stderr, errors stop the command (exit 1). */
export async function loadDesired(flags: StackFlags, io: Io, signal?: AbortSignal): Promise<DesiredStack> {
  const loaded = await loadStack({ cwd: flags.cwd ?? process.cwd(), ...(flags.config ? { config: flags.config } : {}), ...(flags.stack ? { stack: flags.stack } : {}), ...(signal ? { signal } : {}) });
  if (!loaded.ok) throw new DiagnosticsFailure(loaded.diagnostics);
  if (loaded.warnings.length > 0) io.err(renderDiagnostics(loaded.warnings, io.errPaint));
  return loaded.value;
}

/**
 * For commands that only need to find the pool (inventory, lock status, force-unlock): the stack when
 * there is one (--config, or a cdktf.json here), else the environment alone (XAPI_URL ...).
 */
export async function loadOptionalStack(flags: StackFlags, io: Io, signal?: AbortSignal): Promise<DesiredStack | undefined> {
  if (flags.config !== undefined || existsSync(join(flags.cwd ?? process.cwd(), "cdktf.json"))) return loadDesired(flags, io, signal);
  return undefined;
}

export interface PoolPlan {
  readonly session: PoolSession;
  readonly plan: Plan;
}

/** Opens every pool of the stack; the caller closes them with `closeAll`. Every block's settings are checked before the first pool is called. */
export async function openPools(stack: DesiredStack | undefined, io: Io): Promise<PoolSession[]> {
  const settings = aliasesOf(stack).map((alias) => ({ alias, settings: connectionSettings(stack?.providers[alias], io.env) }));
  const sessions: PoolSession[] = [];
  try {
    for (const pool of settings) sessions.push(await connectPool(pool.alias, pool.settings));
  } catch (e) {
    await closeAll(sessions);
    throw e;
  }
  return sessions;
}

/**
 * Reads every pool (one batched read each, concurrently) and plans them together: one dependency
 * order across pools, so a reference may cross providers. Pure after the reads.
 */
export async function planPools(stack: DesiredStack, sessions: readonly PoolSession[], flags: PlanningFlags, signal?: AbortSignal): Promise<PoolPlan[]> {
  const views = await Promise.all(sessions.map((s) => s.client.readPoolView()));
  // Tasks an interrupted apply started (named in its intents): only read when there are some.
  const tasks = await Promise.all(sessions.map((s, i) => (views[i] ? readTaskStates(s.client, views[i], stack.stack) : new Map())));
  if (signal?.aborted) throw new CliFailure("Planning interrupted; nothing was changed.", EXIT.cancelled);
  const plans = planStackPools({
    stack,
    pools: sessions.map((session, i) => {
      const view = views[i];
      if (!view) throw new Error("readPoolView returned nothing");
      return { provider: session.alias, view, pool: poolIdentity(view, session.settings), ...(tasks[i] ? { tasks: tasks[i] } : {}) };
    }),
    options: {
      targets: (flags.target ?? []).map(asAddress),
      replace: (flags.replace ?? []).map(asAddress),
      destroy: flags.destroy === true,
    },
  });
  return sessions.map((session, i) => ({ session, plan: plans[i] as Plan }));
}
