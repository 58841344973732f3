/**
 * `xsnap synth`: runs the cdktf app named by ./cdktf.json into its output folder (cdktf.out), like
 * `cdktf synth` but without cdktf-cli or terraform. `plan` and friends do this on their own.
 */
import type { Command } from "commander";
import * as path from "path";
import { synthApp } from "../config";
import { renderDiagnostics } from "../render/text";
import { EXIT, type ExitCode } from "./exit-codes";
import { processIo, type Io } from "./io";

interface SynthOptions {
  readonly output?: string;
  readonly color: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  program.command("synth")
    .description("run the cdktf app from ./cdktf.json and write its Terraform JSON (default folder: cdktf.out)")
    .option("--output <dir>", "folder to synthesize into (default: cdktf.json's output, CDKTF_OUTDIR or cdktf.out)")
    .option("--no-color", "no colour in the output (also NO_COLOR, or when not a terminal)")
    .action(async (opts: SynthOptions) => {
      setExit(await runSynth(opts, process.cwd(), processIo(opts)));
    });
}

export async function runSynth(opts: SynthOptions, cwd: string, io: Io): Promise<ExitCode> {
  const result = await synthApp({ cwd, ...(opts.output !== undefined ? { outdir: opts.output } : {}) });
  if (!result.ok) {
    io.err(renderDiagnostics(result.diagnostics, io.errPaint));
    return EXIT.error;
  }
  if (result.value.output.trim() !== "") io.err(result.value.output.trimEnd());
  io.out(`Synthesized into ${path.relative(cwd, result.value.outdir) || "."}`);
  return EXIT.ok;
}
