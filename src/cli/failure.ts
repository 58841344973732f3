/**
 * The CLI edge (STYLE: typed exceptions at boundaries): every throw from a command ends here and
 * becomes one readable message and an exit code. User errors never show a stack; a bug does.
 */
import { formatDiagnostic, type Diagnostic } from "../model";
import { TransportError, XapiError } from "../xapi";
import { renderDiagnosticJson } from "../render/apply-events";
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

/** What a failure says, once: printed as text on stderr, and as JSON lines under `--json`. */
interface Failure {
  /** Set for configuration problems: each is printed with its address. */
  readonly diagnostics?: readonly Diagnostic[];
  /** One line after "Error: " (for diagnostics, their one-line forms). */
  readonly message: string;
  readonly code: ExitCode;
  /** Lines after the message (how to fix a TLS refusal). */
  readonly advice: readonly string[];
  /** A bug in xsnap: the message holds the stack so it can be reported. */
  readonly bug: boolean;
}

function classify(e: unknown): Failure {
  const plain = (message: string, code: ExitCode = EXIT.error, advice: readonly string[] = []): Failure => ({ message, code, advice, bug: false });
  if (e instanceof DiagnosticsFailure) return { ...plain(e.message, e.exitCode), diagnostics: e.diagnostics };
  if (e instanceof CliFailure) return plain(e.message, e.exitCode);
  if (e instanceof XapiError) return plain(`XAPI ${e.describe()}`);
  if (e instanceof TransportError) return plain(`cannot talk to the pool: ${e.message}`, EXIT.error, tlsAdvice(e));
  const sys = systemCode(e);
  if (sys && FILE_CODES.has(sys.code)) return plain(sys.message);
  // Anything else is a bug in xsnap: show the stack so it can be reported.
  return { message: e instanceof Error ? e.stack ?? e.message : String(e), code: EXIT.error, advice: [], bug: true };
}

/** Prints the failure and returns the exit code the command ends with. */
export function reportFailure(e: unknown, io: Io): ExitCode {
  const paint = io.errPaint;
  const f = classify(e);
  if (f.diagnostics) io.err(renderDiagnostics(f.diagnostics, paint));
  else io.err(`${paint.bold(paint.red(f.bug ? "Internal error (please report it):" : "Error:"))} ${f.message}`);
  for (const line of f.advice) io.err(line);
  return f.code;
}

/** The failure as Terraform's `-json` diagnostic lines, so a reader of `apply --json` sees why it ended. */
function failureJson(e: unknown, timestamp: string): string[] {
  const f = classify(e);
  const diagnostics = f.diagnostics ?? [{ severity: "error" as const, summary: f.bug ? `Internal error: ${f.message.split("\n")[0] ?? ""}` : f.message, detail: f.advice.join("\n") }];
  return diagnostics.map((d) => renderDiagnosticJson(d, timestamp));
}

/** Runs a command body and turns its outcome into the process exit code; `json`: failures also go to stdout as JSON lines. */
export async function runCommand(io: Io, setExit: (code: number) => void, body: () => Promise<ExitCode>, options: { readonly json?: boolean } = {}): Promise<void> {
  try {
    setExit(await body());
  } catch (e) {
    if (options.json) for (const line of failureJson(e, new Date().toISOString())) io.out(line);
    setExit(reportFailure(e, io));
  }
}
