/**
 * The planner (pure): desired stack + one PoolView → Plan. It never names a kind; every decision
 * about a resource type is the kind's `diff`. The engine adds what is generic: reference resolution
 * in dependency order, destroy of addresses gone from the configuration, --target / --replace /
 * --destroy, `protect`, duplicates, "deleted outside xsnap", intents and fingerprints.
 */
import { type DesiredResource, type DesiredStack, error, warning, type Address, type Diagnostic, type Change, type Drift, type Fingerprint, type Plan, type PoolIdentity } from "../model";
import type { Claim, DiffResult, KindRegistry, Live, ObjectRead, PlannedAction } from "../resources/kind";
import { builtinKinds } from "../resources";
import { formatBytes } from "../resources/space";
import type { PoolView } from "../xapi/records";
import { fingerprintOf, managedSetHash } from "./fingerprint";
import { buildGraph, topologicalOrder, withDependencies, withDependents } from "../model";
import { resolveIntents } from "./intents";
import { resolveAttrs, type ValueTable } from "./references";
import { readRegistry } from "./registry";
import { VERSION } from "../version";

export interface PlanOptions {
  /** `--target ADDR`: only these addresses (plus their dependencies; plus dependents with --destroy). */
  readonly targets?: readonly Address[];
  /** `--replace ADDR`: retake these even though nothing changed. */
  readonly replace?: readonly Address[];
  /** `--destroy`: plan the destruction of every managed object of the stack. */
  readonly destroy?: boolean;
}

export interface PlanStackArgs {
  readonly stack: DesiredStack;
  /** Provider alias (pool) to plan; resources of other aliases are left to their own plan. */
  readonly provider: string;
  readonly view: PoolView;
  readonly pool: PoolIdentity;
  readonly kinds?: KindRegistry;
  readonly options?: PlanOptions;
  readonly now?: Date;
  readonly toolVersion?: string;
}


