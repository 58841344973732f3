/**
 * The human plan: Terraform's grammar (reference/iac-conventions.md §1, §6.4) plus `!` revert and the
 * `Destructive:` line. Pure `Plan → string`; the CLI decides where it goes and which Paint to use.
 */
import { assertNever, formatDiagnostic, type Diagnostic, summarize, type Action, type Change, type Drift, type IntentResolution, type Plan } from "../model";
import { LEGEND_ORDER, headline, legend, reasonLine, symbol } from "./actions";
import { renderBody } from "./attrs";
import { plain, type Paint } from "./paint";

export const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";
const NO_CHANGES_DETAIL =
  "xsnap has compared the pool against your configuration and found no differences, so no changes are needed.";
const NO_DESTROY = "No changes. No objects need to be destroyed.";
export const NO_RESOURCE_CHANGES = "No changes to resources.";
const SETTLES = "The next apply settles what is listed above.";

/** Whether apply has bookkeeping to do beyond the changes: an interrupted apply's operations, records of deleted objects. */
export const settles = (plan: Plan): boolean => (plan.intents ?? []).length > 0 || (plan.forgotten ?? []).length > 0;
const RULE = "─".repeat(77);

/** The changes a reader sees: everything but no-ops, sorted by address as Terraform does. */
export function shownChanges(plan: Plan): Change[] {
  return plan.changes.filter((c) => c.action !== "no-op").sort((a, b) => a.address.localeCompare(b.address));
}

export interface TextOptions {
  /** Leave error diagnostics out (the CLI prints them on stderr); warnings stay with the plan. */
  readonly omitErrors?: boolean;
  /** Builds an `xsnap ...` command as the user would type it where they stand (with their --config). */
  readonly command?: (args: readonly string[]) => string;
}

export function renderPlanText(plan: Plan, paint: Paint = plain, options: TextOptions = {}): string {
  const shown = shownChanges(plan);
  const parts: string[] = [header(plan, paint)];
  if ((plan.intents ?? []).length > 0) parts.push(intentSection(plan.intents ?? [], paint, options.command ?? ((args) => ["xsnap", ...args].join(" "))));
  if ((plan.forgotten ?? []).length > 0) parts.push(forgottenSection(plan.forgotten ?? [], paint));
  if (shown.length === 0) {
    if (!plan.diagnostics.some((d) => d.severity === "error")) {
      // "No changes" only when apply has nothing to do: --detailed-exitcode says 2 while something above is left to settle.
      if (settles(plan)) parts.push(`${paint.bold(NO_RESOURCE_CHANGES)} ${SETTLES}`);
      else parts.push(plan.destroyMode ? paint.bold(paint.green(NO_DESTROY)) : `${paint.bold(paint.green(NO_CHANGES))}\n\n${NO_CHANGES_DETAIL}`);
    }
  } else {
    if (plan.drift.length > 0) parts.push(driftSection(plan.drift, paint));
    parts.push(legendBlock(plan, shown, paint));
    parts.push(...shown.map((c) => renderChange(c, paint)));
    parts.push(summaryLine(shown, paint));
    const destructive = destructiveLine(shown, paint);
    if (destructive !== "") parts[parts.length - 1] += `\n${destructive}`;
  }
  const diagnostics = options.omitErrors ? plan.diagnostics.filter((d) => d.severity !== "error") : plan.diagnostics;
  if (diagnostics.length > 0) parts.push(renderDiagnostics(diagnostics, paint));
  return `${parts.join("\n\n")}\n`;
}

/** Who and where: the stack, the pool, and a loud note when TLS is not verified. */
export function header(plan: Plan, paint: Paint = plain): string {
  const pool = plan.pool;
  const alias = plan.provider !== "default" ? ` (provider xapi.${plan.provider})` : "";
  const first = `Stack "${plan.stack}"${alias} on pool "${pool.name_label}" (${pool.uuid.slice(0, 8)}) at ${pool.url}` +
    (pool.xapi_version ? `, xapi ${pool.xapi_version}` : "");
  if (!pool.insecure) return first;
  return `${first}\n${paint.yellow("Warning: insecure = true: the pool's TLS certificate is not verified.")}`;
}

function legendBlock(plan: Plan, shown: readonly Change[], paint: Paint): string {
  const used = new Set<Action>(shown.map((c) => c.action));
  const lines = LEGEND_ORDER.filter((a) => used.has(a)).map((a) => legend(a, paint));
  const failed = plan.diagnostics.some((d) => d.severity === "error");
  return [
    `xsnap used pool "${plan.pool.name_label}" to generate the following execution plan. Resource actions are indicated with the following symbols:`,
    ...lines,
    "",
    failed ? "xsnap planned the following actions, but then encountered a problem:" : "xsnap will perform the following actions:",
  ].join("\n");
}

