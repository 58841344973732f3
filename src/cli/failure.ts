/**
 * The CLI edge (STYLE: typed exceptions at boundaries): every throw from a command ends here and
 * becomes one readable message and an exit code. User errors never show a stack; a bug does.
 */
import { formatDiagnostic, type Diagnostic } from "../engine/diagnostics";
import { xapiCode } from "../resources/client";
import { renderDiagnostics } from "../render/text";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import type { Io } from "./io";

/** Diagnostics that stop a command; printed in full, each with its address. */
export class DiagnosticsFailure extends CliFailure {
  constructor(readonly diagnostics: readonly Diagnostic[], exitCode: ExitCode = EXIT.error) {
    super(diagnostics.map((d) => formatDiagnostic(d)).join("\n"), exitCode);
  }
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN", "EPIPE",
  "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ERR_TLS_CERT_ALTNAME_INVALID"]);
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
  const code = xapiCode(e);
  if (code !== undefined) {
    const x = e as { readonly params: readonly string[]; readonly method?: string; readonly hint?: string };
    const where = x.method ? ` (${x.method})` : "";
    const hint = typeof x.hint === "string" && x.hint !== "" ? `\n  ${x.hint}` : "";
    io.err(`${paint.bold(paint.red("Error:"))} XAPI ${code}(${x.params.join(", ")})${where}${hint}`);
    return EXIT.error;
  }
  const sys = systemCode(e);
  if (sys && (NETWORK_CODES.has(sys.code) || FILE_CODES.has(sys.code))) {
    const what = NETWORK_CODES.has(sys.code) ? "cannot talk to the pool" : "file error";
    io.err(`${paint.bold(paint.red("Error:"))} ${what}: ${sys.message}`);
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
