/**
 * The planner (pure): desired stack + one PoolView per pool → one Plan per pool. It never names a
 * kind; every decision about a resource type is the kind's `diff`. The engine adds what is generic:
 * reference resolution in one dependency order across every pool of the stack (so a reference may
 * cross providers), "(known after apply)" inputs kept for the applier, destroy of addresses gone from
 * the configuration, --target / --replace / --destroy, `protect`, duplicates, "deleted outside xsnap",
 * intents and fingerprints.
 *
 * Phases: observe each pool → select (--target) → plan the configured resources in dependency order
 * → plan the removed ones → assemble each pool's Plan.
 */
import { buildGraph, containsUnknown, error, formatBytes, keepUnknownRefs, topologicalOrder, warning, withDependencies, withDependents,
  type Address, type Change, type ConfigValue, type DesiredResource, type DesiredStack, type Diagnostic, type Drift, type Fingerprint,
  type Plan, type PoolIdentity } from "../model";
import { builtinKinds } from "../resources";
import type { Claim, DiffResult, Exclusive, KindRegistry, Live, ObjectRead, PlannedAction, ResourceKind } from "../resources/kind";
import type { PoolView } from "../xapi/records";
import { VERSION } from "../version";
import { fingerprintOf, fingerprintOfEntry, managedSetHash } from "./fingerprint";
import { resolveIntents, type IntentPlan, type TaskState } from "./intents";
import { resolveAttrs, type ValueTable } from "./references";
import { entryKey, kindEntries, readRegistry } from "./registry";

export interface PlanOptions {
  /** `--target ADDR`: only these addresses (plus their dependencies; plus dependents with --destroy). */
  readonly targets?: readonly Address[];
  /** `--replace ADDR`: retake these even though nothing changed. */
  readonly replace?: readonly Address[];
  /** `--destroy`: plan the destruction of every managed object of the stack. */
  readonly destroy?: boolean;
}

/** One pool of the stack, read once. */
export interface PoolInput {
  /** Provider alias; resources of this alias are planned against `view`. */
  readonly provider: string;
  readonly view: PoolView;
  readonly pool: PoolIdentity;
  /** States of the tasks that leftover intents name (`readTaskStates`); none read = none known. */
  readonly tasks?: ReadonlyMap<string, TaskState>;
}

export interface PlanPoolsArgs {
  readonly stack: DesiredStack;
  readonly pools: readonly PoolInput[];
  readonly kinds?: KindRegistry;
  readonly options?: PlanOptions;
  readonly now?: Date;
  readonly toolVersion?: string;
}

export type PlanStackArgs = Omit<PlanPoolsArgs, "pools"> & PoolInput;

/** One pool's plan (the single-pool form of `planPools`). */
export function planStack(args: PlanStackArgs): Plan {
  const [plan] = planPools({ ...args, pools: [{ provider: args.provider, view: args.view, pool: args.pool, ...(args.tasks ? { tasks: args.tasks } : {}) }] });
  if (!plan) throw new Error("planPools returned no plan");
  return plan;
}

/** What the planner gathers for one pool before it becomes a Plan. */
interface PoolPlanning extends PoolInput {
  readonly intents: IntentPlan;
  readonly observed: ReadonlyMap<Address, readonly Live[]>;
  /** `xsnap.managed/…`: addresses that had an object. */
  readonly registry: ReadonlyMap<Address, string>;
  readonly diagnostics: Diagnostic[];
  readonly reads: ObjectRead[];
  readonly changes: Change[];
  readonly drift: Drift[];
  readonly claims: { address: Address; claim: Claim }[];
}

/** Exclusive holds of every pool, checked once across the stack. */
type Holds = { address: Address; exclusive: Exclusive }[];

/** A node as `record` files it. */
interface Node {
  readonly address: Address;
  readonly type: string;
  readonly name: string;
  readonly dependsOn: readonly Address[];
  readonly deferred?: Readonly<Record<string, ConfigValue>>;
}