/** One `# addr will be ...` block. */
export function renderChange(change: Change, paint: Paint = plain): string {
  const lines = [`  ${paint.bold(`# ${headline(change, paint)}`)}`];
  const reason = reasonLine(change);
  if (reason) lines.push(`  ${paint.bold(`# ${reason}`)}`);
  for (const note of change.notes) lines.push(`  # ${note.startsWith("(") ? note : `(${note})`}`);
  const keyword = change.action === "read" ? "data" : "resource";
  lines.push(`${symbol(change.action, paint)} ${keyword} "${change.type}" "${change.name}" {`);
  lines.push(...renderBody({ action: change.action, before: change.before, after: change.after, forcing: forcingOf(change) }, paint));
  lines.push("    }");
  return lines.join("\n");
}

/**
 * Attributes that force a replacement: the change's `replacePaths` (Terraform's replace_paths). A plan
 * saved before xsnap recorded them names only the retake_token that changed.
 */
function forcingOf(change: Change): ReadonlySet<string> {
  if (change.replacePaths) return new Set(change.replacePaths);
  return new Set(change.reason === "retake_token_changed" ? ["retake_token"] : []);
}

/** Byte-compatible with Terraform's, so tfcmt and Atlantis parse it (reverts count as changes). */
export function summaryLine(changes: readonly Change[], paint: Paint = plain): string {
  const s = summarize(changes);
  return `${paint.bold("Plan:")} ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`;
}

/** `Destructive: 1 to destroy (a), 1 to revert (b).`, or "" when nothing is lost. */
export function destructiveLine(changes: readonly Change[], paint: Paint = plain): string {
  const groups: [Action, string][] = [["destroy", "to destroy"], ["replace", "to replace"], ["revert", "to revert"]];
  const parts = groups.flatMap(([action, words]) => {
    const addrs = changes.filter((c) => c.action === action).map((c) => c.address).sort();
    return addrs.length === 0 ? [] : [`${addrs.length} ${words} (${addrs.join(", ")})`];
  });
  return parts.length === 0 ? "" : paint.red(`${paint.bold("Destructive:")} ${parts.join(", ")}.`);
}

function driftSection(drift: readonly Drift[], paint: Paint): string {
  const blocks = [...drift].sort((a, b) => a.address.localeCompare(b.address)).map((d) => {
    const deleted = d.kind === "deleted";
    const action: Action = deleted ? "destroy" : "update";
    return [
      `  ${paint.bold(`# ${d.address} ${deleted ? "has been deleted" : "has changed"}`)}`,
      `${symbol(action, paint)} resource "${d.type}" "${d.name}" {`,
      ...renderBody({ action, before: d.before, after: d.after }, paint),
      "    }",
    ].join("\n");
  });
  return [
    paint.bold(paint.cyan("Note: Objects have changed outside of xsnap")),
    `xsnap detected the following changes made outside of xsnap since the last "xsnap apply" which may have affected this plan:`,
    ...blocks,
    "Unless you have made equivalent changes to your configuration, the following plan may include actions to undo or respond to these changes.",
    RULE,
  ].join("\n\n");
}

/** Leftovers of an interrupted apply and what this plan does with each (DESIGN §5 intents). */
function intentSection(intents: readonly IntentResolution[], paint: Paint, command: (args: readonly string[]) => string): string {
  const outcome = (i: IntentResolution): string => {
    switch (i.status) {
      case "done": return "finished; the record will be cleared";
      case "adopt": return "will be adopted";
      case "discard": return `will be discarded${i.cleanup && i.cleanup.length > 0 ? ` (and its disks destroyed: ${i.cleanup.map((d) => `"${d.name_label}" ${d.uuid}`).join(", ")})` : ""}${i.uninstall && i.uninstall.length > 0 ? ` (and ${i.uninstall.join(", ")} uninstalled with its disks)` : ""}`;
      case "ambiguous": return paint.red(`is AMBIGUOUS: run \`${command(["recover", "--adopt", i.id])}\` or \`${command(["recover", "--discard", i.id])}\``);
      default: return assertNever(i.status);
    }
  };
  const lines = intents.map((i) => {
    const candidates = i.candidates && i.candidates.length > 0 ? `\n      candidates: ${i.candidates.join(", ")}` : "";
    return `  # ${i.address}: ${i.op} started ${i.started} (intent ${i.id}) ${outcome(i)}\n      ${i.detail}${candidates}`;
  });
  return [paint.bold(paint.yellow("Pending operations from an interrupted apply:")), ...lines].join("\n");
}

function forgottenSection(addresses: readonly string[], paint: Paint): string {
  return [paint.bold("Deleted outside xsnap and gone from the configuration; apply drops xsnap's records of:"), ...addresses.map((a) => `  # ${a}`)].join("\n");
}

/** Errors in bold red, warnings in bold yellow, each naming its address. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], paint: Paint = plain): string {
  return diagnostics.map((d) => {
    const text = formatDiagnostic(d);
    const [first = "", ...rest] = text.split("\n");
    const colour = d.severity === "error" ? paint.red : paint.yellow;
    const label = d.severity === "error" ? "Error:" : "Warning:";
    return [colour(paint.bold(label)) + first.slice(label.length), ...rest].join("\n");
  }).join("\n\n");
}

/**
 * Terraform's next-step note; the CLI omits it under XSNAP_IN_AUTOMATION. `applyCommand` is the
 * fresh apply as the user would type it where they stand (with their --config / --stack).
 */
export function planFooter(outFile: string | undefined, applyCommand = "xsnap apply", pools = 1): string {
  if (!outFile && pools > 1) {
    // --out saves the plan of one pool (saved-plans.ts): do not recommend what would be refused.
    return `Note: a plan of ${pools} pools cannot be saved with --out (split the stack per pool to save plans); "${applyCommand}" plans again and asks before changing anything.`;
  }
  if (!outFile) {
    return `Note: You didn't use the --out option to save this plan, so xsnap can't guarantee to take exactly these actions if you run "${applyCommand}" now.`;
  }
  const arg = /^[\w./:@%+-]+$/.test(outFile) ? outFile : JSON.stringify(outFile);
  return `Saved the plan to: ${outFile}\n\nTo perform exactly these actions, run the following command to apply:\n    xsnap apply ${arg}`;
}
