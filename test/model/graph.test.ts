import { buildGraph, topologicalOrder, withDependencies, withDependents } from "../../src/model/graph";

const deps: Record<string, string[]> = { a: [], b: ["a"], c: ["b"], d: ["a"] };
const graph = buildGraph(["c", "d", "b", "a"], (n) => deps[n] ?? []);

describe("dependency graph", () => {
  it("orders dependencies first and keeps the input order among independent nodes", () => {
    expect(topologicalOrder(graph)).toEqual({ ok: true, order: ["a", "b", "c", "d"] });
  });

  it("reports a cycle with the nodes on it", () => {
    const cyclic = buildGraph(["x", "y"], (n) => (n === "x" ? ["y"] : ["x"]));
    expect(topologicalOrder(cyclic)).toEqual({ ok: false, cycle: ["x", "y", "x"] });
  });

  it("closes over dependencies (for --target) and dependents (for --target with --destroy)", () => {
    expect([...withDependencies(graph, ["c"])].sort()).toEqual(["a", "b", "c"]);
    expect([...withDependents(graph, ["b"])].sort()).toEqual(["b", "c"]);
  });

  it("ignores edges to nodes outside the graph", () => {
    expect(buildGraph(["a"], () => ["missing"]).dependencies.get("a")).toEqual([]);
  });
});
