/**
 * Saved plans (DESIGN §5, iac-conventions §6.7): `--out FILE` writes a versioned, gzip'd JSON
 * document (readable with `zcat | jq`), holding no secret; `apply FILE` re-reads the pool and refuses
 * a stale plan (exit 4 at the CLI) listing the addresses whose objects changed.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import type { Address, DesiredStack, Plan } from "../model";
import type { KindRegistry } from "../resources/kind";
import { builtinKinds } from "../resources";
import { describeIssues } from "../resources/payload";
import type { PoolView } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import { fingerprintOf, fingerprintOfEntry } from "./fingerprint";
import { resolveIntents } from "./intents";
import { managedSetOf, observeAll } from "./planner";

const FORMAT = "xsnap-plan";
const VERSION = 1;

interface PlanFileDocument {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  /**
   * sha256 of the plan as written (`JSON.stringify(plan)`, which a parse + stringify reproduces): a
   * value changed by hand that still decodes (a name, a VM uuid) would otherwise be applied as if
   * xsnap had planned it. A check against accidents and hand edits, not a signature.
   */
  readonly sha256: string;
  readonly plan: Plan;
}

const digestOf = (planJson: string): string => createHash("sha256").update(planJson, "utf8").digest("hex");

export type ReadPlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly reason: "unreadable" | "not_a_plan" | "unsupported_version" | "invalid"; readonly message: string };

/** Writes atomically (temp file + rename), mode 0600: it names pools and objects. */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  const doc: PlanFileDocument = { format: FORMAT, version: VERSION, sha256: digestOf(JSON.stringify(plan)), plan };
  const tmp = `${path}.partial`;
  await fs.writeFile(tmp, gzipSync(Buffer.from(JSON.stringify(doc), "utf8")), { mode: 0o600 });
  await fs.rename(tmp, path);
}

// The plan as a file holds it. Attribute values and kind payloads are JSON here; each kind decodes
// its own payload (`checkPayload`). Extra keys are kept (a newer minor writer may add some).
const json: z.ZodType<unknown> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));
const attrs = z.record(z.string(), json);
const action = z.enum(["no-op", "create", "update", "replace", "revert", "destroy", "read"]);
const diagnostic = z.object({ severity: z.enum(["error", "warning"]), summary: z.string(), address: z.string().optional(), detail: z.string().optional() });
const planSchema = z.looseObject({
  formatVersion: z.literal(1),
  tool: z.object({ name: z.literal("xsnap"), version: z.string() }),
  createdAt: z.string(),
  stack: z.string().min(1),
  provider: z.string().min(1),
  pool: z.looseObject({ uuid: z.string().min(1), name_label: z.string(), url: z.string(), xapi_version: z.string(), insecure: z.boolean() }),
  configHash: z.string(),
  destroyMode: z.boolean(),
  changes: z.array(z.looseObject({
    address: z.string().min(1), type: z.string().min(1), name: z.string(), provider: z.string(), action,
    reason: z.enum(["not_in_configuration", "deleted_outside", "retake_token_changed", "replace_by_request", "replace_because_cannot_update", "revert_token_changed", "destroy_requested"]).optional(),
    replacePaths: z.array(z.string()).optional(),
    before: attrs.nullable(), after: attrs.nullable(), notes: z.array(z.string()), dependsOn: z.array(z.string()),
    deferred: z.record(z.string(), json).optional(), private: z.record(z.string(), json).optional(), resolvesIntent: z.string().optional(),
  })),
  drift: z.array(z.object({ address: z.string(), type: z.string(), name: z.string(), kind: z.enum(["changed", "deleted"]), before: attrs, after: attrs.nullable() })),
  diagnostics: z.array(diagnostic),
  fingerprints: z.array(z.union([
    z.object({ uuid: z.string().min(1), address: z.string().optional(), fingerprint: z.string() }),
    z.object({ registryKey: z.string().min(1), address: z.string().optional(), fingerprint: z.string() }),
  ])),
  managedSetHash: z.string(),
  intents: z.array(z.object({
    id: z.string(), address: z.string(), type: z.string(), op: action, started: z.string(), status: z.enum(["done", "discard", "adopt", "ambiguous"]),
    detail: z.string(), candidates: z.array(z.string()).optional(), cleanup: z.array(z.object({ uuid: z.string(), name_label: z.string() })).optional(),
    uninstall: z.array(z.string()).optional(), tasks: z.array(z.string()).optional(),
  })).optional(),
  forgotten: z.array(z.string()).optional(),
});

/**
 * Reads and decodes a plan file, kind payloads included: a file edited by hand is refused with what
 * is wrong, before the caller takes any lock or writes any intent.
 */
