/**
 * The applier: runs exactly the changes of a stack's plans against their pools (DESIGN §5 "Apply
 * execution"). One DAG across every pool, so a step may wait for another pool's step (export →
 * import). Dependency order; creates and updates before destroys; `parallelism` steps at once per
 * pool, never two steps that share a serial key (a VM). Each step: resolve its "(known after apply)"
 * inputs → intent → kind.apply (object + markers) → registry → clear intent. A throw keeps the intent
 * on purpose: the next plan adopts or discards what the step left. After a failure or an abort no new
 * step starts; in-flight steps finish.
 *
 * Parts: `buildSteps` (the DAG), `nextActions` (the pure scheduler), `runStep` (one step), `applyPlans`
 * (the loop that joins them).
 */
import { asAddress, hasBlockingIntents, hasErrors, type Action, type Address, type ApplyEvent, type ApplyReport, type Attrs, type Change, type Plan } from "../model";
import { builtinKinds } from "../resources";
import { type XapiClient, xapiCode } from "../resources/client";
import type { ApplyContext, KindRegistry, ResourceKind } from "../resources/kind";
import { defaultRetryPolicy, describeXapiError, isTransportError, retryingClient, type RetryPolicy } from "../xapi";
import type { OpaqueRef } from "../xapi/types";
import { applyTimeInputs, valueTable } from "./apply-values";
import { intentWriter, removeIntent, type IntentWriter } from "./intents";
import { clearRegistry, entryKey, entryWriter, poolRefOf, writeRegistry } from "./registry";

/** One pool's plan and the session to apply it with. */
export interface PlanSection {
  readonly plan: Plan;
  readonly client: XapiClient;
  /** Recorded in intents so `recover` can tell which apply left them. */
  readonly lockId?: string;
}

export interface ApplyPlansArgs {
  readonly sections: readonly PlanSection[];
  readonly kinds?: KindRegistry;
  readonly onEvent?: (event: ApplyEvent) => void;
  /** Steps running at once per pool (default 4, DESIGN §5). */
  readonly parallelism?: number;
  /** Abort = finish in-flight steps, start nothing new. */
  readonly signal?: AbortSignal;
  /** Cadence of "Still creating..." events (default 10 s). */
  readonly tickSeconds?: number;
  /** How transient failures are retried (default: xapi's policy; tests inject one without real waits). */
  readonly retryPolicy?: RetryPolicy;
}

export type ApplyArgs = Omit<ApplyPlansArgs, "sections"> & PlanSection;

/** One pool's apply (the single-section form of `applyPlans`). */
export const applyPlan = (args: ApplyArgs): Promise<ApplyReport> =>
  applyPlans({ ...args, sections: [{ plan: args.plan, client: args.client, ...(args.lockId ? { lockId: args.lockId } : {}) }] });

/** A step of the DAG: one change, the pool it runs on, and the steps it waits for. */
export interface Step {
  readonly index: number;
  readonly change: Change;
  readonly kind: ResourceKind;
  readonly section: number;
  readonly after: readonly number[];
}

/** A pool as the steps see it during the apply. */
interface Pool {
  readonly plan: Plan;
  /** For the applier's own calls (intents, registry): under the retry policy. */
  readonly client: XapiClient;
  /** The section's client as given, which each step wraps in its own retrying client. */
  readonly raw: XapiClient;
  readonly poolRef: OpaqueRef;
  readonly intents: IntentWriter;
}

type Outcome = "applied" | "failed" | "skipped";

