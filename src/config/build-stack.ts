/**
 * One synthesized stack document → DesiredStack (or every diagnostic): decode, validate each
 * block against the schema, resolve references into a dependency graph, order it, hash it. Pure.
 */
import { asAddress, error, resultOf, type Address, type Diagnostic, type Result, canonicalJson, sha256Hex, type DesiredResource, type DesiredStack, type ProviderConfig, buildGraph, topologicalOrder } from "../model";
import { resourceSchema } from "../schema";
import { aliasesOf, decodeProviders } from "./providers";
import type { ReferenceScope, RefTarget } from "./references";
import { decodeDocument } from "./tf-json";
import { DEFAULT_ALIAS, validateResource } from "./validate-resource";

/** A VM in two schedules would be moved silently by VM.set_snapshot_schedule (reference §3.10). */
function vmsInTwoSchedules(resources: readonly DesiredResource[]): Diagnostic[] {
  const owner = new Map<string, Address>();
  const out: Diagnostic[] = [];
  for (const r of resources) {
    if (r.type !== "xapi_snapshot_schedule") continue;
    const vms = r.attrs.vms;
    for (const vm of Array.isArray(vms) ? vms : []) {
      if (typeof vm !== "string") continue;
      const key = `${r.provider}\u0000${vm}`;
      const first = owner.get(key);
      if (first) out.push(error(`VM ${JSON.stringify(vm)} is also in ${first}; a VM belongs to at most one snapshot schedule`, r.address));
      else owner.set(key, r.address);
    }
  }
  return out;
}

function order(resources: readonly DesiredResource[]): { readonly ordered: readonly DesiredResource[]; readonly diagnostics: readonly Diagnostic[] } {
  const byAddress = new Map(resources.map((r) => [r.address as string, r]));
  const graph = buildGraph([...byAddress.keys()].sort(), (a) => byAddress.get(a)?.dependsOn ?? []);
  const topo = topologicalOrder(graph);
  if (!topo.ok) {
    const cycle = topo.cycle;
    return { ordered: [], diagnostics: [error(`dependency cycle: ${cycle.join(" → ")}`, asAddress(cycle[0]))] };
  }
  return { ordered: topo.order.map((a) => byAddress.get(a) as DesiredResource), diagnostics: [] };
}

export function buildDesiredStack(doc: unknown, stack: string): Result<DesiredStack> {
  const decoded = decodeDocument(doc);
  const diagnostics: Diagnostic[] = [...decoded.diagnostics];
  const { document } = decoded;

  const targets = new Map<string, RefTarget>(document.resources.map((r) => [
    r.address as string, { address: r.address, schema: resourceSchema(r.type, r.mode) },
  ]));
  const scope: ReferenceScope = { targets };
  const decodedProviders = decodeProviders(document.providers);
  diagnostics.push(...decodedProviders.diagnostics);
  const aliases = aliasesOf(document.providers);

  const resources: DesiredResource[] = [];
  for (const raw of document.resources) {
    const v = validateResource(raw, scope, aliases);
    diagnostics.push(...v.diagnostics);
    if (v.resource) resources.push(v.resource);
  }
  diagnostics.push(...vmsInTwoSchedules(resources));
  const ordered = order(resources);
  diagnostics.push(...ordered.diagnostics);

  const providers: Record<string, ProviderConfig> = { ...decodedProviders.providers };
  // Resources without a provider block still have a pool: XAPI_URL / XAPI_USERNAME at connect time.
  if (!providers[DEFAULT_ALIAS] && resources.some((r) => r.provider === DEFAULT_ALIAS)) {
    providers[DEFAULT_ALIAS] = { alias: DEFAULT_ALIAS };
  }
  const configHash = sha256Hex(canonicalJson({ providers, resources: ordered.ordered }));
  return resultOf<DesiredStack>({ stack, configHash, providers, resources: ordered.ordered }, diagnostics);
}
