/**
 * The plan as a machine-readable document shaped like `terraform show -json` (reference/iac-conventions.md
 * §2.6, §6.6), so jq recipes carry over. `format_version` changes minor for additions, major for breaks.
 */
import { hasErrors, isUnknown, summarize, type Action, type ActionReason, type AttrValue, type Attrs, type Change, type Drift, type Plan } from "../model";
import { assertNever } from "./actions";
import { shownChanges } from "./text";

export const JSON_FORMAT_VERSION = "1.0";

type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };

/** Terraform's encoding; a replace creates first, then deletes (create_before_destroy). */
export function jsonActions(action: Action): string[] {
  switch (action) {
    case "create": return ["create"];
    case "destroy": return ["delete"];
    case "update": return ["update"];
    case "replace": return ["create", "delete"];
    case "revert": return ["revert"];
    case "read": return ["read"];
    case "no-op": return ["no-op"];
    default: return assertNever(action);
  }
}

/** Terraform's reason names where one exists, xsnap's otherwise (consumers must tolerate unknown ones). */
function jsonReason(reason: ActionReason | undefined): string | null {
  switch (reason) {
    case undefined: return null;
    case "not_in_configuration": return "delete_because_no_resource_config";
    case "replace_by_request": return "replace_by_request";
    case "deleted_outside": case "retake_token_changed": case "revert_token_changed": case "destroy_requested": return reason;
    default: return assertNever(reason);
  }
}

export function planDocument(plan: Plan): Json {
  const s = summarize(plan.changes);
  const errored = hasErrors(plan.diagnostics);
  return {
    format_version: JSON_FORMAT_VERSION,
    tool: { name: plan.tool.name, version: plan.tool.version },
    timestamp: plan.createdAt,
    stack: plan.stack,
    provider: plan.provider,
    pool: { ...plan.pool },
    config_sha256: plan.configHash,
    destroy_mode: plan.destroyMode,
    applyable: !errored && shownChanges(plan).length > 0,
    complete: !errored,
    errored,
    summary: {
      add: s.add, change: s.change, destroy: s.destroy,
      revert: plan.changes.filter((c) => c.action === "revert").length,
      destructive: [...s.destructive],
    },
    resource_drift: plan.drift.map(driftEntry),
    resource_changes: plan.changes.map(changeEntry),
    pending_intents: (plan.intents ?? []).map((i) => JSON.parse(JSON.stringify(i)) as Json),
    diagnostics: plan.diagnostics.map((d) => ({ severity: d.severity, summary: d.summary, detail: d.detail ?? null, address: d.address ?? null })),
    preconditions: plan.fingerprints.map((f) => ({ ...("uuid" in f ? { uuid: f.uuid } : { registry_key: f.registryKey }), address: f.address ?? null, fingerprint: f.fingerprint })),
    managed_set_sha256: plan.managedSetHash,
  };
}

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planDocument(plan), null, 2)}\n`;
}

function changeEntry(c: Change): Json {
  return {
    address: c.address,
    mode: c.action === "read" || c.address.startsWith("data.") ? "data" : "managed",
    type: c.type,
    name: c.name,
    provider_name: c.provider,
    change: {
      actions: jsonActions(c.action),
      destructive: c.action === "replace" || c.action === "destroy" || c.action === "revert",
      before: c.before === null ? null : known(c.before),
      after: c.after === null ? null : known(c.after),
      after_unknown: c.after === null ? {} : unknownMask(c.after),
      before_sensitive: {},
      after_sensitive: {},
      replace_paths: ((c as Change & { readonly replacePaths?: readonly string[] }).replacePaths ?? []).map((p) => [p]),
    },
    action_reason: jsonReason(c.reason),
    notes: [...c.notes],
    depends_on: [...c.dependsOn],
  };
}

function driftEntry(d: Drift): Json {
  return {
    address: d.address, mode: "managed", type: d.type, name: d.name,
    change: { actions: d.kind === "deleted" ? ["delete"] : ["update"], before: known(d.before), after: d.after === null ? null : known(d.after) },
  };
}

/** `after` without the unknown leaves, which Terraform leaves out and flags in `after_unknown`. */
function known(attrs: Attrs): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(attrs)) if (!isUnknown(v)) out[k] = v as Json;
  return out;
}

function unknownMask(attrs: Attrs): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(attrs)) if (isUnknown(v as AttrValue)) out[k] = true;
  return out;
}
