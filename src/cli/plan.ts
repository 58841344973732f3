/** `xsnap plan`: what apply would change, as text, Markdown or JSON; optionally saved with --out. */
import { Option, type Command } from "commander";
import * as path from "node:path";
import type { Plan, PlanContext } from "../model";
import { planFooter } from "../render/text";
import type { ConnectionSettings } from "./connection";
import { xsnapCommand } from "./hints";
import type { ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { inAutomation, processIo, type Io } from "./io";
import { withPlanOptions, type PlanFlags } from "./options";
import { PLAN_FORMATS, hasWork, planExitCode, printPlans, type PlanFormat } from "./plan-output";
import { loadDesired, openPools, planPools, type StackFlags } from "./planning";
import { closeAll } from "./pools";
import { installInterrupts, interruptible } from "./interrupts";
import { savePlans } from "./saved-plans";
import { withStackLock } from "./locking";

export interface PlanCommandOptions extends PlanFlags {
  readonly out?: string;
  readonly detailedExitcode?: boolean;
  readonly format: PlanFormat;
}

export function register(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command("plan").description("show what apply would change in the pool");
  withPlanOptions(cmd, { destroyMode: false })
    .option("--out <file>", "save the plan; `xsnap apply FILE` then performs exactly it")
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error")
    .addOption(new Option("--format <format>", "output format").choices(PLAN_FORMATS).default("text"))
    .option("--lock", "hold the pool lock while planning (plan does not lock by default)")
    .action(async (opts: PlanCommandOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runPlan(opts, io));
    });
}

export async function runPlan(opts: PlanCommandOptions, io: Io): Promise<ExitCode> {
  // Installed first: an interrupt while the app runs, while logging in or reading ends the plan at once, exit 7.
  const interrupts = installInterrupts(io);
  const { signal } = interrupts;
  const planning = "Planning interrupted";
  try {
    const stack = await interruptible(signal, planning, () => loadDesired(opts, io, signal));
    const sessions = await interruptible(signal, planning, () => openPools(stack, io), closeAll);
    try {
      const cwd = opts.cwd ?? process.cwd();
      const plans: Plan[] = await withStackLock({ sessions, stack: stack.stack, operation: "plan", enabled: opts.lock === true, timeoutMs: opts.lockTimeout, io, hint: opts, signal },
        async () => (await interruptible(signal, planning, () => planPools(stack, sessions, opts, signal))).map((p) => ({ ...p.plan, context: planContext(opts, cwd, p.session.settings) })));
      const code = planExitCode(plans, opts.detailedExitcode === true);
      const saved = opts.out !== undefined && code !== 1 ? opts.out : undefined;
      if (saved !== undefined) await savePlans(saved, plans);
      printPlans(plans, opts.format, io, { ...(saved ? { planFile: saved } : {}), hint: opts });
      if (opts.format === "text" && !inAutomation(io.env) && plans.some(hasWork) && code !== 1) {
        io.out(`\n${planFooter(saved, xsnapCommand(["apply", ...(opts.destroy ? ["--destroy"] : [])], opts), plans.length)}`);
      }
      return code;
    } finally {
      await closeAll(sessions);
    }
  } finally {
    interrupts.dispose();
  }
}

/** What a saved plan records so that `apply PLANFILE` needs only the secrets (engine/plan.ts PlanContext). */
export function planContext(flags: StackFlags, cwd: string, settings: ConnectionSettings): PlanContext {
  const source: PlanContext["source"] = flags.config !== undefined
    ? { kind: "config", path: path.resolve(cwd, flags.config), relative: path.relative(cwd, path.resolve(cwd, flags.config)) || "." }
    : { kind: "app", path: cwd, relative: "." };
  return {
    cwd, source, ...(flags.stack !== undefined ? { stackFlag: flags.stack } : {}),
    connection: { url: settings.url, username: settings.username, passwordEnv: settings.passwordEnv },
  };
}