export function planStack(args: PlanStackArgs): Plan {
  const kinds = args.kinds ?? builtinKinds();
  const { view, stack } = args;
  const options = args.options ?? {};
  const destroyMode = options.destroy === true;
  const replace = new Set(options.replace ?? []);
  const diagnostics: Diagnostic[] = [];
  const reads: ObjectRead[] = [];
  const changes: Change[] = [];
  const drift: Drift[] = [];
  const claims: { address: Address; claim: Claim }[] = [];

  const resources = stack.resources.filter((r) => r.provider === args.provider);
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const intents = resolveIntents(view, stack.stack, kinds);
  const observed = observeAll(view, stack.stack, kinds, intents.adopted);
  const registry = readRegistry(view, stack.stack);

  const graph = buildGraph(resources.map((r) => r.address), (a) => byAddress.get(a as Address)?.dependsOn ?? []);
  const topo = topologicalOrder(graph);
  if (!topo.ok) diagnostics.push(error(`dependency cycle: ${topo.cycle.join(" → ")}`, topo.cycle[0] as Address));
  const order = topo.ok ? (topo.order as Address[]) : resources.map((r) => r.address);

  const selected = selection({ options, destroyMode, graph, observed, byAddress, diagnostics });
  const isSelected = (a: Address): boolean => selected === undefined || selected.has(a);
  const table: ValueTable = new Map();

  const record = (resource: { address: Address; type: string; name: string; dependsOn: readonly Address[] }, result: DiffResult, live: Live | undefined, protect: boolean, reasonOverride?: Change["reason"]): void => {
    diagnostics.push(...result.diagnostics);
    reads.push(...result.reads);
    for (const claim of result.claims ?? []) claims.push({ address: resource.address, claim });
    if (result.drift) drift.push({ address: resource.address, type: resource.type, name: resource.name, ...result.drift });
    const planned = result.planned;
    if (!planned) return;
    const reason = reasonOverride ?? planned.reason;
    if (protect && (planned.action === "destroy" || planned.action === "replace")) {
      diagnostics.push(error(`Instance cannot be destroyed: ${resource.address} has protect = true, but the plan calls for it to be ${planned.action === "destroy" ? "destroyed" : "replaced"}`,
        resource.address, "To allow this, set protect = false in the configuration, apply, then plan again."));
    }
    const change: Change = {
      address: resource.address, type: resource.type, name: resource.name, provider: args.provider,
      action: planned.action, ...(reason ? { reason } : {}), before: planned.before, after: planned.after,
      notes: planned.notes, dependsOn: resource.dependsOn,
      ...(planned.private ? { private: planned.private } : {}),
      ...(live?.adoptedFrom ? { resolvesIntent: live.adoptedFrom } : {}),
    };
    changes.push(change);
    table.set(resource.address, planned.after ?? planned.before ?? {});
  };

  for (const address of order) {
    const resource = byAddress.get(address);
    if (!resource || !isSelected(address)) continue;
    if (resource.mode === "data") {
      readData(resource, kinds, view, table, diagnostics, reads);
      continue;
    }
    const kind = kinds.managed.get(resource.type);
    if (!kind) {
      diagnostics.push(error(`resource type ${resource.type} is not supported yet`, address,
        `This version of xsnap manages ${[...kinds.managed.keys()].join(", ")}; ${resource.type} comes in a later release.`));
      continue;
    }
    const resolved = resolveAttrs(resource, table);
    diagnostics.push(...resolved.diagnostics);
    if (resolved.diagnostics.length > 0) continue;
    const [live, ...duplicates] = observed.get(address) ?? [];
    const managedDeps = resource.dependsOn.filter((d) => byAddress.get(d)?.mode === "managed");
    const node = { address, type: resource.type, name: resource.name, dependsOn: managedDeps };
    const protect = resolved.spec.protect === true;
    const result = kind.diff({ address, stack: stack.stack, spec: destroyMode ? undefined : resolved.spec, live, view, replaceRequested: replace.has(address) });
    let reason: Change["reason"] | undefined;
    if (destroyMode) reason = "destroy_requested";
    else if (result.planned?.action === "replace" && replace.has(address) && !result.planned.reason) reason = "replace_by_request";
    else if (result.planned?.action === "create" && !live && registry.has(address)) {
      reason = "deleted_outside";
      drift.push({ address, type: resource.type, name: resource.name, kind: "deleted", before: { uuid: registry.get(address) ?? "" }, after: null });
    }
    record(node, result, live, protect, reason);
    for (const dup of duplicates) record(node, duplicateDestroy(kind.diff({ address, stack: stack.stack, spec: undefined, live: dup, view, replaceRequested: false }), dup), dup, false);
  }

  // Managed objects whose address left the configuration (or every one, with --destroy).
  for (const [address, lives] of [...observed].sort(([a], [b]) => a.localeCompare(b))) {
    if (byAddress.has(address) || !isSelected(address)) continue;
    const kind = kinds.managed.get(typeOfLive(address, kinds));
    if (!kind) continue;
    const type = kind.type;
    const node = { address, type, name: address.slice(type.length + 1), dependsOn: [] as Address[] };
    for (const live of lives) {
      record(node, kind.diff({ address, stack: stack.stack, spec: undefined, live, view, replaceRequested: false }), live, false,
        destroyMode ? "destroy_requested" : "not_in_configuration");
    }
  }

  const forgotten: Address[] = [];
  for (const [address, uuid] of registry) {
    if (observed.has(address) || byAddress.has(address)) continue;
    const type = typeOfLive(address, kinds);
    drift.push({ address, type, name: address.slice(type.length + 1), kind: "deleted", before: { uuid }, after: null });
    forgotten.push(address);
  }

  diagnostics.push(...overcommitted(claims));
  for (const [address, lives] of observed) for (const live of lives) reads.push({ uuid: live.uuid, address });
  return {
    formatVersion: 1,
    tool: { name: "xsnap", version: args.toolVersion ?? VERSION },
    createdAt: (args.now ?? new Date()).toISOString(),
    stack: stack.stack,
    provider: args.provider,
    pool: args.pool,
    configHash: stack.configHash,
    destroyMode,
    changes,
    drift,
    diagnostics,
    fingerprints: fingerprints(view, reads),
    managedSetHash: managedSetHash([...observed].flatMap(([a, lives]) => lives.map((l) => [a, l.uuid] as const))),
    intents: intents.resolutions,
    ...(forgotten.length ? { forgotten } : {}),
  };
}