export function planPools(args: PlanPoolsArgs): Plan[] {
  const kinds = args.kinds ?? builtinKinds();
  const { stack } = args;
  const options = args.options ?? {};
  const destroyMode = options.destroy === true;
  const replace = new Set(options.replace ?? []);
  const pools = new Map(args.pools.map((p) => [p.provider, observePool(p, stack.stack, kinds)]));
  const stackDiagnostics: Diagnostic[] = samePoolTwice(args.pools);
  // A typo would otherwise replace nothing and say nothing: the user asked for a retake.
  for (const r of replace) if (!stack.resources.some((d) => d.address === r)) stackDiagnostics.push(error(`--replace ${r} matches no resource in the configuration`, r));

  // One DAG over every pool's resources: a reference may cross providers (export → import).
  const resources = stack.resources.filter((r) => pools.has(r.provider));
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const graph = buildGraph(resources.map((r) => r.address), (a) => byAddress.get(a as Address)?.dependsOn ?? []);
  const topo = topologicalOrder(graph);
  if (!topo.ok) stackDiagnostics.push(error(`dependency cycle: ${topo.cycle.join(" → ")}`, topo.cycle[0] as Address));
  const order = topo.ok ? (topo.order as Address[]) : resources.map((r) => r.address);
  const observedAnywhere = (a: Address): boolean => [...pools.values()].some((p) => p.observed.has(a));
  const selected = selection({ options, destroyMode, graph, observedAnywhere, byAddress, diagnostics: stackDiagnostics });
  const isSelected = (a: Address): boolean => selected === undefined || selected.planned.has(a);
  const isEvaluated = (a: Address): boolean => selected === undefined || selected.evaluated.has(a);
  const table: ValueTable = new Map();
  const holds: Holds = [];

  // Configured resources, in dependency order across pools.
  for (const address of order) {
    const resource = byAddress.get(address);
    const pool = resource && pools.get(resource.provider);
    if (!resource || !pool || !isEvaluated(address)) continue;
    if (resource.mode === "data") readData(resource, kinds, pool, table);
    else if (isSelected(address)) planConfigured({ resource, pool, kinds, table, byAddress, destroyMode, replaceRequested: replace.has(address), stack: stack.stack, holds });
    else valueOnly(address, pool, table);
  }
  // Managed objects whose address left the configuration (or every one, with --destroy).
  for (const pool of pools.values()) {
    for (const [address, lives] of [...pool.observed].sort(([a], [b]) => a.localeCompare(b))) {
      if (byAddress.has(address) || !isSelected(address)) continue;
      const kind = kindOfAddress(address, kinds);
      if (!kind) continue;
      const node = { address, type: kind.type, name: address.slice(kind.type.length + 1), dependsOn: [] };
      for (const live of lives) {
        record(pool, node, kind.diff({ address, stack: stack.stack, spec: undefined, live, view: pool.view, replaceRequested: false }), live, false,
          destroyMode ? "destroy_requested" : "not_in_configuration");
      }
    }
  }
  stackDiagnostics.push(...doubleHolds(holds));
  return [...pools.values()].map((pool) => assemble(pool, { args, destroyMode, stackDiagnostics, configured: byAddress, kinds }));
}

function observePool(input: PoolInput, stack: string, kinds: KindRegistry): PoolPlanning {
  const entries = kindEntries(input.view, stack, kinds);
  const intents = resolveIntents(input.view, stack, kinds, entries, input.tasks);
  return {
    ...input, intents, observed: observeAll(input.view, stack, kinds, intents.adopted, entries), registry: readRegistry(input.view, stack),
    diagnostics: [], reads: [], changes: [], drift: [], claims: [],
  };
}

