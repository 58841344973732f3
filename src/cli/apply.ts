/**
 * `xsnap apply [PLANFILE]`: with a plan file, exactly that plan (the file is the approval; refused
 * with exit 4 when stale); without, a fresh plan that a human approves with `yes` or
 * `--auto-approve` does. `xsnap destroy` is the same with every managed object planned for removal.
 */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { type DesiredStack, hasErrors, hasBlockingIntents, type Plan, type PlanContext } from "../model";
import { checkPool, checkStale } from "../engine";
import { renderDiagnostics } from "../render/text";
import { destructiveAddresses, execute } from "./applying";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { fromContext, planCommandFrom, replanCommand, xsnapCommand } from "./hints";
import { installInterrupts, interruptible } from "./interrupts";
import { processIo, type Io } from "./io";
import { withStackLock } from "./locking";
import { withPlanOptions, type PlanFlags } from "./options";
import { hasWork, planExitCode, printPlans } from "./plan-output";
import { loadDesired, loadOptionalStack, openPools, planPools } from "./planning";
import { closeAll, openPool, type PoolSession } from "./pools";
import { askApproval } from "./prompt";
import { loadSavedPlan } from "./saved-plans";

export interface ApplyOptions extends PlanFlags {
  readonly autoApprove?: boolean;
  readonly json?: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command("apply [planfile]").description("perform a plan: a saved plan file, or a fresh plan after approval");
  withPlanOptions(cmd, { destroyMode: false })
    .option("--auto-approve", "skip the approval prompt (a plan file needs none)")
    .option("--json", "print progress as JSON lines (needs --auto-approve or a plan file)")
    .action(async (planfile: string | undefined, opts: ApplyOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => (planfile !== undefined ? applySaved(planfile, opts, io) : applyFresh(opts, io, { destroy: opts.destroy === true })), { json: opts.json === true });
    });
}

/** Plan, show, ask, apply: all under the lock, so what was approved is what runs. */
export async function applyFresh(opts: ApplyOptions, io: Io, mode: { readonly destroy: boolean }): Promise<ExitCode> {
  if (opts.json && !opts.autoApprove) {
    throw new CliFailure("--json needs --auto-approve or a plan file: there is nobody to answer the approval prompt");
  }
  // Installed first: until the lock is held and the plan approved nothing changes, so an interrupt ends the run at once, exit 7.
  const planCommand = xsnapCommand(["plan"], opts);
  const interrupts = installInterrupts(io, planCommand);
  const { signal } = interrupts;
  const planning = "Planning interrupted";
  let sessions: PoolSession[] = [];
  try {
    const stack = await interruptible(signal, planning, () => loadDesired(opts, io, signal));
    sessions = await interruptible(signal, planning, () => openPools(stack, io), closeAll);
    return await withStackLock({ sessions, stack: stack.stack, operation: mode.destroy ? "destroy" : "apply", enabled: true, timeoutMs: opts.lockTimeout, io, hint: opts, signal }, async (locks) => {
      const planned = await interruptible(signal, planning, () => planPools(stack, sessions, { ...opts, destroy: mode.destroy }, signal));
      const plans = planned.map((p) => p.plan);
      if (opts.json) {
        const diagnostics = plans.flatMap((p) => p.diagnostics);
        if (diagnostics.length > 0) io.err(renderDiagnostics(diagnostics, io.errPaint));
      } else {
        printPlans(plans, "text", io, { hint: opts });
      }
      const planCode = planExitCode(plans, false);
      if (planCode !== EXIT.ok) return planCode;
      if (!plans.some(hasWork)) return EXIT.ok;
      if (!opts.autoApprove) {
        if (!io.interactive) {
          const save = xsnapCommand(["plan", ...(mode.destroy ? ["--destroy"] : []), "--out", "FILE"], opts);
          throw new CliFailure(`no terminal to ask for approval: pass --auto-approve, or save the plan with \`${save}\` and run \`xsnap apply FILE\``);
        }
        const approved = await askApproval(io, { pool: plans.map((p) => p.pool.name_label).join(", "), destroy: mode.destroy, destructive: destructiveAddresses(plans) }, interrupts.signal);
        if (!approved) {
          io.out(`${mode.destroy ? "Destroy" : "Apply"} cancelled.`);
          return EXIT.cancelled;
        }
      }
      if (interrupts.interrupted()) return EXIT.cancelled;
      return execute({ plans: planned, locks, parallelism: opts.parallelism, destroy: mode.destroy, json: opts.json === true, io, interrupts, planCommand });
    });
  } finally {
    interrupts.dispose();
    await closeAll(sessions);
  }
}