export async function applyPlans(args: ApplyPlansArgs): Promise<ApplyReport> {
  const kinds = args.kinds ?? builtinKinds();
  const emit = args.onEvent ?? (() => undefined);
  const report = { applied: [] as { address: Address; action: Action }[], failed: [] as { address: Address; message: string }[], skipped: [] as { address: Address; because: string }[] };
  const steps = buildSteps(args.sections.map((s) => s.plan), kinds);
  // Defence in depth: the CLI refuses these plans before calling; nothing here may mutate for them.
  const refusal = args.sections.some((s) => hasErrors(s.plan.diagnostics)) ? "the plan has errors; it cannot be applied"
    : args.sections.some((s) => hasBlockingIntents(s.plan)) ? "an interrupted apply left an ambiguous intent; run xsnap recover" : undefined;
  if (refusal) {
    for (const s of steps) report.skipped.push({ address: s.change.address, because: refusal });
    return report;
  }
  const policy = args.retryPolicy ?? defaultRetryPolicy;
  const pools: Pool[] = [];
  for (const s of args.sections) {
    // The applier's own writes (intents, registry) are retried like the kinds' calls: a transient
    // TOO_MANY_PENDING_TASKS on an intent record must not fail the step. Their retries are the pool's.
    const where = asAddress(s.plan.provider === "default" ? "provider.xapi" : `provider.xapi.${s.plan.provider}`);
    const client = retryingClient(s.client, policy, {
      onRetry: (n) => emit({ type: "retry", address: where, attempt: n.attempt, max: n.max, code: n.code, delaySeconds: Math.round(n.delayMs / 100) / 10 }),
    });
    const poolRef = await poolRefOf(client);
    pools.push({ plan: s.plan, client, raw: s.client, poolRef, intents: intentWriter({ client, poolRef, stack: s.plan.stack, ...(s.lockId ? { lockId: s.lockId } : {}) }) });
  }
  const contextFor = (pool: Pool, change: Change, kind: ResourceKind | undefined, inputs: Attrs, announce?: StepWatch): ApplyContext => {
    let shownPercent = -1;   // tasks report progress at every poll: pass on whole-percent changes only
    const started = Date.now();
    const ctx: ApplyContext = {
      client: retryingClient(announce ? watchedClient(pool.raw, announce) : pool.raw, policy, {
        onRetry: (n) => emit({ type: "retry", address: change.address, attempt: n.attempt, max: n.max, code: n.code, delaySeconds: Math.round(n.delayMs / 100) / 10 }),
      }),
      poolRef: pool.poolRef, stack: pool.plan.stack, address: change.address, inputs,
      ...(kind?.identity.by === "registry" ? { registry: entryWriter(pool.client, pool.poolRef, entryKey(kind.identity.name, pool.plan.stack, change.address)) } : {}),
      ...(args.signal ? { signal: args.signal } : {}),
      progress: (fraction) => {
        const percent = Math.floor(fraction * 100);
        if (percent === shownPercent) return;
        shownPercent = percent;
        emit({ type: "progress", address: change.address, action: change.action, elapsedSeconds: elapsed(started), fraction, ...bytesOf(announce) });
      },
      transferred: (bytes, total) => {
        announce?.setBytes(bytes);
        if (total !== undefined && total > 0) ctx.progress(Math.min(1, bytes / total));
      },
      task: (ref) => { announce?.start(ref); announce?.task(ref); },
    };
    return ctx;
  };

  for (const pool of pools) {
    await settleIntents(pool, kinds, (c, k) => contextFor(pool, c, k, {}));
    for (const address of pool.plan.forgotten ?? []) await clearRegistry({ client: pool.client, poolRef: pool.poolRef, stack: pool.plan.stack, address });
  }

  const values = valueTable(args.sections.map((s) => s.plan));
  const state: SchedulerState = { outcome: new Map(), running: new Set(), busyKeys: new Set(), runningPerSection: new Map(), stopped: undefined };
  const running = new Map<number, Promise<void>>();
  const bookkeeping: Promise<void>[] = [];
  const keepsAddress = new Set(steps.filter((s) => s.change.action !== "destroy").map((s) => s.change.address));

  // Intents recorded ahead of their step (nextActions' `ahead`), by step index, until the step starts.
  const early = new Map<number, Promise<string>>();
  const recordIntent = (step: Step, inputs: Attrs): Promise<string> =>
    (pools[step.section] as Pool).intents.record(step.change, step.kind.intentSubject(step.change, inputs));

  const runStep = async (step: Step, inputs: Attrs): Promise<void> => {
    const { change } = step;
    const pool = pools[step.section] as Pool;
    const started = Date.now();
    const watch = stepWatch((task) => emit({ type: "start", address: change.address, action: change.action, ...(task ? { task } : {}) }));
    const ticker = setInterval(() => {
      watch.start();
      emit({ type: "progress", address: change.address, action: change.action, elapsedSeconds: elapsed(started), ...bytesOf(watch) });
    }, (args.tickSeconds ?? 10) * 1000);
    ticker.unref();
    let id: string | undefined;
    watch.onTask((task) => {
      if (id !== undefined) bookkeeping.push(pool.intents.addTask(id, task).catch(() => undefined));
    });
    try {
      const written = early.get(step.index);
      early.delete(step.index);
      id = await (written ?? recordIntent(step, inputs));
      const applied = await step.kind.apply(change, contextFor(pool, change, step.kind, inputs, watch));
      watch.start();
      values.applied(change, applied);
      // The markers are on the object, so the step is done: the registry entry and the intent's
      // removal run off the critical path (a kill before they land leaves an intent the next plan
      // settles as "done"); the apply waits for them before it reports. They go out after the
      // calls of the step that takes this one's place, which would otherwise queue behind them.
      const intent = id;
      bookkeeping.push(nextTurn().then(() => Promise.all([
        updateRegistry(pool, change, applied.uuid, keepsAddress),
        pool.intents.clear(intent),
        change.resolvesIntent ? pool.intents.clear(change.resolvesIntent, pool.plan.intents?.find((i) => i.id === change.resolvesIntent)?.tasks?.length ?? 0) : undefined,
      ])).then(() => undefined, (e: unknown) => {
        report.failed.push({ address: change.address, message: `applied, but its intent record could not be cleared (${describe(e)}); the next plan settles it` });
      }));
      state.outcome.set(step.index, "applied");
      report.applied.push({ address: change.address, action: change.action });
      emit({ type: "complete", address: change.address, action: change.action, elapsedSeconds: elapsed(started), ...(applied.uuid ? { uuid: applied.uuid } : {}) });
    } catch (e) {
      watch.start();
      // XAPI answered with an error before the step changed anything: nothing is left to settle.
      if (id !== undefined && !watch.changed() && xapiCode(e) !== undefined) {
        const intent = id;
        bookkeeping.push(pool.intents.clear(intent).catch(() => undefined));
      }
      // A request that reached the pool and lost its answer may have done its work: say so, since
      // the step is not repeated blindly (its intent stays for the next plan to settle).
      const unknown = id !== undefined && isTransportError(e) && e.sent;
      fail(step, unknown ? `${describe(e)}; the pool may have done it: the next plan adopts what it made or plans it again` : describe(e));
    } finally {
      clearInterval(ticker);
    }
  };

  // The scheduler asks after every finished step, for every waiting step: a step without deferred
  // inputs always prepares the same (the kinds decode their payload for it), so it is asked once.
  const constant = new Map<number, Prepared>();
  const prepare = (step: Step): Prepared => {
    const known = constant.get(step.index);
    if (known) return known;
    const inputs = applyTimeInputs(step.change, values);
    const prepared: Prepared = inputs.ok ? { ok: true, inputs: inputs.value, keys: step.kind.serialKeys(step.change, inputs.value) } : inputs;
    if (Object.keys(step.change.deferred ?? {}).length === 0) constant.set(step.index, prepared);
    return prepared;
  };

  for (;;) {
    if (args.signal?.aborted) state.stopped ??= "not started: the apply was interrupted";
    const next = nextActions(steps, state, {
      parallelism: Math.max(1, args.parallelism ?? 4),
      prepare,
    });
    for (const { step, inputs } of next.ahead) {
      if (early.has(step.index)) continue;
      const written = Promise.resolve().then(() => recordIntent(step, inputs));
      written.catch(() => undefined);   // a failed write fails its step when it starts (or is dropped below)
      early.set(step.index, written);
    }
    for (const s of next.skip) markSkipped(s.step, s.because);
    for (const f of next.fail) fail(f.step, f.message);
    for (const { step, inputs, keys } of next.start) {
      state.running.add(step.index);
      state.runningPerSection.set(step.section, (state.runningPerSection.get(step.section) ?? 0) + 1);
      for (const k of keys) state.busyKeys.add(k);
      running.set(step.index, runStep(step, inputs).finally(() => {
        running.delete(step.index);
        state.running.delete(step.index);
        state.runningPerSection.set(step.section, (state.runningPerSection.get(step.section) ?? 1) - 1);
        for (const k of keys) state.busyKeys.delete(k);
      }));
    }
    if (running.size === 0 && next.start.length === 0 && next.fail.length === 0) break;
    if (running.size > 0) await Promise.race(running.values());
  }
  // Steps that never started (a failure or an interrupt stopped the apply) leave no intent behind.
  for (const [index, written] of early) {
    const pool = pools[steps[index]?.section ?? 0] as Pool;
    bookkeeping.push(written.then((id) => pool.intents.clear(id)).catch(() => undefined));
  }
  await Promise.all(bookkeeping);
  for (const step of steps) if (!state.outcome.has(step.index)) markSkipped(step, skipReason(step, steps, state));
  return report;

  function fail(step: Step, message: string): void {
    state.outcome.set(step.index, "failed");
    report.failed.push({ address: step.change.address, message });
    emit({ type: "errored", address: step.change.address, action: step.change.action, message });
    state.stopped ??= `not started: ${step.change.address} failed`;
  }

  function markSkipped(step: Step, because: string): void {
    state.outcome.set(step.index, "skipped");
    report.skipped.push({ address: step.change.address, because });
    emit({ type: "skipped", address: step.change.address, because });
  }
}

