/**
 * Waiting for an XAPI task (reference/xapi.md §1.7–§1.8): `event.from` on `task/<ref>` where the
 * pool has it, polling `task.get_record` otherwise; progress reported as it moves; the outcome read
 * in one place (`taskOutcome`, after xen-api's `_getTaskResult.mjs`); the task destroyed after.
 */
import { decodeValueFragment } from "./codec";
import { TransportError, XapiError, isXapiError } from "./errors";
import type { CallOptions } from "./transport";
import type { OpaqueRef, XapiValue } from "./types";
import { sleep } from "./sleep";

/** What task waiting needs from a session. */
export interface TaskCaller {
  call(method: string, params?: readonly XapiValue[], options?: CallOptions): Promise<XapiValue>;
}

export interface TaskWaitOptions {
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
  /** Poll interval when the pool has no event.from. */
  readonly pollMs?: number;
  /** Per-call timeout of the session; event.from blocks longer than that by design. */
  readonly callTimeoutMs: number;
}

type TaskRecord = { readonly [key: string]: XapiValue };

/** Seconds event.from may block; not an integer, so it goes out as <double> (xen-api does the same). */
const EVENT_WAIT_S = 20.1;

/** The result of a finished task, a XapiError for a failed one, undefined while pending. */
export function taskOutcome(record: TaskRecord, method: string, task: OpaqueRef): { value: XapiValue } | { error: XapiError } | undefined {
  const status = record.status;
  if (status === "success") {
    const result = typeof record.result === "string" ? record.result.trim() : "";
    // Very old hosts leave `result` empty; void methods send `<value></value>`.
    // XAPI never sends <nil/>, the only decoded value outside XapiValue.
    return { value: result === "" ? "" : (decodeValueFragment(result) as XapiValue) };
  }
  if (status !== "failure" && status !== "cancelled") return undefined; // pending (or "cancelling", never used)
  const info = Array.isArray(record.error_info) && record.error_info.length > 0 ? record.error_info : undefined;
  const fallback = status === "cancelled" ? ["TASK_CANCELLED", task] : ["INTERNAL_ERROR", "the task failed without error_info"];
  return { error: XapiError.fromWire(info ?? fallback, method) };
}

const asRecord = (v: XapiValue | undefined): TaskRecord | undefined =>
  v !== undefined && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) ? (v as TaskRecord) : undefined;

export class TaskWaiter {
  /** Unknown until the first wait; false after the pool refused event.from. */
  private eventsWork: boolean | undefined = undefined;
  private readonly events: TaskEvents;

  constructor(private readonly caller: TaskCaller) {
    this.events = new TaskEvents(caller, () => { this.eventsWork = true; });
  }

  /** Waits for `task` to finish and returns its result (or throws its error). Does not destroy it. */
  async wait(task: OpaqueRef, method: string, options: TaskWaitOptions): Promise<XapiValue> {
    let lastProgress = -1;
    const seen = (record: TaskRecord): XapiValue | undefined => {
      const progress = Number(record.progress);
      if (options.onProgress && Number.isFinite(progress) && progress !== lastProgress) {
        lastProgress = progress;
        options.onProgress(progress);
      }
      const outcome = taskOutcome(record, method, task);
      if (outcome && "error" in outcome) throw outcome.error;
      return outcome?.value;
    };
    if (this.eventsWork !== false) {
      try {
        return await this.events.wait(task, options, seen);
      } catch (error) {
        if (this.eventsWork === true || !isEventRefusal(error)) throw error;
        this.eventsWork = false;
      }
    }
    return this.waitByPolling(task, options, seen);
  }

  private async waitByPolling(task: OpaqueRef, options: TaskWaitOptions, seen: (r: TaskRecord) => XapiValue | undefined): Promise<XapiValue> {
    let delay = Math.min(options.pollMs ?? 250, 250);
    for (;;) {
      checkAborted(options.signal);
      const record = asRecord(await this.caller.call("task.get_record", [task], options.signal ? { signal: options.signal } : undefined));
      const value = record ? seen(record) : undefined;
      if (value !== undefined) return value;
      await sleep(delay, options.signal);
      delay = Math.min(delay * 2, options.pollMs ?? 2000);
    }
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TransportError("ABORTED", "", "waiting for the task was cancelled");
}

/** One task being waited for through the shared event.from poll. */
interface Waiter {
  readonly task: OpaqueRef;
  /** Hands over a record of the task; the outcome once it has one (throws the task's error). */
  readonly seen: (record: TaskRecord) => XapiValue | undefined;
  readonly resolve: (value: XapiValue) => void;
  readonly reject: (error: unknown) => void;
}

/** Records of tasks nobody waits for yet, kept for a wait that registers just after its task moved. */
const RECENT_MAX = 1024;

/**
 * Every task a session waits for, watched through ONE `event.from(["task"], token)` long poll: at
 * parallelism 25 a poll per task meant ~12 calls per task (each progress step wakes its poll) and
 * bursts of 25 answers at every progress step that delayed the apply's other calls; one poll for
 * all tasks answers each burst at once. The poll runs while someone waits and stops after that; the
 * next wait starts it again from an empty token, whose answer is every task as it is now.
 *
 * A task may finish before its wait is registered (its `Async.*` answer and the poll's answer race):
 * records of tasks nobody waits for are kept (the last RECENT_MAX) until the poll stops.
 *
 * A failed poll fails every wait it served, as each wait's own poll would have failed before.
 */
class TaskEvents {
  private readonly waiters = new Map<OpaqueRef, Waiter[]>();
  private readonly recent = new Map<OpaqueRef, TaskRecord>();
  private running = false;
  /** Aborts the poll in flight when its last waiter gave up (aborted): it would block 20 s for nobody. */
  private poll: AbortController | undefined;