function planConfigured(a: {
  readonly resource: DesiredResource; readonly pool: PoolPlanning; readonly kinds: KindRegistry; readonly table: ValueTable;
  readonly byAddress: ReadonlyMap<Address, DesiredResource>; readonly destroyMode: boolean; readonly replaceRequested: boolean; readonly stack: string;
  readonly holds: Holds;
}): void {
  const { resource, pool, table } = a;
  const address = resource.address;
  const kind = a.kinds.managed.get(resource.type);
  if (!kind) {
    pool.diagnostics.push(error(`resource type ${resource.type} is not supported yet`, address,
      `This version of xsnap manages ${[...a.kinds.managed.keys()].join(", ")}; ${resource.type} comes in a later release.`));
    return;
  }
  const resolved = resolveAttrs(resource, table);
  pool.diagnostics.push(...resolved.diagnostics);
  if (resolved.diagnostics.length > 0) return;
  const [live, ...duplicates] = pool.observed.get(address) ?? [];
  const deferred = deferredInputs(resource, resolved.spec, table);
  const node: Node = {
    address, type: resource.type, name: resource.name,
    dependsOn: resource.dependsOn.filter((d) => a.byAddress.get(d)?.mode === "managed"),
    ...(deferred ? { deferred } : {}),
  };
  const result = kind.diff({ address, stack: a.stack, spec: a.destroyMode ? undefined : resolved.spec, live, view: pool.view, replaceRequested: a.replaceRequested });
  let reason: Change["reason"] | undefined;
  if (a.destroyMode) reason = "destroy_requested";
  else if (result.planned?.action === "replace" && a.replaceRequested && !result.planned.reason) reason = "replace_by_request";
  // As Terraform: a replace the kind forces by attributes that cannot change in place.
  else if (result.planned?.action === "replace" && !result.planned.reason && (result.planned.replacePaths?.length ?? 0) > 0) reason = "replace_because_cannot_update";
  else if (result.planned?.action === "create" && !live && pool.registry.has(address)) {
    reason = "deleted_outside";
    pool.drift.push({ address, type: resource.type, name: resource.name, kind: "deleted", before: { uuid: pool.registry.get(address) ?? "" }, after: null });
  }
  for (const exclusive of result.exclusives ?? []) a.holds.push({ address, exclusive });
  const planned = record(pool, node, result, live, resolved.spec.protect === true, reason);
  if (planned) table.set(address, planned.after ?? planned.before ?? {});
  for (const dup of duplicates) {
    record(pool, { ...node, deferred: undefined }, duplicateDestroy(kind.diff({ address, stack: a.stack, spec: undefined, live: dup, view: pool.view, replaceRequested: false }), dup), dup, false);
  }
}

