/**
 * A dependency graph over string keys (STYLE: terraform's internal/dag knows nothing about resources).
 * An edge `a → b` means "a depends on b": b comes first.
 */
export interface Graph {
  readonly nodes: readonly string[];
  /** Direct dependencies of each node (only nodes of the graph). */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
}

export function buildGraph(nodes: readonly string[], dependsOn: (node: string) => readonly string[]): Graph {
  const known = new Set(nodes);
  const dependencies = new Map<string, readonly string[]>();
  for (const node of nodes) dependencies.set(node, [...new Set(dependsOn(node))].filter((d) => known.has(d) && d !== node));
  return { nodes: [...nodes], dependencies };
}

export type TopoResult =
  | { readonly ok: true; readonly order: readonly string[] }
  | { readonly ok: false; readonly cycle: readonly string[] };

/** Dependencies first; ties keep the input order so plans are stable. */
export function topologicalOrder(graph: Graph): TopoResult {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): readonly string[] | undefined => {
    const s = state.get(node);
    if (s === "done") return undefined;
    if (s === "visiting") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "visiting");
    stack.push(node);
    for (const dep of graph.dependencies.get(node) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    order.push(node);
    return undefined;
  };
  for (const node of graph.nodes) {
    const cycle = visit(node);
    if (cycle) return { ok: false, cycle };
  }
  return { ok: true, order };
}

/** The nodes plus everything they depend on, transitively. */
export function withDependencies(graph: Graph, roots: Iterable<string>): ReadonlySet<string> {
  return closure(roots, (n) => graph.dependencies.get(n) ?? []);
}

/** The nodes plus everything that depends on them, transitively. */
export function withDependents(graph: Graph, roots: Iterable<string>): ReadonlySet<string> {
  const dependents = new Map<string, string[]>();
  for (const [node, deps] of graph.dependencies) {
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), node]);
  }
  return closure(roots, (n) => dependents.get(n) ?? []);
}

function closure(roots: Iterable<string>, next: (n: string) => readonly string[]): ReadonlySet<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const n = todo.pop() as string;
    if (seen.has(n)) continue;
    seen.add(n);
    todo.push(...next(n));
  }
  return seen;
}