/** What the scheduler knows between two decisions. */
export interface SchedulerState {
  readonly outcome: Map<number, Outcome>;
  readonly running: Set<number>;
  readonly busyKeys: Set<string>;
  readonly runningPerSection: Map<number, number>;
  stopped: string | undefined;
}

type Prepared = { readonly ok: true; readonly inputs: Attrs; readonly keys: readonly string[] } | { readonly ok: false; readonly message: string };

/**
 * The pure scheduler: which steps start now (dependencies applied, no serial key busy, room in the
 * pool), which are skipped (a dependency failed or was skipped), which fail before they start (their
 * apply-time inputs cannot be resolved). Nothing starts once the apply is stopped.
 */
export function nextActions(steps: readonly Step[], state: SchedulerState, opts: { readonly parallelism: number; readonly prepare: (step: Step) => Prepared }): {
  readonly start: readonly { readonly step: Step; readonly inputs: Attrs; readonly keys: readonly string[] }[];
  readonly skip: readonly { readonly step: Step; readonly because: string }[];
  readonly fail: readonly { readonly step: Step; readonly message: string }[];
  /**
   * Steps that would start now but for the pool's parallelism, in the order they will start (at most
   * `parallelism` per pool), and only those whose serial keys no other unfinished step shares: the
   * applier records their intents ahead, so that a step starts with its mutating call. Such an intent
   * is what a kill between the intent and the first mutating call leaves, which the next plan
   * settles; a key no other step shares keeps it the only intent on its object.
   */
  readonly ahead: readonly { readonly step: Step; readonly inputs: Attrs }[];
} {
  const start: { step: Step; inputs: Attrs; keys: readonly string[] }[] = [];
  const skip: { step: Step; because: string }[] = [];
  const fail: { step: Step; message: string }[] = [];
  const ahead: { step: Step; inputs: Attrs }[] = [];
  if (state.stopped !== undefined) return { start, skip, fail, ahead };
  const busy = new Set(state.busyKeys);
  const perSection = new Map(state.runningPerSection);
  const aheadPerSection = new Map<number, number>();
  let shared: ReadonlySet<string> | undefined;   // keys of more than one unfinished step (computed when needed)
  for (const step of steps) {
    if (state.outcome.has(step.index) || state.running.has(step.index)) continue;
    const blocker = step.after.find((i) => state.outcome.get(i) !== "applied");
    if (blocker !== undefined) {
      const o = state.outcome.get(blocker);
      if (o === "failed" || o === "skipped") skip.push({ step, because: `depends on ${steps[blocker]?.change.address} which ${o === "failed" ? "failed" : "was skipped"}` });
      continue;
    }
    if ((perSection.get(step.section) ?? 0) >= opts.parallelism) {
      if ((aheadPerSection.get(step.section) ?? 0) >= opts.parallelism) continue;
      const prepared = opts.prepare(step);
      shared ??= sharedKeys(steps, state, opts.prepare);
      if (!prepared.ok || prepared.keys.some((k) => busy.has(k) || shared?.has(k))) continue;
      aheadPerSection.set(step.section, (aheadPerSection.get(step.section) ?? 0) + 1);
      ahead.push({ step, inputs: prepared.inputs });
      continue;
    }
    const prepared = opts.prepare(step);
    if (!prepared.ok) {
      fail.push({ step, message: prepared.message });
      break;   // a failure stops the apply: nothing else starts
    }
    if (prepared.keys.some((k) => busy.has(k))) continue;
    for (const k of prepared.keys) busy.add(k);
    perSection.set(step.section, (perSection.get(step.section) ?? 0) + 1);
    start.push({ step, inputs: prepared.inputs, keys: prepared.keys });
  }
  return { start, skip, fail, ahead: fail.length > 0 ? [] : ahead };
}