/** The config values of attributes the plan can only show as "(known after apply)". */
function deferredInputs(resource: DesiredResource, spec: Readonly<Record<string, unknown>>, table: ValueTable): Readonly<Record<string, ConfigValue>> | undefined {
  const out: Record<string, ConfigValue> = {};
  for (const [name, value] of Object.entries(resource.attrs)) {
    if (containsUnknown(spec[name] as never)) out[name] = keepUnknownRefs(value, (a) => table.get(a));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Files a kind's decision under its pool; returns the planned action, if any. */
function record(pool: PoolPlanning, node: Node, result: DiffResult, live: Live | undefined, protect: boolean, reasonOverride?: Change["reason"]): PlannedAction | undefined {
  pool.diagnostics.push(...result.diagnostics);
  pool.reads.push(...result.reads);
  for (const claim of result.claims ?? []) pool.claims.push({ address: node.address, claim });
  if (result.drift) pool.drift.push({ address: node.address, type: node.type, name: node.name, ...result.drift });
  const planned = result.planned;
  if (!planned) return undefined;
  const reason = reasonOverride ?? planned.reason;
  if (protect && (planned.action === "destroy" || planned.action === "replace")) {
    pool.diagnostics.push(error(`Instance cannot be destroyed: ${node.address} has protect = true, but the plan calls for it to be ${planned.action === "destroy" ? "destroyed" : "replaced"}`,
      node.address, "To allow this, set protect = false in the configuration, apply, then plan again."));
  }
  pool.changes.push({
    address: node.address, type: node.type, name: node.name, provider: pool.provider,
    action: planned.action, ...(reason ? { reason } : {}),
    ...(planned.action === "replace" ? { replacePaths: planned.replacePaths ?? [] } : {}),
    before: planned.before, after: planned.after,
    notes: planned.notes, dependsOn: node.dependsOn,
    ...(node.deferred && planned.action !== "destroy" ? { deferred: node.deferred } : {}),
    ...(planned.private ? { private: planned.private } : {}),
    ...(live?.adoptedFrom ? { resolvesIntent: live.adoptedFrom } : {}),
  });
  return planned;
}

function assemble(pool: PoolPlanning, ctx: {
  readonly args: PlanPoolsArgs; readonly destroyMode: boolean; readonly stackDiagnostics: readonly Diagnostic[];
  readonly configured: ReadonlyMap<Address, DesiredResource>; readonly kinds: KindRegistry;
}): Plan {
  const { stack } = ctx.args;
  // Registry entries of objects deleted outside xsnap whose address also left the configuration.
  const forgotten: Address[] = [];
  for (const [address, uuid] of pool.registry) {
    if (pool.observed.has(address) || ctx.configured.has(address)) continue;
    const type = kindOfAddress(address, ctx.kinds)?.type ?? address.split(".")[0] ?? "";
    pool.drift.push({ address, type, name: address.slice(type.length + 1), kind: "deleted", before: { uuid }, after: null });
    forgotten.push(address);
  }
  const reads = [...pool.reads, ...[...pool.observed].flatMap(([address, lives]) => lives.map((live) => identityRead(address, live, stack.stack, ctx.kinds)))];
  return {
    formatVersion: 1,
    tool: { name: "xsnap", version: ctx.args.toolVersion ?? VERSION },
    createdAt: (ctx.args.now ?? new Date()).toISOString(),
    stack: stack.stack,
    provider: pool.provider,
    pool: pool.pool,
    configHash: stack.configHash,
    destroyMode: ctx.destroyMode,
    changes: pool.changes,
    drift: pool.drift,
    diagnostics: [...ctx.stackDiagnostics, ...pool.diagnostics, ...overcommitted(pool.claims)],
    fingerprints: fingerprints(pool.view, reads),
    managedSetHash: managedSetOf(pool.observed),
    intents: pool.intents.resolutions,
    ...(forgotten.length ? { forgotten } : {}),
  };
}

/** Every object the kinds find for the stack, newest first per address, plus objects adopted from intents. */
export function observeAll(view: PoolView, stack: string, kinds: KindRegistry, adopted: ReadonlyMap<Address, Live>,
  entries: ReadonlyMap<string, ReadonlyMap<Address, string>> = kindEntries(view, stack, kinds)): Map<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const kind of kinds.managed.values()) {
    for (const [address, lives] of kind.observe(view, stack, entries.get(kind.type) ?? new Map())) out.set(address, [...(out.get(address) ?? []), ...lives]);
  }
  // What an intent found takes the place of what observe saw under the same identity: an object
  // without identity of its own (a revert's registry entry) is observed from its old record, or from
  // its safety snapshots alone, while the intent knows what the interrupted step did. Dropping the
  // adopted one made the diff plan that step again (a second revert) and left its intent behind.
  for (const [address, live] of adopted) {
    const known = out.get(address) ?? [];
    out.set(address, [...known.filter((l) => !sameIdentity(l, live)), live]);
  }
  for (const lives of out.values()) lives.sort((a, b) => b.order - a.order || (a.uuid ?? "").localeCompare(b.uuid ?? ""));
  return out;
}

