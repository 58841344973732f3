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

  constructor(private readonly caller: TaskCaller) {}

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
        const value = await this.waitWithEvents(task, options, seen);
        this.eventsWork = true;
        return value;
      } catch (error) {
        if (this.eventsWork === true || !isEventRefusal(error)) throw error;
        this.eventsWork = false;
      }
    }
    return this.waitByPolling(task, options, seen);
  }

  private async waitWithEvents(task: OpaqueRef, options: TaskWaitOptions, seen: (r: TaskRecord) => XapiValue | undefined): Promise<XapiValue> {
    let token = "";
    for (;;) {
      this.checkAborted(options.signal);
      const batch = asRecord(
        await this.caller.call("event.from", [[`task/${task}`], token, EVENT_WAIT_S], {
          timeoutMs: EVENT_WAIT_S * 1000 + options.callTimeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      token = typeof batch?.token === "string" ? batch.token : token;
      const events = Array.isArray(batch?.events) ? batch.events : [];
      for (const event of events) {
        const e = asRecord(event);
        if (e?.operation === "del") throw XapiError.fromWire(["HANDLE_INVALID", "task", task], "event.from");
        const snapshot = asRecord(e?.snapshot);
        const value = snapshot ? seen(snapshot) : undefined;
        if (value !== undefined) return value;
      }
    }
  }

  private async waitByPolling(task: OpaqueRef, options: TaskWaitOptions, seen: (r: TaskRecord) => XapiValue | undefined): Promise<XapiValue> {
    let delay = Math.min(options.pollMs ?? 250, 250);
    for (;;) {
      this.checkAborted(options.signal);
      const record = asRecord(await this.caller.call("task.get_record", [task], options.signal ? { signal: options.signal } : undefined));
      const value = record ? seen(record) : undefined;
      if (value !== undefined) return value;
      await sleep(delay, options.signal);
      delay = Math.min(delay * 2, options.pollMs ?? 2000);
    }
  }

  private checkAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new TransportError("ABORTED", "", "waiting for the task was cancelled");
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
