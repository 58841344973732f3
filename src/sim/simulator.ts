/**
 * The transport-independent core: one pool database, its sessions, and `call(method, params)` doing what
 * XAPI's dispatcher does before a handler runs (reference §1.4): method lookup, `Async.` support,
 * parameter count, session check, removed messages, then the handler, synchronously or as a task.
 */
import { Database } from "./db";
import { DiskStore, type DiskStoreOptions } from "./disk-store";
import { toFailure, XapiFailure } from "./errors";
import { FaultSet, SESSION_CHECK_CODES, type FaultAction } from "./faults";
import { type CallContext, decodeParam, type HandlerResult, type MethodDef, RecordMap, type Registry } from "./registry";
import { Rng } from "./rng";
import { type DbValue, recordToWire } from "./schema";
import { completeTask, createTask, failTask, setTaskProgress } from "./tasks";
import { encodeValue, type EncodableValue } from "./xml-encode";

export interface SimulatorConfig {
  readonly xapiVersion: string;
  readonly user: string;
  readonly password: string;
  /** How long long-running operations take (`--task-ms`). */
  readonly taskMs: number;
  /** XAPI answers bad credentials only after 5 s (`xapi_session.ml`); tests shorten it. */
  readonly authFailureDelayMs: number;
  /** Set on a pool member: the master's address, which every login answers with HOST_IS_SLAVE. */
  readonly memberOf?: string;
  /** Bytes of record encodings kept for repeated `get_all_records` (default DEFAULT_ENCODING_BUDGET). */
  readonly encodingBudgetBytes?: number;
}

export type CallOutcome =
  | { readonly kind: "success"; readonly value: HandlerResult }
  | { readonly kind: "failure"; readonly code: string; readonly params: readonly string[] }
  | { readonly kind: "drop" | "hang" };

