/**
 * The CLI edge (STYLE: typed exceptions at boundaries): every throw from a command ends here and
 * becomes one readable message and an exit code. User errors never show a stack; a bug does.
 */
import { formatDiagnostic, type Diagnostic } from "../model";
import { TransportError, XapiError } from "../xapi";
import { renderDiagnostics } from "../render/text";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import type { Io } from "./io";
import { tlsAdvice } from "./tls-advice";

/** Diagnostics that stop a command; printed in full, each with its address. */
export class DiagnosticsFailure extends CliFailure {
  constructor(readonly diagnostics: readonly Diagnostic[], exitCode: ExitCode = EXIT.error) {
    super(diagnostics.map((d) => formatDiagnostic(d)).join("\n"), exitCode);
  }
}

const FILE_CODES = new Set(["ENOENT", "EACCES", "EISDIR", "ENOTDIR", "EEXIST", "EROFS", "ENOSPC"]);

interface SystemErrorLike { readonly code: string; readonly message: string }
const systemCode = (e: unknown): SystemErrorLike | undefined =>
  e instanceof Error && typeof (e as { code?: unknown }).code === "string" ? (e as Error & SystemErrorLike) : undefined;

/** Prints the failure and returns the exit code the command ends with. */
export function reportFailure(e: unknown, io: Io): ExitCode {
  const paint = io.errPaint;
  if (e instanceof DiagnosticsFailure) {
    io.err(renderDiagnostics(e.diagnostics, paint));
    return e.exitCode;
  }
  if (e instanceof CliFailure) {
    io.err(`${paint.bold(paint.red("Error:"))} ${e.message}`);
    return e.exitCode;
  }
  if (e instanceof XapiError) {
    io.err(`${paint.bold(paint.red("Error:"))} XAPI ${e.describe()}`);
    return EXIT.error;
  }
  if (e instanceof TransportError) {
    io.err(`${paint.bold(paint.red("Error:"))} cannot talk to the pool: ${e.message}`);
    for (const line of tlsAdvice(e)) io.err(line);
    return EXIT.error;
  }
  const sys = systemCode(e);
  if (sys && FILE_CODES.has(sys.code)) {
    io.err(`${paint.bold(paint.red("Error:"))} ${sys.message}`);
    return EXIT.error;
  }
  // Anything else is a bug in xsnap: show the stack so it can be reported.
  io.err(`${paint.bold(paint.red("Internal error (please report it):"))} ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  return EXIT.error;
}

/** Runs a command body and turns its outcome into the process exit code. */
export async function runCommand(io: Io, setExit: (code: number) => void, body: () => Promise<ExitCode>): Promise<void> {
  try {
    setExit(await body());
  } catch (e) {
    setExit(reportFailure(e, io));
  }
}
