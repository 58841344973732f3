/**
 * Apply progress and the final report in Terraform's words (views/hook_ui.go): `addr: Creating...`,
 * `Still creating... [10s elapsed]`, `Creation complete after 3s [uuid=...]`, `Apply complete! ...`.
 */
import { assertNever, formatBytes, type Action, type ApplyEvent, type ApplyReport, type Diagnostic } from "../model";
import { verbs } from "./actions";
import { plain, type Paint } from "./paint";

const seconds = (s: number): string => `${Math.round(s)}s`;

export function renderApplyEvent(event: ApplyEvent, paint: Paint = plain): string {
  const addr = paint.bold(event.address);
  switch (event.type) {
    case "start":
      return `${addr}: ${verbs(event.action).doing}...${event.task ? ` [task=${event.task}]` : ""}`;
    case "progress": {
      const pct = event.fraction === undefined ? "" : `, ${Math.round(event.fraction * 100)}%`;
      const moved = event.bytes === undefined ? "" : `, ${formatBytes(event.bytes)}`;
      return `${addr}: Still ${verbs(event.action).still}... [${seconds(event.elapsedSeconds)} elapsed${pct}${moved}]`;
    }
    case "complete":
      return `${addr}: ${verbs(event.action).done} after ${seconds(event.elapsedSeconds)}${event.uuid ? ` [uuid=${event.uuid}]` : ""}`;
    case "retry":
      return `${addr}: ${paint.yellow(`${event.code}, retrying in ${event.delaySeconds}s (attempt ${event.attempt} of ${event.max})...`)}`;
    case "errored":
      return `${addr}: ${paint.red(`${verbs(event.action).failed}: ${event.message}`)}`;
    case "skipped":
      return `${addr}: ${paint.yellow(`Skipped (${event.because})`)}`;
    default:
      return assertNever(event);
  }
}

interface Counts { readonly added: number; readonly changed: number; readonly destroyed: number }

function count(applied: ApplyReport["applied"]): Counts {
  let added = 0, changed = 0, destroyed = 0;
  for (const { action } of applied) {
    const a: Action = action;
    if (a === "create") added++;
    else if (a === "update" || a === "revert") changed++;
    else if (a === "destroy") destroyed++;
    else if (a === "replace") { added++; destroyed++; }
  }
  return { added, changed, destroyed };
}

/**
 * `Apply complete! Resources: 1 added, 0 changed, 0 destroyed.` (`Destroy complete! Resources: N destroyed.`
 * for `xsnap destroy`), or `Apply incomplete! ...; 1 failed, 2 skipped.` followed by what failed and why.
 */
export function renderApplyReport(report: ApplyReport, options: { readonly destroy?: boolean; readonly planCommand?: string } = {}, paint: Paint = plain): string {
  const c = count(report.applied);
  const resources = options.destroy ? `${c.destroyed} destroyed` : `${c.added} added, ${c.changed} changed, ${c.destroyed} destroyed`;
  const verb = options.destroy ? "Destroy" : "Apply";
  if (report.failed.length === 0 && report.skipped.length === 0) {
    return `${paint.bold(paint.green(`${verb} complete! Resources: ${resources}.`))}\n`;
  }
  const lines = [
    paint.bold(paint.red(`${verb} incomplete! Resources: ${resources}; ${report.failed.length} failed, ${report.skipped.length} skipped.`)),
  ];
  if (report.failed.length > 0) lines.push("", "Failed:", ...report.failed.map((f) => `  - ${f.address}: ${f.message}`));
  if (report.skipped.length > 0) lines.push("", "Skipped:", ...report.skipped.map((s) => `  - ${s.address}: ${s.because}`));
  if (report.applied.length > 0) lines.push("", "Applied:", ...report.applied.map((a) => `  - ${a.address} (${a.action})`));
  lines.push("", `Run \`${options.planCommand ?? "xsnap plan"}\` to see what remains; the next apply continues from here.`);
  return `${lines.join("\n")}\n`;
}

/** Terraform's machine-readable UI types (views/json/message_types.go), plus apply_retry and apply_skipped. */
const JSON_TYPE: Readonly<Record<ApplyEvent["type"], string>> = {
  start: "apply_start", progress: "apply_progress", complete: "apply_complete",
  retry: "apply_retry", errored: "apply_errored", skipped: "apply_skipped",
};

/** One line of `apply --json`: Terraform's common keys, the human message, and the event's fields. */
export function renderApplyEventJson(event: ApplyEvent, timestamp: string): string {
  const level = event.type === "errored" ? "error" : event.type === "retry" || event.type === "skipped" ? "warn" : "info";
  const { type: _type, address, ...fields } = event;
  return JSON.stringify({
    "@level": level, "@message": renderApplyEvent(event), "@module": "xsnap.ui", "@timestamp": timestamp,
    type: JSON_TYPE[event.type], hook: { resource: address, ...fields },
  });
}

/** Terraform's `-json` `diagnostic` message: why a run ended before (or instead of) its changes. */
export function renderDiagnosticJson(d: Diagnostic, timestamp: string): string {
  const label = d.severity === "error" ? "Error" : "Warning";
  return JSON.stringify({
    "@level": d.severity === "error" ? "error" : "warn", "@message": `${label}: ${d.summary}`, "@module": "xsnap.ui", "@timestamp": timestamp,
    type: "diagnostic",
    diagnostic: { severity: d.severity, summary: d.summary, detail: d.detail ?? "", ...(d.address ? { address: d.address } : {}) },
  });
}

/** The closing `change_summary` line of `apply --json`. */
export function renderApplyReportJson(report: ApplyReport, timestamp: string, options: { readonly destroy?: boolean } = {}): string {
  const c = count(report.applied);
  return JSON.stringify({
    "@level": report.failed.length + report.skipped.length > 0 ? "error" : "info",
    "@message": renderApplyReport(report, options).split("\n")[0], "@module": "xsnap.ui", "@timestamp": timestamp,
    type: "change_summary",
    changes: { add: c.added, change: c.changed, remove: c.destroyed, operation: options.destroy ? "destroy" : "apply",
      failed: report.failed, skipped: report.skipped },
  });
}
