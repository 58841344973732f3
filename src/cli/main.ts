/**
 * CLI entry point: a commander program with one file per command (DESIGN §4). Each command module
 * exports `register(program)`; this file only wires them up and returns the exit code.
 */
import { Command } from "commander";
import { register as registerApply } from "./apply";
import { register as registerDemo } from "./demo";
import { register as registerDestroy } from "./destroy";
import { register as registerExport } from "./export";
import { register as registerForget } from "./forget";
import { register as registerImport } from "./import";
import { register as registerInventory } from "./inventory";
import { register as registerLock } from "./lock";
import { register as registerPlan } from "./plan";
import { register as registerRecover } from "./recover";
import { register as registerRestore } from "./restore";
import { register as registerShow } from "./show";
import { register as registerSim } from "./sim";
import { register as registerSynth } from "./synth";
import { register as registerValidate } from "./validate";
import { addExamples } from "./help-text";
import { watchOutput } from "./io";
import { VERSION } from "../version";

type Register = (program: Command, setExit: (code: number) => void) => void;

// One line per command module; keep the list sorted.
const commands: readonly Register[] = [
  registerApply,
  registerDemo,
  registerDestroy,
  registerExport,
  registerForget,
  registerImport,
  registerInventory,
  registerLock,
  registerPlan,
  registerRecover,
  registerRestore,
  registerShow,
  registerSim,
  registerSynth,
  registerValidate,
];

/** The whole command tree, unparsed: what `main` runs and what `npm run docs` documents. */
export function buildProgram(setExit: (code: number) => void = () => undefined): Command {
  const program = new Command("xsnap")
    .description("XenServer / XCP-ng snapshots, checkpoints, templates, exports and schedules as code")
    .version(VERSION)
    .exitOverride();
  for (const register of commands) register(program, setExit);
  pointToHelp(program, "xsnap");
  addExamples(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  // Before anything is written: help piped into `head -1` must end quietly, not with an EPIPE stack.
  watchOutput();
  let exitCode = 0;
  const program = buildProgram((code) => { exitCode = code; });
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (typeof code === "number") return code === 0 ? 0 : 1; // commander already printed usage/help
    throw e;
  }
  return exitCode;
}

/**
 * A usage error (unknown command or option, bad value) prints commander's one-line error and where
 * the help is, not the whole help (DESIGN §4 small print): `see xsnap plan --help`.
 */
function pointToHelp(cmd: Command, path: string): void {
  cmd.showHelpAfterError(`see ${path} --help`);
  for (const sub of cmd.commands) pointToHelp(sub, `${path} ${sub.name()}`);
}