/** Serial keys more than one unfinished step holds (a step whose inputs are not known yet: its planned keys). */
function sharedKeys(steps: readonly Step[], state: SchedulerState, prepare: (step: Step) => Prepared): ReadonlySet<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const step of steps) {
    if (state.outcome.has(step.index)) continue;
    const prepared = prepare(step);
    for (const k of prepared.ok ? prepared.keys : step.kind.serialKeys(step.change, {})) {
      if (seen.has(k)) shared.add(k);
      seen.add(k);
    }
  }
  return shared;
}

function skipReason(step: Step, steps: readonly Step[], state: SchedulerState): string {
  const blocker = step.after.find((i) => state.outcome.get(i) === "failed" || state.outcome.get(i) === "skipped");
  if (blocker === undefined) return state.stopped ?? "not started";
  return `depends on ${steps[blocker]?.change.address} which ${state.outcome.get(blocker) === "failed" ? "failed" : "was skipped"}`;
}

/**
 * What the applier watches of a step: its start event, emitted once — with the task ref when the step
 * runs an XAPI task — and whether any call that changes the pool has succeeded yet.
 */
interface StepWatch {
  start(task?: string): void;
  /** Bytes a transfer has moved so far (shown on the periodic progress lines). */
  setBytes(bytes: number): void;
  bytes(): number | undefined;
  /** Each task the step starts, as it starts (the intent records it). */
  onTask(listener: (task: string) => void): void;
  task(ref: string): void;
  changed(): boolean;
  markChanged(): void;
}