/** Every object the kinds find for the stack, newest first per address, plus objects adopted from intents. */
export function observeAll(view: PoolView, stack: string, kinds: KindRegistry, adopted: ReadonlyMap<Address, Live>): Map<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const kind of kinds.managed.values()) {
    for (const [address, lives] of kind.observe(view, stack)) out.set(address, [...(out.get(address) ?? []), ...lives]);
  }
  for (const [address, live] of adopted) {
    const known = out.get(address) ?? [];
    if (!known.some((l) => l.uuid === live.uuid)) out.set(address, [...known, live]);
  }
  for (const lives of out.values()) lives.sort((a, b) => b.order - a.order || a.uuid.localeCompare(b.uuid));
  return out;
}

function selection(args: {
  readonly options: PlanOptions; readonly destroyMode: boolean; readonly graph: ReturnType<typeof buildGraph>;
  readonly observed: ReadonlyMap<Address, readonly Live[]>; readonly byAddress: ReadonlyMap<Address, DesiredResource>;
  readonly diagnostics: Diagnostic[];
}): ReadonlySet<string> | undefined {
  const targets = args.options.targets ?? [];
  if (targets.length === 0) return undefined;
  for (const t of targets) {
    if (!args.byAddress.has(t) && !args.observed.has(t)) args.diagnostics.push(warning(`--target ${t} matches no resource in the configuration or the pool`, t));
  }
  const inConfig = targets.filter((t) => args.byAddress.has(t));
  const closure = args.destroyMode ? withDependents(args.graph, inConfig) : withDependencies(args.graph, inConfig);
  return new Set([...closure, ...targets]);
}

function readData(resource: DesiredResource, kinds: KindRegistry, view: PoolView, table: ValueTable, diagnostics: Diagnostic[], reads: ObjectRead[]): void {
  const kind = kinds.data.get(resource.type);
  if (!kind) {
    diagnostics.push(error(`data source ${resource.type} is not supported yet`, resource.address));
    return;
  }
  const resolved = resolveAttrs(resource, table);
  diagnostics.push(...resolved.diagnostics);
  if (resolved.diagnostics.length > 0) return;
  const result = kind.read({ address: resource.address, spec: resolved.spec, view });
  diagnostics.push(...result.diagnostics);
  reads.push(...result.reads);
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

function duplicateDestroy(result: DiffResult, dup: Live): DiffResult {
  if (!result.planned) return result;
  const planned: PlannedAction = {
    ...result.planned,
    notes: [`(a second object, ${dup.uuid}, also claims this address: an interrupted replace left it; the newest stays)`, ...result.planned.notes],
  };
  return { ...result, planned };
}

function typeOfLive(address: Address, kinds: KindRegistry): string {
  for (const type of kinds.managed.keys()) if (address.startsWith(`${type}.`)) return type;
  return address.split(".")[0] ?? "";
}

function fingerprints(view: PoolView, reads: readonly ObjectRead[]): Fingerprint[] {
  const seen = new Set<string>();
  const out: Fingerprint[] = [];
  for (const r of reads) {
    const key = `${r.uuid} ${r.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ uuid: r.uuid, address: r.address, fingerprint: fingerprintOf(view, r.uuid) });
  }
  return out;
}
