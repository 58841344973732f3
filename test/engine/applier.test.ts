/**
 * The applier's scheduling and bookkeeping with a fake kind and a fake client (functions, no server):
 * order, per-key serialisation, stop after failure, skipped dependents, intents and registry writes.
 * The real kinds against the simulator are in apply.integration.test.ts.
 */
import { applyPlan, applyPlans } from "../../src/engine/applier";
import { asAddress, UNKNOWN, type Action, type ApplyEvent, type Attrs, type Change, type ConfigValue, type Plan } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import { kindRegistry, type ResourceKind } from "../../src/resources/kind";
import type { Uuid, XapiValue } from "../../src/xapi/types";

const change = (name: string, action: Action, key: string, dependsOn: string[] = []): Change => ({
  address: asAddress(`fake_thing.${name}`), type: "fake_thing", name, provider: "default", action,
  before: null, after: {}, notes: [], dependsOn: dependsOn.map((d) => asAddress(`fake_thing.${d}`)), private: { key },
});

const planOf = (...changes: Change[]): Plan => ({
  formatVersion: 1, tool: { name: "xsnap", version: "test" }, createdAt: "", stack: "s", provider: "default",
  pool: { uuid: "p", name_label: "p", url: "", xapi_version: "", insecure: false }, configHash: "", destroyMode: false,
  changes, drift: [], diagnostics: [], fingerprints: [], managedSetHash: "", intents: [],
});

function harness(opts: { fail?: string[]; delayMs?: number; refuse?: string[]; changeFirst?: boolean; transfer?: number } = {}) {
  const log: string[] = [];
  const pending = new Set<string>();
  const inputs = new Map<string, Attrs>();
  let running = 0;
  const maxRunningPerKey = new Map<string, number>();
  const runningPerKey = new Map<string, number>();
  let maxRunning = 0;
  const client: XapiClient = {
    url: "fake",
    call: async (method: string, params: readonly XapiValue[] = []) => {
      if (method === "pool.get_all") return ["OpaqueRef:pool"];
      const key = String(params[1] ?? "");
      if (key.startsWith("xsnap.pending/")) {
        if (method === "pool.add_to_other_config") pending.add(key);
        else pending.delete(key);
      }
      log.push(`${method} ${String(params[1] ?? "")}`.replace(/pending\/s\/[0-9a-f-]+/, "pending/s/ID"));
      return "";
    },
    callAsync: async () => "",
    readPoolView: async () => { throw new Error("not used"); },
    httpGet: async () => { throw new Error("not used"); },
    httpPut: async () => { throw new Error("not used"); },
    waitTask: async () => { throw new Error("not used"); },
    close: async () => undefined,
  };
  const kind: ResourceKind = {
    type: "fake_thing", computed: [], identity: { by: "markers" },
    observe: () => new Map(), diff: () => ({ diagnostics: [], reads: [] }), checkPayload: () => undefined,
    serialKeys: (c, inputs) => [String(inputs.key ?? (c.private as { key: string }).key)],
    intentSubject: () => ({}),
    resolveIntent: () => ({ status: "discard", detail: "" }),
    finishIntent: async () => undefined,
    adopt: async () => undefined,
    release: async () => undefined,
    unadoptable: () => undefined,
    apply: async (c, ctx) => {
      inputs.set(c.name, ctx.inputs);
      if (opts.transfer) ctx.transferred(opts.transfer);
      const key = String(ctx.inputs.key ?? (c.private as { key: string }).key);
      running++; maxRunning = Math.max(maxRunning, running);
      runningPerKey.set(key, (runningPerKey.get(key) ?? 0) + 1);
      maxRunningPerKey.set(key, Math.max(maxRunningPerKey.get(key) ?? 0, runningPerKey.get(key) ?? 0));
      log.push(`apply ${c.name}`);
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 5));
      running--; runningPerKey.set(key, (runningPerKey.get(key) ?? 1) - 1);
      log.push(`done ${c.name}`);
      if (opts.fail?.includes(c.name)) throw new Error(`${c.name} broke`);
      if (opts.refuse?.includes(c.name)) {
        if (opts.changeFirst) await ctx.client.call("VM.set_name_label", []);
        throw Object.assign(new Error("refused"), { code: "VM_BAD_POWER_STATE", params: ["x"] });
      }
      return { uuid: `uuid-${c.name}` as Uuid };
    },
  };
  return { client, kinds: kindRegistry({ managed: [kind], data: [] }), log, pending, inputs, stats: () => ({ maxRunning, maxRunningPerKey }) };
}