function stepWatch(emitStart: (task: string | undefined) => void): StepWatch {
  let started = false;
  let changed = false;
  const listeners: ((task: string) => void)[] = [];
  const seen = new Set<string>();
  let moved: number | undefined;
  return {
    setBytes: (b) => { moved = b; },
    bytes: () => moved,
    onTask: (l) => { listeners.push(l); },
    task: (ref) => {
      if (seen.has(ref)) return;
      seen.add(ref);
      for (const l of listeners) l(ref);
    },
    start: (task) => {
      if (started) return;
      started = true;
      emitStart(task);
    },
    changed: () => changed,
    markChanged: () => { changed = true; },
  };
}

const bytesOf = (watch: StepWatch | undefined): { bytes?: number } => {
  const b = watch?.bytes();
  return b === undefined ? {} : { bytes: b };
};

/** Getters are `<Class>.get_*` by XAPI's naming (reference/xapi-datamodel.json); everything else may change the pool. */
const isRead = (method: string): boolean => /\.get_/.test(method);

/**
 * The step's `Creating...` line waits for the step's first change to the pool, so that a step that
 * runs an XAPI task names it (iac-conventions §6.4: `Creating... [task=OpaqueRef:…]`): an `Async.*`
 * call announces with its task ref, any other call but a getter announces at once; reads made first
 * do not trigger it. A step that changes nothing still announces, when it ends. A change counts once
 * XAPI accepted it, so that a step refused outright leaves no intent behind.
 */
