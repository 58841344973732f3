/**
 * The words and symbols of Terraform's plan grammar (hashicorp/terraform:internal/command/format
 * DiffActionSymbol, jsonformat/plan.go actionDescription), plus xsnap's `!` revert.
 */
import { assertNever, type Action, type ActionReason, type Change } from "../model";
import type { Paint } from "./paint";

/** Three columns wide, right-aligned, as Terraform prints it before `resource`. */
export function symbol(action: Action, paint: Paint): string {
  switch (action) {
    case "create": return `  ${paint.green("+")}`;
    case "destroy": return `  ${paint.red("-")}`;
    case "update": return `  ${paint.yellow("~")}`;
    // DESIGN §4 spells replace `-/+`; xsnap creates the new object before destroying the old one.
    case "replace": return `${paint.red("-")}/${paint.green("+")}`;
    case "revert": return `  ${paint.bold(paint.red("!"))}`;
    case "read": return ` ${paint.cyan("<=")}`;
    case "no-op": return "   ";
    default: return assertNever(action);
  }
}

/** Legend line for one action; only the actions a plan uses are listed. */
export function legend(action: Exclude<Action, "no-op">, paint: Paint): string {
  switch (action) {
    case "create": return `${symbol(action, paint)} create`;
    case "destroy": return `${symbol(action, paint)} destroy`;
    case "update": return `${symbol(action, paint)} update in-place`;
    case "replace": return `${symbol(action, paint)} replace (the new object is created before the old one is destroyed)`;
    case "revert": return `${symbol(action, paint)} revert VM to snapshot (discards VM state written after the snapshot)`;
    case "read": return `${symbol(action, paint)} read (data resources)`;
    default: return assertNever(action);
  }
}

/** Order in which the legend lists actions (Terraform's order, revert last). */
export const LEGEND_ORDER: readonly Exclude<Action, "no-op">[] = ["create", "destroy", "update", "replace", "read", "revert"];

/** The bold `# ADDR ...` comment line that starts each block. */
export function headline(change: Change, paint: Paint): string {
  const addr = change.address;
  switch (change.action) {
    case "create": return `${addr} will be created`;
    case "destroy": return `${addr} will be ${paint.red("destroyed")}`;
    case "update": return `${addr} will be updated in-place`;
    case "replace": return change.reason === "replace_by_request" ? `${addr} will be replaced, as requested` : `${addr} must be replaced`;
    case "revert": return `${addr} will be ${paint.red("REVERTED")}`;
    case "read": return `${addr} will be read during apply`;
    case "no-op": return `${addr} is unchanged`;
    default: return assertNever(change.action);
  }
}

/** The `# (because ...)` line under the headline, when the reason is worth a line of its own. */
export function reasonLine(change: Change): string | undefined {
  const reason: ActionReason | undefined = change.reason;
  switch (reason) {
    case undefined: return undefined;
    case "not_in_configuration": return `(because ${change.address} is not in configuration)`;
    case "deleted_outside": return "(because the object was deleted outside xsnap)";
    case "retake_token_changed": return "(because retake_token changed)";
    case "revert_token_changed": return "(because revert_token changed)";
    case "replace_by_request": return undefined; // the headline already says "as requested"
    case "replace_because_cannot_update": return undefined; // as Terraform: the "# forces replacement" marks say which
    case "destroy_requested": return undefined;
    default: return assertNever(reason);
  }
}

/** Apply progress verbs: `Creating...`, `Still creating...`, `Creation complete`. */
export interface Verbs { readonly doing: string; readonly still: string; readonly done: string; readonly failed: string }
export function verbs(action: Action): Verbs {
  switch (action) {
    case "create": return { doing: "Creating", still: "creating", done: "Creation complete", failed: "Creation failed" };
    case "destroy": return { doing: "Destroying", still: "destroying", done: "Destruction complete", failed: "Destruction failed" };
    case "update": return { doing: "Modifying", still: "modifying", done: "Modifications complete", failed: "Modification failed" };
    case "replace": return { doing: "Replacing", still: "replacing", done: "Replacement complete", failed: "Replacement failed" };
    case "revert": return { doing: "Reverting", still: "reverting", done: "Revert complete", failed: "Revert failed" };
    case "read": return { doing: "Reading", still: "reading", done: "Read complete", failed: "Read failed" };
    case "no-op": return { doing: "Checking", still: "checking", done: "Check complete", failed: "Check failed" };
    default: return assertNever(action);
  }
}