describe("applyPlan", () => {
  it("records an intent before the step, then the registry entry, then clears the intent", async () => {
    const h = harness();
    const report = await applyPlan({ plan: planOf(change("a", "create", "vm1")), client: h.client, kinds: h.kinds });
    expect(report).toEqual({ applied: [{ address: "fake_thing.a", action: "create" }], failed: [], skipped: [] });
    expect(h.log).toEqual([
      "pool.add_to_other_config xsnap.pending/s/ID",
      "apply a",
      "done a",
      "pool.add_to_other_config xsnap.managed/s/fake_thing.a",
      "pool.remove_from_other_config xsnap.pending/s/ID",
    ]);
  });

  it("runs steps sharing a serial key one at a time and others in parallel", async () => {
    const h = harness({ delayMs: 20 });
    const plan = planOf(change("a", "create", "vm1"), change("b", "create", "vm1"), change("c", "create", "vm2"), change("d", "create", "vm3"));
    const report = await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 4 });
    expect(report.applied).toHaveLength(4);
    expect(h.stats().maxRunningPerKey.get("vm1")).toBe(1);
    expect(h.stats().maxRunning).toBeGreaterThan(1);
  });

  it("never runs more steps at once than the parallelism", async () => {
    const h = harness({ delayMs: 10 });
    const plan = planOf(...["a", "b", "c", "d", "e", "f"].map((n) => change(n, "create", n)));
    await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 2 });
    expect(h.stats().maxRunning).toBe(2);
  });

  it("runs destroys after every create, and dependencies first", async () => {
    const h = harness();
    const plan = planOf(change("old", "destroy", "k1"), change("b", "create", "k2", ["a"]), change("a", "create", "k3"));
    await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 4 });
    expect(h.log.filter((l) => l.startsWith("apply"))).toEqual(["apply a", "apply b", "apply old"]);
  });

  it("after a failure starts nothing new, skips dependents, and keeps the failed step's intent", async () => {
    const h = harness();
    const plan = planOf(change("a", "create", "k"), change("b", "create", "k", ["a"]), change("c", "create", "k"));
    const report = await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 1 });
    expect(report.failed).toEqual([]);
    const h2 = harness({ fail: ["a"] });
    const failed = await applyPlan({ plan, client: h2.client, kinds: h2.kinds, parallelism: 1 });
    expect(failed.failed).toEqual([{ address: "fake_thing.a", message: "a broke" }]);
    expect(failed.skipped.map((s) => `${s.address}: ${s.because}`)).toEqual([
      "fake_thing.b: depends on fake_thing.a which failed",
      "fake_thing.c: not started: fake_thing.a failed",
    ]);
    // Only the failed step's intent stays behind (intents recorded ahead for b and c are cleared).
    expect(h2.pending.size).toBe(1);
    expect(h.pending.size).toBe(0);
  });

  describe("intents recorded ahead while every slot is busy", () => {
    const intentWrites = (log: readonly string[]): number => log.filter((l) => l === "pool.add_to_other_config xsnap.pending/s/ID").length;

    it("a step whose intent was recorded ahead starts with its own call: one intent per step, all cleared", async () => {
      const h = harness({ delayMs: 10 });
      const plan = planOf(change("a", "create", "vm1"), change("b", "create", "vm2"), change("c", "create", "vm3"));
      const report = await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 1 });
      expect(report.applied).toHaveLength(3);
      expect(intentWrites(h.log)).toBe(3);
      // b's intent was written while a ran, c's while b ran.
      expect(intentWrites(h.log.slice(0, h.log.indexOf("done a")))).toBe(2);
      expect(intentWrites(h.log.slice(0, h.log.indexOf("done b")))).toBe(3);
      expect(h.pending.size).toBe(0);
    });

    it("records nothing ahead for a step that shares its serial key with another unfinished step", async () => {
      const h = harness({ delayMs: 10 });
      const plan = planOf(change("a", "create", "vm1"), change("b", "create", "vm1"));
      await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 1 });
      expect(intentWrites(h.log.slice(0, h.log.indexOf("done a")))).toBe(1);
      expect(h.pending.size).toBe(0);
    });

    it("clears the intents recorded ahead for steps a failure kept from starting", async () => {
      const h = harness({ fail: ["a"], delayMs: 10 });
      const plan = planOf(change("a", "create", "vm1"), change("b", "create", "vm2"), change("c", "create", "vm3"));
      const report = await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 1 });
      expect(report.skipped.map((s) => s.address)).toEqual(["fake_thing.b", "fake_thing.c"]);
      expect(intentWrites(h.log)).toBe(2);   // a's and b's (recorded ahead); c's never
      expect(h.pending.size).toBe(1);        // only the failed step's intent stays behind
    });
  });

  it("puts the bytes a transfer moved on its periodic progress events", async () => {
    const h = harness({ transfer: 5 * 1024 * 1024, delayMs: 60 });
    const events: ApplyEvent[] = [];
    await applyPlan({ plan: planOf(change("xva", "create", "k")), client: h.client, kinds: h.kinds, tickSeconds: 0.02, onEvent: (e) => events.push(e) });
    expect(events).toContainEqual(expect.objectContaining({ type: "progress", address: "fake_thing.xva", bytes: 5 * 1024 * 1024 }));
  });

  it("leaves no intent for a step that XAPI refused before it changed anything", async () => {
    const h = harness({ refuse: ["a"] });
    const report = await applyPlan({ plan: planOf(change("a", "create", "k")), client: h.client, kinds: h.kinds });
    expect(report.failed).toEqual([{ address: "fake_thing.a", message: "VM_BAD_POWER_STATE(x): the VM must be in another power state but is not" }]);
    expect(h.pending.size).toBe(0);
  });

  it("keeps the intent of a step that changed the pool before XAPI refused a later call", async () => {
    const h = harness({ refuse: ["a"], changeFirst: true });
    await applyPlan({ plan: planOf(change("a", "create", "k")), client: h.client, kinds: h.kinds });
    expect(h.pending.size).toBe(1);
  });

  it("an abort lets the running step finish and starts nothing else", async () => {
    const h = harness({ delayMs: 20 });
    const abort = new AbortController();
    const plan = planOf(change("a", "create", "k"), change("b", "create", "k"));
    const result = applyPlan({ plan, client: h.client, kinds: h.kinds, signal: abort.signal, onEvent: (e) => { if (e.type === "start") abort.abort(); } });
    const report = await result;
    expect(report.applied.map((a) => a.address)).toEqual(["fake_thing.a"]);
    expect(report.skipped).toEqual([{ address: "fake_thing.b", because: "not started: the apply was interrupted" }]);
  });

  it("does not run a plan with errors", async () => {
    const h = harness();
    const plan = { ...planOf(change("a", "create", "k")), diagnostics: [{ severity: "error" as const, summary: "bad" }] };
    const report = await applyPlan({ plan, client: h.client, kinds: h.kinds });
    expect(report.skipped).toEqual([{ address: "fake_thing.a", because: "the plan has errors; it cannot be applied" }]);
    expect(h.log).toEqual([]);
  });

  it("does not run a plan that an ambiguous intent blocks", async () => {
    const h = harness();
    const plan = { ...planOf(change("a", "create", "k")), intents: [{ id: "x", address: asAddress("fake_thing.a"), type: "fake_thing", op: "create" as const, started: "", status: "ambiguous" as const, detail: "" }] };
    const report = await applyPlan({ plan, client: h.client, kinds: h.kinds });
    expect(report.applied).toEqual([]);
    expect(report.skipped).toHaveLength(1);
    expect(h.log).toEqual([]);
  });

  describe("values known only after apply", () => {
    const ref = (name: string, attribute = "uuid"): ConfigValue => ({ ref: { address: asAddress(`fake_thing.${name}`), attribute } });
    const dependent = (name: string, deferred: Record<string, ConfigValue>, dependsOn: string[], key = name): Change =>
      ({ ...change(name, "create", key, dependsOn), after: Object.fromEntries(Object.keys(deferred).map((k) => [k, UNKNOWN])), deferred });

    it("resolves a deferred input from the step it depends on, when the step runs", async () => {
      const h = harness();
      const plan = planOf(change("base", "create", "vm1"), dependent("tpl", { source: ref("base"), label: "fixed" }, ["base"]));
      const report = await applyPlan({ plan, client: h.client, kinds: h.kinds });
      expect(report.failed).toEqual([]);
      expect(h.inputs.get("tpl")).toEqual({ source: "uuid-base", label: "fixed" });
      expect(h.inputs.get("base")).toEqual({});
    });

    it("asks the serial keys with the inputs resolved: two steps on the same apply-time key never overlap", async () => {
      const h = harness({ delayMs: 15 });
      const plan = planOf(change("k", "create", "vm9"),
        dependent("x", { key: ref("k") }, ["k"]), dependent("y", { key: ref("k") }, ["k"]));
      await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 4 });
      expect(h.stats().maxRunningPerKey.get("uuid-k")).toBe(1);
    });

    it("fails a step whose input this apply does not produce, and starts nothing after it", async () => {
      const h = harness();
      const plan = planOf(dependent("lost", { source: ref("ghost") }, []), change("later", "create", "vm2", ["lost"]));
      const report = await applyPlan({ plan, client: h.client, kinds: h.kinds, parallelism: 1 });
      expect(report.failed).toEqual([{ address: "fake_thing.lost", message: expect.stringContaining("source refers to fake_thing.ghost.uuid, which this apply does not produce") }]);
      expect(report.skipped.map((s) => s.address)).toEqual(["fake_thing.later"]);
      expect(h.pending.size).toBe(0);   // it failed before its intent: nothing to settle
    });

    it("runs one DAG across pools: a step waits for another pool's step and reads its result", async () => {
      const a = harness({ delayMs: 10 });
      const b = harness();
      const second = { ...planOf(dependent("copy", { source: ref("origin") }, ["origin"])), provider: "dr" };
      const report = await applyPlans({ sections: [{ plan: second, client: b.client }, { plan: planOf(change("origin", "create", "vm1")), client: a.client }], kinds: a.kinds });
      expect(report.applied.map((x) => x.address)).toEqual(["fake_thing.origin", "fake_thing.copy"]);
      expect(a.inputs.get("copy")).toEqual({ source: "uuid-origin" });   // the kind is a's; the pools are separate clients
      expect(b.log).toContain("pool.add_to_other_config xsnap.managed/s/fake_thing.copy");
      expect(a.log).not.toContain("pool.add_to_other_config xsnap.managed/s/fake_thing.copy");
      expect(a.log).toContain("pool.add_to_other_config xsnap.managed/s/fake_thing.origin");
    });
  });
});
