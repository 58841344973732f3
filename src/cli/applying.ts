/**
 * What apply and destroy share: run approved plans against their pools, print progress, end with
 * Terraform's report, and choose the exit code (DESIGN §4: 0 / 1 / 5 / 6 / 7).
 */
import { applyPlans, type HeldLock } from "../engine";
import type { Address, ApplyEvent, ApplyReport, Plan } from "../model";
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
  /** `xsnap plan` as the user would type it where they stand, for "see what remains". */
  readonly planCommand: string;
}

export async function execute(x: Execution): Promise<ExitCode> {
  const { io } = x;
  const now = (): string => new Date().toISOString();
  x.interrupts.mutating();
  if (!x.json) io.out("");
  const showProgress = progressFilter(io.outIsTTY);
  // One apply over every pool: a step may wait for another pool's step (export → import).
  const report = await applyPlans({
    sections: x.plans.map(({ plan, session }) => {
      const lock = x.locks.get(session.alias);
      return { plan, client: session.client, ...(lock ? { lockId: lock.info.id } : {}) };
    }),
    parallelism: x.parallelism, signal: x.interrupts.signal,
    onEvent: (event) => {
      if (x.json) io.out(renderApplyEventJson(event, now()));
      else if (showProgress(event)) io.out(renderApplyEvent(event, io.paint));
    },
  });
  const options = { destroy: x.destroy, planCommand: x.planCommand };
  io.out(x.json ? renderApplyReportJson(report, now(), options) : `\n${renderApplyReport(report, options, io.paint)}`);
  return applyExitCode(report, x.interrupts.interrupted());
}

/**
 * DESIGN §4: task progress on a terminal, only the periodic `Still creating... [10s elapsed]` lines
 * elsewhere. On a terminal a step's percentage is shown each time it moves by 10 points.
 */
function progressFilter(tty: boolean): (event: ApplyEvent) => boolean {
  const shown = new Map<string, number>();
  return (event) => {
    if (event.type !== "progress" || event.fraction === undefined) return true;
    if (!tty || event.fraction >= 1) return false;
    const last = shown.get(event.address) ?? 0;
    if (event.fraction - last < 0.1) return false;
    shown.set(event.address, event.fraction);
    return true;
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
