/**
 * Diagnostic and UNKNOWN constructors for kinds. The shapes are engine/plan contracts, imported as
 * types only so that runtime imports keep pointing down (engine → resources).
 */
import type { Address, Diagnostic } from "../engine/diagnostics";
import type { UNKNOWN } from "../engine/plan";

export const errorAt = (address: Address, summary: string, detail?: string): Diagnostic => ({
  severity: "error", address, summary, ...(detail ? { detail } : {}),
});

export const warningAt = (address: Address, summary: string, detail?: string): Diagnostic => ({
  severity: "warning", address, summary, ...(detail ? { detail } : {}),
});

/** The plan's "(known after apply)" marker. */
export const unknownValue: typeof UNKNOWN = { unknown: true };
