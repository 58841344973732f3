/**
 * What apply and destroy share: run approved plans against their pools, print progress, end with
 * Terraform's report, and choose the exit code (DESIGN §4: 0 / 1 / 5 / 6 / 7).
 */
import { applyPlan, type HeldLock } from "../engine";
import type { Address } from "../engine/diagnostics";
import type { ApplyReport, Plan } from "../engine/plan";
import { renderApplyEvent, renderApplyEventJson, renderApplyReport, renderApplyReportJson } from "../render/apply-events";
import { EXIT, type ExitCode } from "./exit-codes";
import type { Interrupts } from "./interrupts";
import type { Io } from "./io";
import type { PoolSession } from "./pools";

export interface Execution {
  readonly plans: readonly { readonly plan: Plan; readonly session: PoolSession }[];
  readonly locks: ReadonlyMap<string, HeldLock>;
  readonly parallelism: number;
  readonly destroy: boolean;
  /** `--json`: one JSON object per line instead of text. */
  readonly json: boolean;
  readonly io: Io;
  readonly interrupts: Interrupts;
}

export async function execute(x: Execution): Promise<ExitCode> {
  const { io } = x;
  const now = (): string => new Date().toISOString();
  x.interrupts.mutating();
  if (!x.json) io.out("");
  const reports = await Promise.all(x.plans.map(({ plan, session }) => {
    const lock = x.locks.get(session.alias);
    return applyPlan({
      plan, client: session.client, parallelism: x.parallelism, signal: x.interrupts.signal,
      ...(lock ? { lockId: lock.info.id } : {}),
      onEvent: (event) => io.out(x.json ? renderApplyEventJson(event, now()) : renderApplyEvent(event, io.paint)),
    });
  }));
  const report = merge(reports);
  const options = { destroy: x.destroy };
  io.out(x.json ? renderApplyReportJson(report, now(), options) : `\n${renderApplyReport(report, options, io.paint)}`);
  return applyExitCode(report, x.interrupts.interrupted());
}

function merge(reports: readonly ApplyReport[]): ApplyReport {
  return {
    applied: reports.flatMap((r) => r.applied),
    failed: reports.flatMap((r) => r.failed),
    skipped: reports.flatMap((r) => r.skipped),
  };
}

/**
 * 0 all applied; 5 something applied and something failed or was skipped; with nothing applied:
 * 7 when interrupted, 1 when a change failed, 6 when an ambiguous intent held everything back.
 */
export function applyExitCode(report: ApplyReport, interrupted: boolean): ExitCode {
  if (report.failed.length === 0 && report.skipped.length === 0) return EXIT.ok;
  if (report.applied.length > 0) return EXIT.applyIncomplete;
  if (interrupted) return EXIT.cancelled;
  if (report.failed.length > 0) return EXIT.error;
  return EXIT.unresolvedIntents;
}

export const destructiveAddresses = (plans: readonly Plan[]): Address[] =>
  plans.flatMap((p) => p.changes.filter((c) => c.action === "destroy" || c.action === "replace" || c.action === "revert").map((c) => c.address));
