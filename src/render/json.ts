/**
 * The plan as a `terraform show -json` document (DESIGN §4, reference/iac-conventions.md §2.6), so
 * that existing consumers of that format read it (tested with one from npm) and jq recipes carry
 * over: `format_version`, `terraform_version` (xsnap's version), `planned_values`, `prior_state`,
 * `configuration`, `resource_changes` / `resource_drift` with the full provider address and actions
 * from Terraform's set. xsnap's own keys sit beside the standard ones (docs/plan-json.md); optional
 * keys are left out rather than null. `format_version` changes minor for additions, major for breaks.
 */
import { assertNever, hasErrors, isUnknown, summarize, type Action, type ActionReason, type AttrValue, type Attrs, type Change, type Drift, type Plan } from "../model";
import { PROVIDER_FQPN, PROVIDER_NAME } from "../schema/provider";
import { shownChanges } from "./text";

export const JSON_FORMAT_VERSION = "1.1";

type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Terraform's encoding; a replace creates first, then deletes (create_before_destroy); a revert is an update. */
export function jsonActions(action: Action): string[] {
  switch (action) {
    case "create": return ["create"];
    case "destroy": return ["delete"];
    case "update": return ["update"];
    case "replace": return ["create", "delete"];
    case "revert": return ["update"];
    case "read": return ["read"];
    case "no-op": return ["no-op"];
    default: return assertNever(action);
  }
}

/** Terraform's reason names where one exists, xsnap's otherwise (consumers must tolerate unknown ones). */
function jsonReason(reason: ActionReason | undefined): string | undefined {
  switch (reason) {
    case undefined: return undefined;
    case "not_in_configuration": return "delete_because_no_resource_config";
    case "replace_by_request": case "replace_because_cannot_update": return reason;
    case "deleted_outside": case "retake_token_changed": case "revert_token_changed": case "destroy_requested": return reason;
    default: return assertNever(reason);
  }
}

const modeOf = (c: { readonly action?: Action; readonly address: string }): "managed" | "data" =>
  c.action === "read" || c.address.startsWith("data.") ? "data" : "managed";

/** `xapi` or `xapi.<alias>`, as Terraform keys provider configurations. */
const providerKey = (alias: string): string => (alias === "default" ? PROVIDER_NAME : `${PROVIDER_NAME}.${alias}`);

export function planDocument(plan: Plan): Json {
  const s = summarize(plan.changes);
  const errored = hasErrors(plan.diagnostics);
  const inConfig = plan.changes.filter((c) => c.after !== null);
  return {
    format_version: JSON_FORMAT_VERSION,
    terraform_version: plan.tool.version,
    planned_values: { root_module: { resources: inConfig.map((c) => stateResource(c, c.after ?? {})) } },
    resource_drift: plan.drift.map(driftEntry),
    resource_changes: plan.changes.map(changeEntry),
    prior_state: {
      format_version: JSON_FORMAT_VERSION,
      terraform_version: plan.tool.version,
      values: { root_module: { resources: plan.changes.filter((c) => c.before !== null).map((c) => stateResource(c, c.before ?? {})) } },
    },
    configuration: configuration(plan, inConfig),
    timestamp: plan.createdAt,
    applyable: !errored && shownChanges(plan).length > 0,
    complete: !errored,
    errored,
    // xsnap's own keys (docs/plan-json.md).
    tool: { name: plan.tool.name, version: plan.tool.version },
    stack: plan.stack,
    provider: plan.provider,
    pool: { ...plan.pool },
    config_sha256: plan.configHash,
    destroy_mode: plan.destroyMode,
    summary: {
      add: s.add, change: s.change, destroy: s.destroy,
      revert: plan.changes.filter((c) => c.action === "revert").length,
      destructive: [...s.destructive],
    },
    pending_intents: (plan.intents ?? []).map((i) => JSON.parse(JSON.stringify(i)) as Json),
    diagnostics: plan.diagnostics.map((d) => ({
      severity: d.severity, summary: d.summary, ...(d.detail !== undefined ? { detail: d.detail } : {}), ...(d.address !== undefined ? { address: d.address } : {}),
    })),
    preconditions: plan.fingerprints.map((f) => ({ ...("uuid" in f ? { uuid: f.uuid } : { registry_key: f.registryKey }), ...(f.address !== undefined ? { address: f.address } : {}), fingerprint: f.fingerprint })),
    managed_set_sha256: plan.managedSetHash,
  };
}

/**
 * Several pools (provider aliases) of one stack: one document, as Terraform writes one per
 * configuration, with every pool's changes; each pool's own document (its pool, fingerprints,
 * summary) under xsnap's `pools` key.
 */