export async function readPlanFile(path: string, kinds: KindRegistry = builtinKinds()): Promise<ReadPlanResult> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    return { ok: false, reason: "unreadable", message: `cannot read plan file ${path}: ${(e as Error).message}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(gunzipSync(bytes).toString("utf8"));
  } catch {
    return { ok: false, reason: "not_a_plan", message: `${path} is not an xsnap plan file (expected gzip'd JSON written by xsnap plan --out)` };
  }
  const d = doc as Partial<Record<keyof PlanFileDocument, unknown>> | null;
  if (typeof d !== "object" || d === null || d.format !== FORMAT || typeof d.plan !== "object" || d.plan === null) return { ok: false, reason: "not_a_plan", message: `${path} is not an xsnap plan file` };
  if (d.version !== VERSION || (d.plan as { formatVersion?: unknown }).formatVersion !== 1) {
    return { ok: false, reason: "unsupported_version", message: `${path} was written by a plan format this xsnap does not read (version ${String(d.version)})` };
  }
  const parsed = planSchema.safeParse(d.plan);
  if (!parsed.success) return { ok: false, reason: "invalid", message: `${path} is not a valid plan (was it edited?): ${describeIssues(parsed.error, "plan")}` };
  const plan = parsed.data as unknown as Plan;
  for (const change of plan.changes) {
    if (change.action === "no-op" || change.action === "read") continue;
    const kind = kinds.managed.get(change.type);
    const problem = kind ? kind.checkPayload(change) : `resource type ${change.type} is not managed by this version of xsnap`;
    if (problem) return { ok: false, reason: "invalid", message: `${path} is not a valid plan (was it edited?): ${change.address}: ${problem}` };
  }
  // Last, so that an edit that breaks the structure is named by its field above.
  if (d.sha256 !== digestOf(JSON.stringify(d.plan))) {
    return { ok: false, reason: "invalid", message: `${path} was edited after xsnap wrote it (its sha256 does not match its content): run \`xsnap plan --out ${path}\` again and apply the new plan` };
  }
  return { ok: true, plan };
}

export type StaleCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "other_pool"; readonly message: string }
  | { readonly ok: false; readonly reason: "stale"; readonly message: string; readonly addresses: readonly Address[]; readonly details: readonly string[] };

/** Whether `pool` is the pool the plan was made for (checked before the lock too: a lock is a write). */
export function checkPool(plan: Plan, pool: { readonly uuid: string; readonly name_label: string }): { readonly ok: true } | { readonly ok: false; readonly reason: "other_pool"; readonly message: string } {
  if (pool.uuid === plan.pool.uuid) return { ok: true };
  return { ok: false, reason: "other_pool", message: `Saved plan does not match the given pool: it was made for pool "${plan.pool.name_label}" (${plan.pool.uuid}), this is "${pool.name_label}" (${pool.uuid})` };
}

/**
 * Compares a saved plan with a fresh PoolView (read under the lock): same pool, same config (when the
 * stack is given), same managed set, and every fingerprinted object unchanged.
 */
export function checkStale(plan: Plan, view: PoolView, stack?: DesiredStack, kinds: KindRegistry = builtinKinds()): StaleCheck {
  const otherPool = checkPool(plan, view.pool);
  if (!otherPool.ok) return otherPool;
  const addresses = new Set<Address>();
  const details: string[] = [];
  for (const fp of plan.fingerprints) {
    const now = "uuid" in fp ? fingerprintOf(view, fp.uuid as Uuid) : fingerprintOfEntry(view, fp.registryKey);
    if (now === fp.fingerprint) continue;
    if (fp.address) addresses.add(fp.address);
    details.push(`${fp.address ?? "?"}: ${"uuid" in fp ? `object ${fp.uuid}` : `record ${fp.registryKey}`} changed`);
  }
  const observed = observeAll(view, plan.stack, kinds, resolveIntents(view, plan.stack, kinds).adopted);
  const membership = managedSetOf(observed);
  if (membership !== plan.managedSetHash) details.push(`the set of objects managed by stack "${plan.stack}" changed`);
  if (stack && stack.configHash !== plan.configHash) details.push("the configuration changed since the plan was made");
  if (details.length === 0) return { ok: true };
  const n = addresses.size;
  return {
    ok: false, reason: "stale", addresses: [...addresses].sort(), details,
    message: `Saved plan is stale: the given plan file can no longer be applied because ${n > 0 ? `${n} object${n === 1 ? "" : "s"} changed` : "the pool or the configuration changed"} after the plan was created${n > 0 ? `: ${[...addresses].sort().join(", ")}` : ""}`,
  };
}
