/**
 * The applier: runs exactly the changes of a plan against the pool (DESIGN §5 "Apply execution").
 * Dependency order; creates and updates before destroys; `parallelism` across VMs and strictly one
 * step at a time per serialKey (VM). Each step: intent → kind.apply (object + markers) → registry →
 * clear intent. A throw keeps the intent on purpose: the next plan adopts or discards what the step
 * left. After a failure or an abort no new step starts; in-flight steps finish.
 */
import type { ApplyContext, KindRegistry, ResourceKind } from "../resources/kind";
import { type XapiClient, xapiCode } from "../resources/client";
import { builtinKinds } from "../resources";
import type { OpaqueRef, XapiValue } from "../xapi/types";
import { intentKey, intentWriter } from "./intents";
import { type Action, type ApplyEvent, type ApplyReport, type Change, type IntentResolution, type Plan, hasBlockingIntents, hasErrors, type Address } from "../model";
import { clearRegistry, writeRegistry } from "./registry";

export interface ApplyArgs {
  readonly plan: Plan;
  readonly client: XapiClient;
  readonly kinds?: KindRegistry;
  readonly onEvent?: (event: ApplyEvent) => void;
  /** Steps running at once across VMs (default 4, DESIGN §5). */
  readonly parallelism?: number;
  /** Abort = finish in-flight steps, start nothing new. */
  readonly signal?: AbortSignal;
  /** Recorded in intents so `recover` can tell which apply left them. */
  readonly lockId?: string;
  /** Cadence of "Still creating..." events (default 10 s). */
  readonly tickSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Step {
  readonly index: number;
  readonly change: Change;
  readonly kind: ResourceKind;
  readonly after: readonly number[];
  readonly serialKey: string | undefined;
}

type Outcome = "applied" | "failed" | "skipped";

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function applyPlan(args: ApplyArgs): Promise<ApplyReport> {
  const kinds = args.kinds ?? builtinKinds();
  const emit = args.onEvent ?? (() => undefined);
  const report = { applied: [] as { address: Address; action: Action }[], failed: [] as { address: Address; message: string }[], skipped: [] as { address: Address; because: string }[] };
  const steps = buildSteps(args.plan, kinds);
  // Defence in depth: the CLI refuses these plans before calling; nothing here may mutate for them.
  const refusal = hasErrors(args.plan.diagnostics) ? "the plan has errors; it cannot be applied"
    : hasBlockingIntents(args.plan) ? "an interrupted apply left an ambiguous intent; run xsnap recover" : undefined;
  if (refusal) {
    for (const s of steps) report.skipped.push({ address: s.change.address, because: refusal });
    return report;
  }
  const poolRef = await poolRefOf(args.client);
  const intents = intentWriter({ client: args.client, poolRef, stack: args.plan.stack, ...(args.lockId ? { lockId: args.lockId } : {}) });
  const sleep = args.sleep ?? defaultSleep;
  const ctxFor = (change: Change, started: number, start?: StartAnnouncer): ApplyContext => {
    let shownPercent = -1;   // tasks report progress at every poll: pass on whole-percent changes only
    return {
    client: start ? announcingClient(args.client, start) : args.client,
    stack: args.plan.stack, address: change.address, ...(args.signal ? { signal: args.signal } : {}), sleep,
    progress: (fraction) => {
      const percent = Math.floor(fraction * 100);
      if (percent === shownPercent) return;
      shownPercent = percent;
      emit({ type: "progress", address: change.address, action: change.action, elapsedSeconds: elapsed(started), fraction });
    },
    task: (ref) => start?.(ref),
    retry: (info) => emit({ type: "retry", address: change.address, ...info }),
    };
  };

  await settleIntents(args.plan.intents ?? [], kinds, args.client, poolRef, args.plan.stack, (c) => ctxFor(c, Date.now()));
  for (const address of args.plan.forgotten ?? []) await clearRegistry({ client: args.client, poolRef, stack: args.plan.stack, address });

  const outcome = new Map<number, Outcome>();
  const running = new Map<number, Promise<void>>();
  const busyKeys = new Set<string>();
  const parallelism = Math.max(1, args.parallelism ?? 4);
  let stopped: string | undefined;
  const keepsAddress = new Set(args.plan.changes.filter((c) => c.action !== "destroy").map((c) => c.address));

  const bookkeeping: Promise<void>[] = [];
  const run = async (step: Step): Promise<void> => {
    const { change } = step;
    const started = Date.now();
    const start = startAnnouncer((task) => emit({ type: "start", address: change.address, action: change.action, ...(task ? { task } : {}) }));
    const ticker = setInterval(() => {
      start();
      emit({ type: "progress", address: change.address, action: change.action, elapsedSeconds: elapsed(started) });
    }, (args.tickSeconds ?? 10) * 1000);
    ticker.unref();
    try {
      const id = await intents.record(change, step.kind.intentSubject(change));
      const applied = await step.kind.apply(change, ctxFor(change, started, start));
      start();
      // The markers are on the object, so the step is done: the registry entry and the intent's
      // removal run off the critical path (a kill before they land leaves an intent the next plan
      // settles as "done"); the apply waits for them before it reports.
      bookkeeping.push(Promise.all([
        updateRegistry(args.client, poolRef, args.plan.stack, change, applied.uuid, keepsAddress),
        intents.clear(id),
        change.resolvesIntent ? intents.clear(change.resolvesIntent) : undefined,
      ]).then(() => undefined, (e: unknown) => {
        report.failed.push({ address: change.address, message: `applied, but its intent record could not be cleared (${describe(e)}); the next plan settles it` });
      }));
      outcome.set(step.index, "applied");
      report.applied.push({ address: change.address, action: change.action });
      emit({ type: "complete", address: change.address, action: change.action, elapsedSeconds: elapsed(started), ...(applied.uuid ? { uuid: applied.uuid } : {}) });
    } catch (e) {
      start();
      outcome.set(step.index, "failed");
      const message = describe(e);
      report.failed.push({ address: change.address, message });
      emit({ type: "errored", address: change.address, action: change.action, message });
      stopped ??= `not started: ${change.address} failed`;
    } finally {
      clearInterval(ticker);
    }
  };

  for (;;) {
    if (args.signal?.aborted) stopped ??= "not started: the apply was interrupted";
    if (stopped === undefined) {
      for (const step of steps) {
        if (running.size >= parallelism) break;
        if (outcome.has(step.index) || running.has(step.index)) continue;
        if (step.serialKey !== undefined && busyKeys.has(step.serialKey)) continue;
        const blocker = step.after.find((i) => outcome.get(i) !== "applied");
        if (blocker !== undefined) {
          const o = outcome.get(blocker);
          if (o === "failed" || o === "skipped") markSkipped(step, `depends on ${steps[blocker]?.change.address} which ${o === "failed" ? "failed" : "was skipped"}`);
          continue;
        }
        if (step.serialKey !== undefined) busyKeys.add(step.serialKey);
        running.set(step.index, run(step).finally(() => {
          running.delete(step.index);
          if (step.serialKey !== undefined) busyKeys.delete(step.serialKey);
        }));
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  await Promise.all(bookkeeping);
  for (const step of steps) {
    if (outcome.has(step.index)) continue;
    const blocker = step.after.find((i) => outcome.get(i) === "failed" || outcome.get(i) === "skipped");
    const o = blocker === undefined ? undefined : outcome.get(blocker);
    markSkipped(step, blocker === undefined ? stopped ?? "not started" : `depends on ${steps[blocker]?.change.address} which ${o === "failed" ? "failed" : "was skipped"}`);
  }
  return report;

  function markSkipped(step: Step, because: string): void {
    outcome.set(step.index, "skipped");
    report.skipped.push({ address: step.change.address, because });
    emit({ type: "skipped", address: step.change.address, because });
  }
}

/** Emits a step's start event once; called with the task ref when the step runs an XAPI task. */
type StartAnnouncer = (task?: string) => void;

function startAnnouncer(emitStart: (task: string | undefined) => void): StartAnnouncer {
  let done = false;
  return (task) => {
    if (done) return;
    done = true;
    emitStart(task);
  };
}

/**
 * The step's `Creating...` line waits for the step's first change to the pool, so that a step that
 * runs an XAPI task names it (iac-conventions §6.4: `Creating... [task=OpaqueRef:…]`): an `Async.*`
 * call announces with its task ref, any other call but a getter announces at once. Getters are
 * `<Class>.get_*` by XAPI's naming (reference/xapi-datamodel.json), so the reads a step makes first
 * do not trigger it. A step that changes nothing still announces, when it ends.
 */
function announcingClient(client: XapiClient, start: StartAnnouncer): XapiClient {
  return {
    url: client.url,
    readPoolView: () => client.readPoolView(),
    close: () => client.close(),
    call: (method, params) => {
      if (!/\.get_/.test(method)) start();
      return client.call(method, params);
    },
    callAsync: (method, params, opts = {}) => client.callAsync(method, params, {
      ...opts,
      onTask: (task) => { start(task); opts.onTask?.(task); },
    }),
  };
}

/** Steps in plan order; destroys wait for every create/update/replace ("destroys last"). */
function buildSteps(plan: Plan, kinds: KindRegistry): Step[] {
  const changes = plan.changes.filter((c) => c.action !== "no-op" && c.action !== "read");
  const indexOf = new Map<Address, number[]>();
  changes.forEach((c, i) => indexOf.set(c.address, [...(indexOf.get(c.address) ?? []), i]));
  const nonDestroy = changes.map((c, i) => (c.action === "destroy" ? -1 : i)).filter((i) => i >= 0);
  return changes.map((change, index) => {
    const kind = kinds.managed.get(change.type);
    if (!kind) throw new Error(`${change.address}: no kind for ${change.type} (plan from another xsnap version?)`);
    let after: number[];
    if (change.action === "destroy") {
      // Reverse dependency order among destroys: a dependent goes before what it depends on.
      const dependents = changes.flatMap((c, i) => (c.action === "destroy" && c.dependsOn.includes(change.address) ? [i] : []));
      after = [...nonDestroy, ...dependents];
    } else {
      after = change.dependsOn.flatMap((a) => indexOf.get(a) ?? []).filter((i) => changes[i]?.action !== "destroy");
    }
    return { index, change, kind, after: after.filter((i) => i !== index), serialKey: kind.serialKey(change) };
  });
}

async function settleIntents(resolutions: readonly IntentResolution[], kinds: KindRegistry, client: XapiClient, poolRef: OpaqueRef, stack: string,
  ctxFor: (c: Change) => ApplyContext): Promise<void> {
  for (const r of resolutions) {
    if (r.status !== "done" && r.status !== "discard") continue;   // adopt: cleared by its change; ambiguous: blocks
    const kind = kinds.managed.get(r.type);
    if (kind && r.cleanup?.length) {
      const pseudo = { address: r.address, type: r.type, name: "", provider: "", action: "destroy", before: null, after: null, notes: [], dependsOn: [] } as Change;
      await kind.finishIntent({ status: r.status, detail: r.detail, cleanup: r.cleanup as never }, ctxFor(pseudo));
    }
    await client.call("pool.remove_from_other_config", [poolRef, intentKey(stack, r.id)]);
  }
}

async function updateRegistry(client: XapiClient, poolRef: OpaqueRef, stack: string, change: Change, uuid: string | undefined, keepsAddress: ReadonlySet<Address>): Promise<void> {
  const entry = { client, poolRef, stack, address: change.address };
  if (change.action === "destroy") {
    if (!keepsAddress.has(change.address)) await clearRegistry(entry);
    return;
  }
  if (!uuid || (change.action === "update" && !change.resolvesIntent)) return;
  await writeRegistry({ ...entry, uuid });
}

export async function poolRefOf(client: XapiClient): Promise<OpaqueRef> {
  const pools = (await client.call("pool.get_all")) as readonly XapiValue[];
  const ref = pools[0];
  if (typeof ref !== "string") throw new Error("pool.get_all returned no pool");
  return ref as OpaqueRef;
}

const elapsed = (started: number): number => Math.round((Date.now() - started) / 100) / 10;

/** XapiError carries code and params; anything else is a transport or a bug. */
function describe(e: unknown): string {
  const code = xapiCode(e);
  if (code) return `${code}(${((e as { params: readonly string[] }).params).join(", ")})`;
  return e instanceof Error ? e.message : String(e);
}

