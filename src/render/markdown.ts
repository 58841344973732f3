/**
 * The plan as a PR comment (reference/iac-conventions.md §6.5): a hidden marker so a bot can update
 * its comment in place, destructive rows first, the full diff collapsed, and a size guard that only
 * ever shortens the collapsed diff (GitHub rejects comments over 65,536 characters).
 */
import { isUnknown, summarize, type Change, type Plan } from "../model";
import { formatValue } from "./attrs";
import { plain } from "./paint";
import { NO_RESOURCE_CHANGES, renderChange, settles, shownChanges } from "./text";

export const MARKDOWN_LIMIT = 60_000;
export const MARKDOWN_NO_CHANGES = "✅ No changes. Your infrastructure matches the configuration.";

export interface MarkdownOptions {
  /** Saved plan file the comment refers to: named in the footer with the apply command. */
  readonly planFile?: string;
  /** Overrides the 60,000-character guard (tests). */
  readonly limit?: number;
}

export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const shown = orderForReview(shownChanges(plan));
  const marker = `<!-- xsnap:plan stack=${plan.stack} pool=${plan.pool.uuid} -->`;
  if (shown.length === 0 && plan.diagnostics.length === 0 && !settles(plan)) return `${marker}\n${MARKDOWN_NO_CHANGES}\n`;
  const s = summarize(shown);
  const head = [
    marker,
    `## xsnap plan: \`${plan.stack}\` on \`${plan.pool.name_label}\`: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy`,
    ...(plan.pool.insecure ? ["", "> [!NOTE]", "> `insecure = true`: the pool's TLS certificate is not verified."] : []),
    ...destructiveWarning(shown),
    ...(shown.length > 0 ? ["", table(shown)] : []),
    ...diagnosticsList(plan),
    ...settlingList(plan),
    ...driftDetails(plan),
  ].join("\n");
  const tail = footer(plan, options.planFile);
  if (shown.length === 0) return `${head}\n\n${tail}\n`;
  const open = `<details><summary>Full plan (${shown.length} change${shown.length === 1 ? "" : "s"})</summary>\n\n\`\`\`diff\n`;
  const close = "```\n</details>";
  const budget = (options.limit ?? MARKDOWN_LIMIT) - head.length - tail.length - open.length - close.length - 8;
  const diff = guard(shown.map((c) => toDiffMarkers(renderChange(c, plain))).join("\n\n") + "\n", budget);
  return `${head}\n\n${open}${diff}${close}\n\n${tail}\n`;
}

/** Destroy, replace and revert rows come first so a reviewer cannot miss them. */
function orderForReview(changes: readonly Change[]): Change[] {
  const rank = (c: Change): number => (c.action === "revert" ? 0 : c.action === "destroy" ? 1 : c.action === "replace" ? 2 : 3);
  return [...changes].sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
}

function destructiveWarning(shown: readonly Change[]): string[] {
  const count = (a: Change["action"]): number => shown.filter((c) => c.action === a).length;
  const parts = ([["destroy", "destroy"], ["replace", "replace"], ["revert", "revert"]] as const)
    .filter(([a]) => count(a) > 0).map(([a, w]) => `${count(a)} ${w}`);
  if (parts.length === 0) return [];
  const revertNote = count("revert") > 0 ? " VM state written after the snapshot is discarded on revert." : "";
  return ["", "> [!WARNING]", `> **Destructive changes:** ${parts.join(", ")}.${revertNote}`];
}

const SYMBOL: Readonly<Record<Change["action"], string>> = {
  create: "+", destroy: "-", update: "~", replace: "-/+", revert: "!", read: "<=", "no-op": " ",
};

function table(shown: readonly Change[]): string {
  const rows = shown.map((c) => `| \`${SYMBOL[c.action]}\` | ${c.action} | \`${c.address}\` | ${cell(describe(c))} |`);
  return ["| | Action | Address | Object |", "|---|---|---|---|", ...rows].join("\n");
}

