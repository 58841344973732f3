/**
 * Saved plans (DESIGN §5, iac-conventions §6.7): `--out FILE` writes a versioned, gzip'd JSON
 * document (readable with `zcat | jq`), holding no secret; `apply FILE` re-reads the pool and refuses
 * a stale plan (exit 4 at the CLI) listing the addresses whose objects changed.
 */
import { promises as fs } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import type { DesiredStack, Address, Plan } from "../model";
import type { KindRegistry } from "../resources/kind";
import { builtinKinds } from "../resources";
import type { PoolView } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import { fingerprintOf, managedSetHash } from "./fingerprint";
import { resolveIntents } from "./intents";
import { observeAll } from "./planner";

const FORMAT = "xsnap-plan";
const VERSION = 1;

interface PlanFileDocument {
  readonly format: typeof FORMAT;
  readonly version: typeof VERSION;
  readonly plan: Plan;
}

export type ReadPlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly reason: "unreadable" | "not_a_plan" | "unsupported_version"; readonly message: string };

/** Writes atomically (temp file + rename), mode 0600: it names pools and objects. */
export async function writePlanFile(path: string, plan: Plan): Promise<void> {
  const doc: PlanFileDocument = { format: FORMAT, version: VERSION, plan };
  const tmp = `${path}.partial`;
  await fs.writeFile(tmp, gzipSync(Buffer.from(JSON.stringify(doc), "utf8")), { mode: 0o600 });
  await fs.rename(tmp, path);
}

export async function readPlanFile(path: string): Promise<ReadPlanResult> {
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
  const d = doc as Partial<PlanFileDocument>;
  if (d.format !== FORMAT || typeof d.plan !== "object" || d.plan === null) return { ok: false, reason: "not_a_plan", message: `${path} is not an xsnap plan file` };
  if (d.version !== VERSION || d.plan.formatVersion !== 1) {
    return { ok: false, reason: "unsupported_version", message: `${path} was written by a plan format this xsnap does not read (version ${String(d.version)})` };
  }
  return { ok: true, plan: d.plan };
}

export type StaleCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "other_pool"; readonly message: string }
  | { readonly ok: false; readonly reason: "stale"; readonly message: string; readonly addresses: readonly Address[]; readonly details: readonly string[] };

/**
 * Compares a saved plan with a fresh PoolView (read under the lock): same pool, same config (when the
 * stack is given), same managed set, and every fingerprinted object unchanged.
 */
export function checkStale(plan: Plan, view: PoolView, stack?: DesiredStack, kinds: KindRegistry = builtinKinds()): StaleCheck {
  if (view.pool.uuid !== plan.pool.uuid) {
    return { ok: false, reason: "other_pool", message: `Saved plan does not match the given pool: it was made for pool "${plan.pool.name_label}" (${plan.pool.uuid}), this is "${view.pool.name_label}" (${view.pool.uuid})` };
  }
  const addresses = new Set<Address>();
  const details: string[] = [];
  for (const fp of plan.fingerprints) {
    if (fingerprintOf(view, fp.uuid as Uuid) === fp.fingerprint) continue;
    if (fp.address) addresses.add(fp.address);
    details.push(`${fp.address ?? "?"}: object ${fp.uuid} changed`);
  }
  const observed = observeAll(view, plan.stack, kinds, resolveIntents(view, plan.stack, kinds).adopted);
  const membership = managedSetHash([...observed].flatMap(([a, lives]) => lives.map((l) => [a, l.uuid] as const)));
  if (membership !== plan.managedSetHash) details.push(`the set of objects managed by stack "${plan.stack}" changed`);
  if (stack && stack.configHash !== plan.configHash) details.push("the configuration changed since the plan was made");
  if (details.length === 0) return { ok: true };
  const n = addresses.size;
  return {
    ok: false, reason: "stale", addresses: [...addresses].sort(), details,
    message: `Saved plan is stale: the given plan file can no longer be applied because ${n > 0 ? `${n} object${n === 1 ? "" : "s"} changed` : "the pool or the configuration changed"} after the plan was created${n > 0 ? `: ${[...addresses].sort().join(", ")}` : ""}`,
  };
}