export function stackDocument(plans: readonly Plan[]): Json {
  const [first, ...rest] = plans;
  if (!first) throw new Error("stackDocument needs at least one plan");
  if (rest.length === 0) return planDocument(first);
  const docs = plans.map((p) => planDocument(p) as JsonObject);
  const all = (key: string, inner: (d: JsonObject) => Json): Json[] => docs.flatMap((d) => inner(d[key] as JsonObject) as Json[]);
  const resources = (d: JsonObject): Json => ((d.root_module as JsonObject).resources);
  const configs = docs.map((d) => d.configuration as JsonObject);
  const summaries = plans.map((p) => summarize(p.changes));
  return {
    format_version: JSON_FORMAT_VERSION,
    terraform_version: first.tool.version,
    planned_values: { root_module: { resources: all("planned_values", resources) } },
    resource_drift: docs.flatMap((d) => d.resource_drift as Json[]),
    resource_changes: docs.flatMap((d) => d.resource_changes as Json[]),
    prior_state: {
      format_version: JSON_FORMAT_VERSION, terraform_version: first.tool.version,
      values: { root_module: { resources: docs.flatMap((d) => (((d.prior_state as JsonObject).values as JsonObject).root_module as JsonObject).resources as Json[]) } },
    },
    configuration: {
      provider_config: Object.assign({}, ...configs.map((c) => c.provider_config)) as Json,
      root_module: { resources: configs.flatMap((c) => (c.root_module as JsonObject).resources as Json[]) },
    },
    timestamp: first.createdAt,
    applyable: docs.some((d) => d.applyable === true),
    complete: docs.every((d) => d.complete === true),
    errored: docs.some((d) => d.errored === true),
    tool: { name: first.tool.name, version: first.tool.version },
    stack: first.stack,
    summary: {
      add: sum(summaries.map((x) => x.add)), change: sum(summaries.map((x) => x.change)), destroy: sum(summaries.map((x) => x.destroy)),
      revert: plans.flatMap((p) => p.changes).filter((c) => c.action === "revert").length,
      destructive: summaries.flatMap((x) => x.destructive),
    },
    pools: docs,
  };
}

const sum = (ns: readonly number[]): number => ns.reduce((a, b) => a + b, 0);

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(planDocument(plan), null, 2)}\n`;
}

function stateResource(c: Change, attrs: Attrs): Json {
  return {
    address: c.address, mode: modeOf(c), type: c.type, name: c.name,
    provider_name: PROVIDER_FQPN, schema_version: 0,
    values: known(attrs), sensitive_values: {},
  };
}

/** What the configuration declares, as constant expressions (references are resolved by then, or unknown). */
function configuration(plan: Plan, inConfig: readonly Change[]): Json {
  const aliases = [...new Set([plan.provider, ...inConfig.map((c) => c.provider)])].sort();
  return {
    provider_config: Object.fromEntries(aliases.map((alias) => [providerKey(alias), {
      name: PROVIDER_NAME, full_name: PROVIDER_FQPN, ...(alias !== "default" ? { alias } : {}),
    }])),
    root_module: {
      resources: inConfig.map((c) => ({
        address: c.address, mode: modeOf(c), type: c.type, name: c.name,
        provider_config_key: providerKey(c.provider),
        expressions: Object.fromEntries(Object.entries(known(c.after ?? {})).map(([k, v]) => [k, { constant_value: v }])),
        schema_version: 0,
        ...(c.dependsOn.length > 0 ? { depends_on: [...c.dependsOn] } : {}),
      })),
    },
  };
}

function changeEntry(c: Change): Json {
  const reason = jsonReason(c.reason);
  return {
    address: c.address,
    mode: modeOf(c),
    type: c.type,
    name: c.name,
    provider_name: PROVIDER_FQPN,
    change: {
      actions: jsonActions(c.action),
      before: c.before === null ? null : known(c.before),
      after: c.after === null ? null : known(c.after),
      after_unknown: c.after === null ? {} : unknownMask(c.after),
      before_sensitive: {},
      after_sensitive: {},
      // Terraform's paths are lists of steps; xsnap's forcing attributes are all top-level.
      ...(c.action === "replace" ? { replace_paths: (c.replacePaths ?? []).map((p) => [p]) } : {}),
      // xsnap's own keys beside Terraform's.
      destructive: c.action === "replace" || c.action === "destroy" || c.action === "revert",
    },
    ...(reason !== undefined ? { action_reason: reason } : {}),
    // xsnap's own keys: the action in xsnap's words (`revert` is an `update` to Terraform), the
    // plan's `#` notes, and the addresses this change waits for.
    xsnap_action: c.action,
    notes: [...c.notes],
    depends_on: [...c.dependsOn],
    ...(c.provider !== "default" ? { provider_alias: c.provider } : {}),
  };
}

function driftEntry(d: Drift): Json {
  return {
    address: d.address, mode: "managed", type: d.type, name: d.name, provider_name: PROVIDER_FQPN,
    change: {
      actions: d.kind === "deleted" ? ["delete"] : ["update"],
      before: known(d.before), after: d.after === null ? null : known(d.after),
      after_unknown: {}, before_sensitive: {}, after_sensitive: {},
    },
  };
}

/** `after` without the unknown leaves, which Terraform leaves out and flags in `after_unknown`. */
function known(attrs: Attrs): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(attrs)) if (!isUnknown(v)) out[k] = v as Json;
  return out;
}

function unknownMask(attrs: Attrs): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(attrs)) if (isUnknown(v as AttrValue)) out[k] = true;
  return out;
}