export interface Session {
  readonly user: string;
  readonly originator: string;
  readonly created: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Simulator {
  readonly db: Database;
  /** What the VDIs hold (sparse chunks); keyed by VDI ref. */
  readonly disks: DiskStore;
  readonly sessions = new Map<string, Session>();
  readonly calls = new Map<string, number>();
  mutatingCalls = 0;
  readonly faults = new FaultSet();
  /** Task refs whose cancellation was requested (task.cancel). */
  readonly cancelRequests = new Set<string>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly stopController = new AbortController();
  /** Aborted on shutdown: blocked event.from calls and waits return at once. */
  readonly stopping: AbortSignal = this.stopController.signal;
  private syncOpCounter = 0;

  constructor(readonly config: SimulatorConfig, readonly registry: Registry, seed: number, disks: DiskStoreOptions = {}) {
    this.db = new Database(new Rng(seed), config.encodingBudgetBytes);
    this.disks = new DiskStore(disks);
  }

  /** The pool's only record. */
  poolRef(): string {
    const first = this.db.table("pool").keys().next();
    if (first.done) throw new XapiFailure("INTERNAL_ERROR", ["the pool has no pool record"]);
    return first.value;
  }

  masterRef(): string {
    return this.db.require("pool", this.poolRef()).master as string;
  }

  stop(): void {
    this.stopController.abort();
  }

  /** Resolves when every background task has settled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async call(wireMethod: string, rawParams: readonly unknown[]): Promise<CallOutcome> {
    this.calls.set(wireMethod, (this.calls.get(wireMethod) ?? 0) + 1);
    const isAsync = wireMethod.startsWith("Async.");
    const method = isAsync ? wireMethod.slice("Async.".length) : wireMethod;
    const fault: FaultAction | undefined = this.faults.take(method);
    if (fault?.kind === "drop" || fault?.kind === "hang") return { kind: fault.kind };
    const outcome = await this.dispatch(wireMethod, method, isAsync, rawParams, fault);
    // The call ran (its task started); its answer is lost on the way back.
    return fault?.kind === "drop-after" ? { kind: "drop" } : outcome;
  }

  private async dispatch(wireMethod: string, method: string, isAsync: boolean, rawParams: readonly unknown[], fault: FaultAction | undefined): Promise<CallOutcome> {
    try {
      const def = this.registry.get(method);
      if (!def) {
        const first = rawParams[0];
        if (typeof first === "string" && first.startsWith("OpaqueRef:")) this.checkSession(first);
        throw new XapiFailure("MESSAGE_METHOD_UNKNOWN", [wireMethod]);
      }
      if (isAsync && !def.async) throw new XapiFailure("Fault", [`No async mode for this operation (rpc: ${wireMethod})`]);
      if (def.mutating) this.mutatingCalls++;
      const needsSession = def.session !== false;
      const received = Math.max(0, rawParams.length - (needsSession ? 1 : 0));
      const required = def.params.length - (def.optional ?? 0);
      if (def.optional ? received < required : received !== def.params.length) {
        throw new XapiFailure("MESSAGE_PARAMETER_COUNT_MISMATCH", [method, String(def.params.length), String(received)]);
      }
      const session = needsSession ? String(rawParams[0]) : "";
      if (needsSession) this.checkSession(session);
      if (def.removed) throw new XapiFailure("MESSAGE_REMOVED", []);
      const given = rawParams.slice(needsSession ? 1 : 0, (needsSession ? 1 : 0) + def.params.length);
      const args = given.map((v, i) => decodeParam(def.params[i]!, v));
      // The session check runs before dispatch: no task is created for these (reference §1.5).
      if (fault?.kind === "error" && SESSION_CHECK_CODES.has(fault.code)) throw new XapiFailure(fault.code, fault.params);
      if (isAsync) return { kind: "success", value: this.startAsync(wireMethod, method, def, session, args, fault) };
      if (fault?.kind === "error") throw new XapiFailure(fault.code, fault.params);
      const value = await def.handler(this.context(method, session, undefined), args);
      return { kind: "success", value };
    } catch (e) {
      const failure = toFailure(e);
      return { kind: "failure", code: failure.code, params: failure.params };
    }
  }

  /** SESSION_INVALID [ref] for an unknown or logged-out session. */
  checkSession(ref: string): Session {
    const session = this.sessions.get(ref);
    if (!session) throw new XapiFailure("SESSION_INVALID", [ref]);
    return session;
  }

  private startAsync(
    wireMethod: string,
    method: string,
    def: MethodDef,
    session: string,
    args: DbValue[],
    fault: FaultAction | undefined,
  ): string {
    const task = createTask(this, wireMethod, "", { cancellable: false });
    const run = (async () => {
      try {
        if (fault?.kind === "error") throw new XapiFailure(fault.code, fault.params);
        const value = await def.handler(this.context(method, session, task), args);
        completeTask(this, task, encodeValue(this.materialize(value)));
      } catch (e) {
        failTask(this, task, toFailure(e));
      } finally {
        this.cancelRequests.delete(task);
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return task;
  }

  /** A handler result as a plain value (task results, JSON-RPC of small answers). */
  materialize(value: HandlerResult): EncodableValue {
    if (value === undefined || value === null) return "";
    if (value instanceof RecordMap) {
      const out: Record<string, EncodableValue> = {};
      for (const ref of value.refs) {
        const rec = this.db.get(value.cls, ref);
        if (rec) out[ref] = recordToWire(value.cls, rec);
      }
      return out;
    }
    return value as EncodableValue;
  }

  private context(method: string, session: string, task: string | undefined): CallContext {
    const opKey = task ?? `OpaqueRef:sync-${++this.syncOpCounter}`;
    return {
      sim: this,
      session,
      method,
      task,
      opKey,
      work: async (options) => {
        if (task && this.db.exists("task", task) && options?.cancellable) {
          this.db.set("task", task, "allowed_operations", ["cancel"]);
        }
        const total = this.config.taskMs;
        const steps = total > 0 ? Math.max(1, Math.min(10, Math.floor(total / 10))) : 0;
        // Each step sleeps until its own deadline, so timer lateness under load does not add up:
        // a task of taskMs takes taskMs (plus one timer's lateness), however many steps it reports.
        const started = Date.now();
        for (let i = 1; i <= steps; i++) {
          await sleep(Math.max(0, started + (total * i) / steps - Date.now()));
          if (task && this.cancelRequests.has(task) && options?.cancellable) {
            throw new XapiFailure("TASK_CANCELLED", [task]);
          }
          if (task && i < steps) setTaskProgress(this, task, i / steps);
        }
        if (task && this.cancelRequests.has(task) && options?.cancellable) throw new XapiFailure("TASK_CANCELLED", [task]);
        if (task && this.db.exists("task", task)) this.db.set("task", task, "allowed_operations", []);
      },
    };
  }
}