/** One line about the object: its name, what changes, and the first note (point in time, disks). */
function describe(c: Change): string {
  if (c.action === "update" || c.action === "revert") {
    const before = c.before ?? {};
    const after = c.after ?? {};
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k]) && !isUnknown(after[k]));
    const what = changed.sort().map((k) => `${k} ${formatValue(before[k])} → ${formatValue(after[k])}`).join("; ");
    return [what, c.notes[0]].filter((x) => x).join(" — ");
  }
  const attrs = c.after ?? c.before ?? {};
  const name = typeof attrs.name_label === "string" ? `"${attrs.name_label}"` : "";
  return [name, c.notes[0] ? `(${c.notes[0].replace(/^\((.*)\)$/, "$1")})` : ""].filter((x) => x).join(" ");
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function diagnosticsList(plan: Plan): string[] {
  if (plan.diagnostics.length === 0) return [];
  return ["", ...plan.diagnostics.map((d) => `- **${d.severity === "error" ? "Error" : "Warning"}:** ${d.address ? `\`${d.address}\`: ` : ""}${cell(d.summary)}`)];
}

/** What apply settles besides the changes (text.ts lists the same), so "0 to add" is never read as "nothing to do". */
function settlingList(plan: Plan): string[] {
  if (!settles(plan)) return [];
  const intents = (plan.intents ?? []).map((i) => `- Pending \`${i.op}\` of \`${i.address}\` from an interrupted apply (intent ${i.id}): ${i.status === "ambiguous" ? "**ambiguous**, settle it with `xsnap recover`" : i.status}`);
  const forgotten = (plan.forgotten ?? []).map((a) => `- \`${a}\`: deleted outside xsnap; apply drops xsnap's record of it`);
  const lead = shownChanges(plan).length === 0 ? `${NO_RESOURCE_CHANGES} The next apply settles:` : "The next apply also settles:";
  return ["", lead, "", ...intents, ...forgotten];
}

function driftDetails(plan: Plan): string[] {
  if (plan.drift.length === 0) return [];
  const n = plan.drift.length;
  const lines = plan.drift.map((d) => `${d.kind === "deleted" ? "-" : "!"} ${d.address} ${d.kind === "deleted" ? "has been deleted" : "has changed"}`);
  return ["", `<details><summary>ℹ️ ${n} object${n === 1 ? "" : "s"} changed outside xsnap</summary>`, "", "```diff", ...lines, "```", "</details>"];
}

function footer(plan: Plan, planFile: string | undefined): string {
  const by = `generated ${plan.createdAt} by ${plan.tool.name} ${plan.tool.version}.`;
  return planFile ? `Plan file \`${planFile}\`, ${by} Apply with \`xsnap apply ${planFile}\`.` : `Plan ${by}`;
}

/**
 * Terraform text → diff syntax: the marker moves to column 0, where GitHub colours `+` and `-`
 * (so `-/+`, a replace, shows red). The markers keep their meaning: `~` is an in-place update and
 * `!` only ever a revert, as in the text plan, so a reviewer never mistakes one for the other.
 */
export function toDiffMarkers(text: string): string {
  return text.split("\n").map((line) => {
    const m = /^(\s*)(-\/\+|<=|[-+~!])( .*)$/.exec(line);
    if (!m) return line;
    const [, space = "", mark = "", rest = ""] = m;
    const mapped = mark === "<=" ? "  " : mark;
    return `${mapped}${space}${" ".repeat(mark.length - mapped.length)}${rest}`;
  }).join("\n");
}

/** Keeps the head and tail of an over-long diff, on line boundaries, with a notice in between. */
export function guard(body: string, budget: number): string {
  if (body.length <= budget) return body;
  const notice = (n: number): string => `\n… ${n} characters of the full plan cut to fit a PR comment; run \`xsnap show PLANFILE\` for all of it …\n\n`;
  const keep = Math.max(0, budget - notice(body.length).length);
  const head = body.slice(0, body.lastIndexOf("\n", Math.floor(keep / 2)) + 1);
  const tailStart = body.indexOf("\n", body.length - Math.floor(keep / 2));
  const tail = tailStart < 0 ? "" : body.slice(tailStart + 1);
  return head + notice(body.length - head.length - tail.length) + tail;
}