  constructor(
    private readonly caller: TaskCaller,
    private readonly answered: () => void,
  ) {}

  async wait(task: OpaqueRef, options: TaskWaitOptions, seen: (r: TaskRecord) => XapiValue | undefined): Promise<XapiValue> {
    checkAborted(options.signal);
    const known = this.recent.get(task);
    const value = known ? seen(known) : undefined;   // throws the task's error
    if (value !== undefined) return value;
    const signal = options.signal;
    return new Promise<XapiValue>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.remove(waiter)) return;
        reject(new TransportError("ABORTED", "", "waiting for the task was cancelled"));
        if (this.waiters.size === 0) this.poll?.abort();
      };
      const settled = (): void => signal?.removeEventListener("abort", onAbort);
      const waiter: Waiter = {
        task, seen,
        resolve: (v) => { settled(); resolve(v); },
        reject: (e) => { settled(); reject(e); },
      };
      this.waiters.set(task, [...(this.waiters.get(task) ?? []), waiter]);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (!this.running) void this.watch(options.callTimeoutMs);
    });
  }

  private remove(waiter: Waiter): boolean {
    const list = this.waiters.get(waiter.task) ?? [];
    if (!list.includes(waiter)) return false;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length > 0) this.waiters.set(waiter.task, rest);
    else this.waiters.delete(waiter.task);
    return true;
  }

  private async watch(callTimeoutMs: number): Promise<void> {
    this.running = true;
    let token = "";
    try {
      while (this.waiters.size > 0) {
        const poll = (this.poll = new AbortController());
        let batch: TaskRecord | undefined;
        try {
          batch = asRecord(await this.caller.call("event.from", [["task"], token, EVENT_WAIT_S], { timeoutMs: EVENT_WAIT_S * 1000 + callTimeoutMs, signal: poll.signal }));
        } catch (error) {
          // Aborted here when its last waiter gave up; a wait registered since then needs a new poll.
          if (poll.signal.aborted) continue;
          for (const waiter of [...this.waiters.values()].flat()) waiter.reject(error);
          this.waiters.clear();
          return;
        }
        this.answered();
        token = typeof batch?.token === "string" ? batch.token : token;
        for (const event of Array.isArray(batch?.events) ? batch.events : []) this.deliver(asRecord(event));
      }
    } finally {
      // Synchronous with the last check of `waiters`: a wait registered after this starts a new poll.
      this.running = false;
      this.poll = undefined;
      this.recent.clear();
    }
  }

  private deliver(event: TaskRecord | undefined): void {
    const task = typeof event?.ref === "string" ? (event.ref as OpaqueRef) : undefined;
    if (!event || !task) return;
    const waiting = this.waiters.get(task);
    if (event.operation === "del") {
      this.recent.delete(task);
      this.waiters.delete(task);
      for (const w of waiting ?? []) w.reject(XapiError.fromWire(["HANDLE_INVALID", "task", task], "event.from"));
      return;
    }
    const snapshot = asRecord(event.snapshot);
    if (!snapshot) return;
    if (!waiting) {
      this.recent.delete(task);
      this.recent.set(task, snapshot);
      if (this.recent.size > RECENT_MAX) this.recent.delete(this.recent.keys().next().value as OpaqueRef);
      return;
    }
    for (const w of waiting) {
      let value: XapiValue | undefined;
      try {
        value = w.seen(snapshot);
      } catch (error) {
        this.remove(w);
        w.reject(error);
        continue;
      }
      if (value === undefined) continue;
      this.remove(w);
      w.resolve(value);
    }
  }
}

/** event.from is missing or refuses task subscriptions on this pool: poll instead. */
function isEventRefusal(error: unknown): boolean {
  return (
    isXapiError(error, "MESSAGE_METHOD_UNKNOWN") ||
    isXapiError(error, "EVENT_SUBSCRIPTION_PARSE_FAILURE") ||
    isXapiError(error, "MESSAGE_PARAMETER_COUNT_MISMATCH") ||
    isXapiError(error, "Fault")
  );
}
