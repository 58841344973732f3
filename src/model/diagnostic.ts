/**
 * Problems are values (STYLE: zod / tfdiags). Config validation, kind diffs and preflight all
 * return Diagnostics; only the CLI turns them into text and exit codes.
 */
import type { Address } from "./address";

export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly severity: Severity;
  /** Every config or preflight problem names its resource (e.g. `xapi_snapshot.web_pre_upgrade`). */
  readonly address?: Address;
  /** One line, user-facing, says what is wrong and, where possible, the fix. */
  readonly summary: string;
  /** Optional longer explanation (candidates of an ambiguous VM, VDIs, ...). */
  readonly detail?: string;
}

export const error = (summary: string, address?: Address, detail?: string): Diagnostic => ({
  severity: "error", summary, ...(address ? { address } : {}), ...(detail ? { detail } : {}),
});
export const warning = (summary: string, address?: Address, detail?: string): Diagnostic => ({
  severity: "warning", summary, ...(address ? { address } : {}), ...(detail ? { detail } : {}),
});
/** The forms kinds use: every finding of a kind names its address. */
export const errorAt = (address: Address, summary: string, detail?: string): Diagnostic => error(summary, address, detail);
export const warningAt = (address: Address, summary: string, detail?: string): Diagnostic => warning(summary, address, detail);
export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === "error");

/** `xapi_snapshot.x: message` — the one-line form used in CLI output and tests. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.severity === "error" ? "Error" : "Warning"}: ${d.address ? `${d.address}: ` : ""}${d.summary}`;
  return d.detail ? `${head}\n${d.detail.replace(/^/gm, "  ")}` : head;
}

/** A value or every problem found on the way (STYLE: zod's safeParse); warnings travel with a value. */
export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Ok when `diagnostics` holds no error (its warnings ride along), else every diagnostic. */
export const resultOf = <T>(value: T, diagnostics: readonly Diagnostic[]): Result<T> =>
  hasErrors(diagnostics) ? { ok: false, diagnostics } : { ok: true, value, warnings: diagnostics };
