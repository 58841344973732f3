/** `xsnap show PLANFILE`: a saved plan as text, Markdown (PR comment) or JSON; no pool access. */
import { Option, type Command } from "commander";
import { EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { processIo, type Io } from "./io";
import { PLAN_FORMATS, printPlans, type PlanFormat } from "./plan-output";
import { loadSavedPlan } from "./saved-plans";

interface ShowOptions {
  readonly format: PlanFormat;
  readonly color: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  program.command("show <planfile>").description("print a saved plan (xsnap plan --out FILE)")
    .addOption(new Option("--format <format>", "output format").choices(PLAN_FORMATS).default("text"))
    .option("--no-color", "no colour in the output (also NO_COLOR, or when not a terminal)")
    .action(async (planfile: string, opts: ShowOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runShow(planfile, opts, io));
    });
}

async function runShow(file: string, opts: ShowOptions, io: Io): Promise<ExitCode> {
  const plan = await loadSavedPlan(file);
  printPlans([plan], opts.format, io, { planFile: file });
  return EXIT.ok;
}