function watchedClient(client: XapiClient, watch: StepWatch): XapiClient {
  const changing = async <T>(run: () => Promise<T>): Promise<T> => {
    const value = await run();
    watch.markChanged();
    return value;
  };
  return {
    get url() { return client.url; },
    readPoolView: () => client.readPoolView(),
    close: () => client.close(),
    httpGet: (path, query, opts) => {
      watch.start();
      return client.httpGet(path, query, opts);
    },
    httpPut: (path, query, body, opts) => {
      watch.start();
      return changing(() => client.httpPut(path, query, body, opts));
    },
    waitTask: (task, method, opts) => client.waitTask(task, method, opts),
    call: (method, params, opts) => {
      if (isRead(method)) return client.call(method, params, opts);
      watch.start();
      return changing(() => client.call(method, params, opts));
    },
    callAsync: (method, params, opts = {}) => changing(() => client.callAsync(method, params, {
      ...opts,
      onTask: (task) => { watch.start(task); watch.task(task); opts.onTask?.(task); },
    })),
  };
}

/** Steps of every section in plan order; destroys wait for every create/update/replace of their pool ("destroys last"). */
export function buildSteps(plans: readonly Plan[], kinds: KindRegistry): Step[] {
  const changes = plans.flatMap((plan, section) => plan.changes.filter((c) => c.action !== "no-op" && c.action !== "read").map((change) => ({ change, section })));
  const indexOf = new Map<Address, number[]>();
  changes.forEach(({ change }, i) => indexOf.set(change.address, [...(indexOf.get(change.address) ?? []), i]));
  return changes.map(({ change, section }, index) => {
    const kind = kinds.managed.get(change.type);
    if (!kind) throw new Error(`${change.address}: no kind for ${change.type} (plan from another xsnap version?)`);
    let after: number[];
    if (change.action === "destroy") {
      // After every non-destroy of its pool, and after the destroys of its dependents (reverse order).
      after = changes.flatMap((c, i) => (c.section === section && c.change.action !== "destroy") || (c.change.action === "destroy" && c.change.dependsOn.includes(change.address)) ? [i] : []);
    } else {
      after = change.dependsOn.flatMap((a) => indexOf.get(a) ?? []).filter((i) => changes[i]?.change.action !== "destroy");
    }
    return { index, change, kind, section, after: after.filter((i) => i !== index) };
  });
}

async function settleIntents(pool: Pool, kinds: KindRegistry, ctxFor: (c: Change, kind: ResourceKind) => ApplyContext): Promise<void> {
  for (const r of pool.plan.intents ?? []) {
    if (r.status !== "done" && r.status !== "discard") continue;   // adopt: cleared by its change; ambiguous: blocks
    const kind = kinds.managed.get(r.type);
    if (kind && (r.cleanup?.length || r.uninstall?.length)) {
      const pseudo: Change = { address: r.address, type: r.type, name: "", provider: pool.plan.provider, action: "destroy", before: null, after: null, notes: [], dependsOn: [] };
      await kind.finishIntent(r.status === "done" ? { status: "done", detail: r.detail, cleanup: r.cleanup ?? [] }
        : { status: "discard", detail: r.detail, cleanup: r.cleanup ?? [], uninstall: r.uninstall ?? [] }, ctxFor(pseudo, kind));
    }
    await removeIntent(pool.client, pool.poolRef, pool.plan.stack, r.id, r.tasks?.length ?? 0);
  }
}

async function updateRegistry(pool: Pool, change: Change, uuid: string | undefined, keepsAddress: ReadonlySet<Address>): Promise<void> {
  const entry = { client: pool.client, poolRef: pool.poolRef, stack: pool.plan.stack, address: change.address };
  if (change.action === "destroy") {
    if (!keepsAddress.has(change.address)) await clearRegistry(entry);
    return;
  }
  if (!uuid || (change.action === "update" && !change.resolvesIntent)) return;
  await writeRegistry({ ...entry, uuid });
}


/** Resolves once the event loop has run what is already queued (the next step's first call included). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const elapsed = (started: number): number => Math.round((Date.now() - started) / 100) / 10;

/** An XAPI error as the CLI prints one, with its hint (code and params only); anything else is a transport or a bug. */
function describe(e: unknown): string {
  const code = xapiCode(e);
  if (code) return describeXapiError(code, (e as { params: readonly string[] }).params);
  return e instanceof Error ? e.message : String(e);
}


