/**
 * `xsnap validate [--config PATH] [--stack S]`: loads and validates the configuration without
 * contacting any pool. Prints Terraform's success line or every diagnostic; exit 0 or 1.
 */
import type { Command } from "commander";
import { loadStack } from "../config";
import { renderDiagnostics } from "../render/text";
import { EXIT, type ExitCode } from "./exit-codes";
import { processIo, type Io } from "./io";
import { withPoolOptions } from "./options";

interface ValidateOptions {
  readonly config?: string;
  readonly stack?: string;
  readonly color: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command("validate").description("check the configuration against the schema, without contacting a pool");
  withPoolOptions(cmd).action(async (opts: ValidateOptions) => {
    setExit(await runValidate(opts, process.cwd(), processIo(opts)));
  });
}

export async function runValidate(opts: ValidateOptions, cwd: string, io: Io): Promise<ExitCode> {
  const loaded = await loadStack({ cwd, ...(opts.config !== undefined ? { config: opts.config } : {}), ...(opts.stack !== undefined ? { stack: opts.stack } : {}) });
  if (!loaded.ok) {
    io.err(renderDiagnostics(loaded.diagnostics, io.errPaint));
    return EXIT.error;
  }
  if (loaded.warnings.length > 0) io.err(renderDiagnostics(loaded.warnings, io.errPaint));
  io.out(io.paint.green(`${io.paint.bold("Success!")} The configuration is valid.`));
  return EXIT.ok;
}