/** A saved plan: no planning options, no prompt; the pool is re-read under the lock and must match. */
export async function applySaved(file: string, opts: ApplyOptions, io: Io): Promise<ExitCode> {
  const given = [(opts.target ?? []).length > 0 && "--target", (opts.replace ?? []).length > 0 && "--replace", opts.destroy && "--destroy"].filter((x) => x);
  if (given.length > 0) throw new CliFailure(`${given.join(", ")} cannot be used with a plan file: the plan file already decides what apply does`);
  const plan = await loadSavedPlan(file);
  if (hasErrors(plan.diagnostics)) throw new CliFailure("Cannot apply incomplete plan: planning reported errors");
  const cwd = opts.cwd ?? process.cwd();
  // The configuration as the user names it, else as the plan recorded where it came from.
  const explicit = opts.config !== undefined || opts.stack !== undefined || plan.context === undefined;
  const planCommand = explicit ? xsnapCommand(["plan"], opts) : planCommandFrom(plan.context, cwd);
  // Installed first: until the lock is held nothing changes, so an interrupt ends the run at once, exit 7.
  const interrupts = installInterrupts(io, planCommand);
  const { signal } = interrupts;
  const cancelled = "Apply interrupted";
  let session: PoolSession | undefined;
  try {
    const stack = await interruptible(signal, cancelled, () => (explicit
      ? loadOptionalStack({ ...opts, stack: opts.stack ?? plan.stack }, io, signal)
      : loadFromContext(plan.context as PlanContext, plan.stack, cwd, io, signal)));
    const provider = stack?.providers[plan.provider] ?? { alias: plan.provider };
    // The block's settings first, then the environment, then what the plan recorded: only secrets are left to give.
    const recorded = plan.context?.connection;
    const username = provider.username ?? nonEmpty(io.env.XAPI_USERNAME) ?? recorded?.username;
    const passwordEnv = provider.password_env ?? recorded?.passwordEnv;
    session = await interruptible(signal, cancelled, () => openPool({
      ...provider, url: provider.url ?? nonEmpty(io.env.XAPI_URL) ?? recorded?.url ?? plan.pool.url,
      ...(username !== undefined ? { username } : {}), ...(passwordEnv !== undefined ? { password_env: passwordEnv } : {}),
    }, plan.provider, io.env), (late) => closeAll([late]));
    // Another pool is refused before its lock is taken: the lock is a write to a pool the plan is not for.
    const [poolRef] = (await session.client.call("pool.get_all")) as readonly string[];
    const pool = await session.client.call("pool.get_record", [poolRef ?? ""]) as { readonly uuid: string; readonly name_label: string };
    const samePool = checkPool(plan, pool);
    if (!samePool.ok) throw new CliFailure(samePool.message, EXIT.stalePlan);
    const hint = plan.context ? fromContext(plan.context, cwd) : undefined;
    const opened = session;
    return await withStackLock({ sessions: [opened], stack: plan.stack, operation: "apply", enabled: true, timeoutMs: opts.lockTimeout, io, signal, ...(hint && hint.prefix === "" ? { hint: hint.flags } : {}) }, async (locks) => {
      const view = await opened.client.readPoolView();
      const check = checkStale(plan, view, stack);
      if (!check.ok) {
        const replan = replanCommand(plan.context, file, cwd, plan.destroyMode);
        const details = check.reason === "stale" ? `\n${check.details.map((d) => `  - ${d}`).join("\n")}\n\nRun \`${replan}\` again and review the new plan.` : "";
        throw new CliFailure(`${check.message}${details}`, EXIT.stalePlan);
      }
      if (hasBlockingIntents(plan)) return planExitCode([plan], false);
      if (!hasWork(plan)) {
        io.out(printable(plan));
        return EXIT.ok;
      }
      return execute({ plans: [{ plan, session: opened }], locks, parallelism: opts.parallelism, destroy: plan.destroyMode, json: opts.json === true, io, interrupts, planCommand });
    });
  } finally {
    interrupts.dispose();
    await closeAll(session ? [session] : []);
  }
}

const printable = (plan: Plan): string => (plan.destroyMode ? "No changes. No objects need to be destroyed." : "No changes. Your infrastructure matches the configuration.");

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === "" ? undefined : s);

/**
 * The configuration a saved plan was made from, wherever apply runs (DESIGN §4: only secrets needed):
 * at its recorded absolute path, else at the same relative place from where apply runs, as when the
 * apply job of a pipeline has its checkout in another folder than the plan job had. Whatever is found
 * must still hash as the plan's configuration (checkStale), so a look-alike is refused, not applied.
 */
async function loadFromContext(context: PlanContext, stack: string, cwd: string, io: Io, signal?: AbortSignal): Promise<DesiredStack> {
  const { kind, relative } = context.source;
  const exists = (at: string): boolean => existsSync(kind === "config" ? at : path.join(at, "cdktf.json"));
  // Each place with the folder the plan ran in, seen from there (relative paths in the configuration resolve against it).
  const places = [{ at: context.source.path, ranIn: context.cwd }, { at: path.resolve(cwd, relative), ranIn: cwd }];
  const found = places.find((p) => exists(p.at));
  if (found === undefined) {
    const what = kind === "config" ? `--config ${context.source.path}` : `the cdktf app in ${context.source.path}`;
    const here = kind === "config" ? `nor at ${relative} from here` : `and this folder has no cdktf.json`;
    throw new CliFailure(`the plan was made from ${what}, which no longer exists, ${here}: run apply where the plan's ${kind === "config" ? "configuration" : "app"} is, or pass --config with the configuration to check the plan against`);
  }
  return loadDesired(kind === "config" ? { cwd: found.ranIn, config: found.at, stack } : { cwd: found.at, stack }, io, signal);
}
