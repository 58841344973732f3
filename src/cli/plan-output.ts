/** How plan, show, apply and destroy print plans and decide their exit code. */
import { hasErrors, hasBlockingIntents, type Plan } from "../model";
import { stackDocument } from "../render/json";
import { renderPlanMarkdown } from "../render/markdown";
import { renderDiagnostics, renderPlanText, shownChanges } from "../render/text";
import { EXIT, type ExitCode } from "./exit-codes";
import { xsnapCommand, type HintFlags } from "./hints";
import type { Io } from "./io";

export type PlanFormat = "text" | "markdown" | "json";
export const PLAN_FORMATS: readonly PlanFormat[] = ["text", "markdown", "json"];

/** Whether applying the plan would do anything: changes, intents to settle, registry entries to drop. */
export function hasWork(plan: Plan): boolean {
  return shownChanges(plan).length > 0 || (plan.intents ?? []).length > 0 || (plan.forgotten ?? []).length > 0;
}

/** Prints the plans in the chosen format. JSON goes alone to stdout; its diagnostics also go to stderr. */
export function printPlans(plans: readonly Plan[], format: PlanFormat, io: Io, options: { readonly planFile?: string; readonly hint?: HintFlags } = {}): void {
  switch (format) {
    case "text": {
      const command = (args: readonly string[]): string => xsnapCommand(args, options.hint ?? {});
      io.out(plans.map((p) => renderPlanText(p, io.paint, { omitErrors: true, command })).join("\n"));
      const errors = plans.flatMap((p) => p.diagnostics.filter((d) => d.severity === "error"));
      if (errors.length > 0) io.err(renderDiagnostics(errors, io.errPaint));
      return;
    }
    case "markdown":
      io.out(plans.map((p) => renderPlanMarkdown(p, options.planFile ? { planFile: options.planFile } : {})).join("\n"));
      return;
    case "json": {
      io.out(JSON.stringify(stackDocument(plans), null, 2));
      const diagnostics = plans.flatMap((p) => p.diagnostics);
      if (diagnostics.length > 0) io.err(renderDiagnostics(diagnostics, io.errPaint));
      return;
    }
  }
}

/** DESIGN §4: 1 on any error, 6 when an interrupted apply left something ambiguous, 2 for changes (opt-in). */
export function planExitCode(plans: readonly Plan[], detailed: boolean): ExitCode {
  if (plans.some((p) => hasErrors(p.diagnostics))) return EXIT.error;
  if (plans.some(hasBlockingIntents)) return EXIT.unresolvedIntents;
  if (detailed && plans.some(hasWork)) return EXIT.changes;
  return EXIT.ok;
}
