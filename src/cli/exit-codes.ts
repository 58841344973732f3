/**
 * Exit codes (DESIGN §4): stable, documented in the README, relied on by CI scripts. 0–2 are
 * Terraform's; 3–7 give automation one class per failure it must handle differently.
 */
export const EXIT = {
  ok: 0,
  /** Invalid config, XAPI or auth error, preflight failure, protect violation. */
  error: 1,
  /** `plan --detailed-exitcode` only: the plan has changes. */
  changes: 2,
  lockNotAcquired: 3,
  /** Saved plan is stale or was made for another pool. */
  stalePlan: 4,
  /** Something was applied and something failed or was skipped. */
  applyIncomplete: 5,
  /** Intents left by an interrupted apply need `xsnap recover`. */
  unresolvedIntents: 6,
  /** Cancelled (prompt declined, interrupted) before any change. */
  cancelled: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A user-facing failure the CLI reports as text plus an exit code; never shown with a stack. */
export class CliFailure extends Error {
  override readonly name = "CliFailure";
  constructor(message: string, readonly exitCode: ExitCode = EXIT.error) {
    super(message);
  }
}