const sameIdentity = (a: Live, b: Live): boolean => (a.uuid === undefined ? b.uuid === undefined : a.uuid === b.uuid);

/** Hash of the stack's managed (address, identity) pairs: an object-less address counts by its presence. */
export const managedSetOf = (observed: ReadonlyMap<Address, readonly Live[]>): string =>
  managedSetHash([...observed].flatMap(([a, lives]) => lives.map((l) => [a, l.uuid ?? "registry"] as const)));

/** The read that fingerprints how the pool identifies an observed address: its object, or its registry entry. */
function identityRead(address: Address, live: Live, stack: string, kinds: KindRegistry): ObjectRead {
  if (live.uuid !== undefined) return { uuid: live.uuid, address };
  const identity = kindOfAddress(address, kinds)?.identity;
  return { registryKey: entryKey(identity?.by === "registry" ? identity.name : "managed", stack, address), address };
}

/**
 * What `--target` selects. `planned`: the addresses whose changes the plan holds (the targets plus their
 * dependencies, or plus their dependents with --destroy). `evaluated`: those plus everything they reference,
 * transitively: data sources are read (a read changes nothing) and the values of managed dependencies are
 * taken from the pool, so a planned address's references resolve as they do in an untargeted plan.
 */
interface Selection {
  readonly planned: ReadonlySet<string>;
  readonly evaluated: ReadonlySet<string>;
}

function selection(args: {
  readonly options: PlanOptions; readonly destroyMode: boolean; readonly graph: ReturnType<typeof buildGraph>;
  readonly observedAnywhere: (a: Address) => boolean; readonly byAddress: ReadonlyMap<Address, DesiredResource>;
  readonly diagnostics: Diagnostic[];
}): Selection | undefined {
  const targets = args.options.targets ?? [];
  if (targets.length === 0) return undefined;
  for (const t of targets) {
    if (!args.byAddress.has(t) && !args.observedAnywhere(t)) args.diagnostics.push(warning(`--target ${t} matches no resource in the configuration or the pool`, t));
  }
  const inConfig = targets.filter((t) => args.byAddress.has(t));
  const closure = args.destroyMode ? withDependents(args.graph, inConfig) : withDependencies(args.graph, inConfig);
  // Whatever the planned addresses reference must be evaluated too, whichever way the closure went:
  // with --destroy a target's dependencies are not destroyed, but their values still resolve its configuration.
  return { planned: new Set([...closure, ...targets]), evaluated: withDependencies(args.graph, closure) };
}

/** The value of a managed address that is referenced but not planned (a dependency of a targeted destroy): what the pool holds. */
function valueOnly(address: Address, pool: PoolPlanning, table: ValueTable): void {
  const [live] = pool.observed.get(address) ?? [];
  if (live) table.set(address, live.attrs);
}

function readData(resource: DesiredResource, kinds: KindRegistry, pool: PoolPlanning, table: ValueTable): void {
  const kind = kinds.data.get(resource.type);
  if (!kind) {
    pool.diagnostics.push(error(`data source ${resource.type} is not supported yet`, resource.address));
    return;
  }
  const resolved = resolveAttrs(resource, table);
  pool.diagnostics.push(...resolved.diagnostics);
  if (resolved.diagnostics.length > 0) return;
  const unknown = Object.keys(resolved.spec).filter((k) => containsUnknown(resolved.spec[k]));
  if (unknown.length > 0) {
    pool.diagnostics.push(error(`${unknown.join(", ")} must be known at plan time: a data source reads the pool while planning, before this apply creates anything`, resource.address,
      "Refer to an object that exists already, or split the change into two applies."));
    return;
  }
  const result = kind.read({ address: resource.address, spec: resolved.spec, view: pool.view });
  pool.diagnostics.push(...result.diagnostics);
  pool.reads.push(...result.reads);
  if (result.attrs) table.set(resource.address, { ...resolved.spec, ...result.attrs });
}

/** Claims that each fit but together exceed what the resource has (each alone was checked by its kind). */
function overcommitted(claims: readonly { address: Address; claim: Claim }[]): Diagnostic[] {
  const byResource = new Map<string, { address: Address; claim: Claim }[]>();
  for (const c of claims) byResource.set(c.claim.resource, [...(byResource.get(c.claim.resource) ?? []), c]);
  const out: Diagnostic[] = [];
  for (const group of byResource.values()) {
    const first = group[0];
    if (!first || group.length < 2 || group.some((c) => c.claim.bytes > c.claim.available)) continue;
    const total = group.reduce((sum, c) => sum + c.claim.bytes, 0);
    if (total <= first.claim.available) continue;
    out.push(error(`${first.claim.label} has ${formatBytes(first.claim.available)} free; together, ${group.length} changes need about ${formatBytes(total)} there`, first.address,
      ["The changes:", ...group.map((c) => `  - ${c.address}: about ${formatBytes(c.claim.bytes)}`), "Apply them in smaller batches (--target) after freeing space, or move them to another SR."].join("\n")));
  }
  return out;
}

/** Two provider blocks on one pool would each plan the other's objects as removed: refused. */
function samePoolTwice(pools: readonly PoolInput[]): Diagnostic[] {
  const byUuid = new Map<string, string[]>();
  for (const p of pools) byUuid.set(p.pool.uuid, [...(byUuid.get(p.pool.uuid) ?? []), p.provider]);
  return [...byUuid.values()].filter((aliases) => aliases.length > 1).map((aliases) => error(
    `provider blocks ${aliases.map((a) => `"${a}"`).join(" and ")} point at the same pool (${pools.find((p) => p.provider === aliases[0])?.pool.name_label ?? "?"}); each would plan the other's objects as removed`,
    undefined, "Use one provider block per pool: give these resources the same provider."));
}

/** Two addresses holding what only one may hold: one error per key, naming every holder. */
function doubleHolds(holds: Holds): Diagnostic[] {
  const byKey = new Map<string, Holds>();
  for (const h of holds) byKey.set(h.exclusive.key, [...(byKey.get(h.exclusive.key) ?? []), h]);
  const out: Diagnostic[] = [];
  for (const group of byKey.values()) {
    const first = group[0];
    const holders = [...new Set(group.map((h) => h.address))];
    if (!first || holders.length < 2) continue;
    out.push(error(`${first.exclusive.label} is claimed by ${holders.join(" and ")}: ${first.exclusive.rule}`, first.address,
      `Keep ${first.exclusive.label} in one of them only.`));
  }
  return out;
}

function duplicateDestroy(result: DiffResult, dup: Live): DiffResult {
  if (!result.planned) return result;
  const planned: PlannedAction = {
    ...result.planned,
    notes: [`(a second object, ${dup.uuid ?? "a registry entry"}, also claims this address: an interrupted replace left it; the newest stays)`, ...result.planned.notes],
  };
  return { ...result, planned };
}

/** The kind an address belongs to (`xapi_snapshot.web` → the xapi_snapshot kind). */
export function kindOfAddress(address: Address, kinds: KindRegistry): ResourceKind | undefined {
  for (const [type, kind] of kinds.managed) if (address.startsWith(`${type}.`)) return kind;
  return undefined;
}

function fingerprints(view: PoolView, reads: readonly ObjectRead[]): Fingerprint[] {
  const seen = new Set<string>();
  const out: Fingerprint[] = [];
  for (const r of reads) {
    const id = "uuid" in r ? r.uuid : r.registryKey;
    const key = `${id} ${r.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push("uuid" in r
      ? { uuid: r.uuid, address: r.address, fingerprint: fingerprintOf(view, r.uuid) }
      : { registryKey: r.registryKey, address: r.address, fingerprint: fingerprintOfEntry(view, r.registryKey) });
  }
  return out;
}
