/**
 * Retry as data (DESIGN §5, STYLE "transport and retry as data"): which failures may be repeated,
 * with exponential backoff and full jitter. Callers use it explicitly, per call, saying whether the
 * call is idempotent; a call whose outcome is unknown (reset, timeout) is repeated only then.
 */
import { TransportError, XapiError } from "./errors";
import { sleep } from "./sleep";

export type Recovery = "relogin" | "follow-master" | "backoff";

/** XAPI answers these before doing anything, so repeating the call is safe even for VM.snapshot. */
const REFUSED_UNDONE: Readonly<Record<string, Recovery>> = {
  SESSION_INVALID: "relogin",
  HOST_IS_SLAVE: "follow-master",
  TOO_MANY_PENDING_TASKS: "backoff",
  OTHER_OPERATION_IN_PROGRESS: "backoff",
};

/** Codes that are transient only for some operations. */
const BY_OPERATION: Readonly<Record<RetryOperation, Readonly<Record<string, Recovery>>>> = {
  // A checkpoint's disks stay VDI_IN_USE until its VM record is gone (reference/xapi.md §7).
  destroy: { VDI_IN_USE: "backoff" },
  // "May fail under load, more than one attempt may be needed" (DESIGN §3 Quiesce).
  quiesce: { VM_SNAPSHOT_WITH_QUIESCE_FAILED: "backoff", VM_SNAPSHOT_WITH_QUIESCE_TIMEOUT: "backoff", VM_SNAPSHOT_WITH_QUIESCE_PLUGIN_DEOS_NOT_RESPOND: "backoff" },
  other: {},
};

export type RetryOperation = "destroy" | "quiesce" | "other";

export interface RetryCall {
  /** True when repeating the call cannot do the work twice (reads, setters to a value, destroys by ref). */
  readonly idempotent: boolean;
  readonly operation?: RetryOperation;
}

/** How to recover from `error`, or undefined when it must not be retried. */
export function recoveryFor(error: unknown, call: RetryCall): Recovery | undefined {
  if (error instanceof XapiError) return REFUSED_UNDONE[error.code] ?? BY_OPERATION[call.operation ?? "other"][error.code];
  if (error instanceof TransportError) {
    if (error.code === "ABORTED" || error.code === "TLS" || error.code === "TLS_FINGERPRINT_MISMATCH" || error.code === "BAD_RESPONSE") return undefined;
    if (error.code === "HTTP_STATUS") return call.idempotent && (error.status ?? 0) >= 500 ? "backoff" : undefined;
    // Not sent (refused, DNS): safe for anything. Sent but unanswered: only idempotent calls.
    return !error.sent || call.idempotent ? "backoff" : undefined;
  }
  return undefined;
}

export interface RetryAttempt {
  readonly attempt: number; // 1 = the first retry
  readonly delayMs: number;
  readonly recovery: Recovery;
  readonly error: unknown;
}

export interface RunOptions extends RetryCall {
  readonly onRetry?: (attempt: RetryAttempt) => void;
  readonly signal?: AbortSignal;
}

export interface RetryPolicyOptions {
  /** Attempts in all, the first included. */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** [0, 1); injectable so tests are deterministic. */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class RetryPolicy {
  readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: RetryPolicyOptions = {}) {
    this.attempts = options.attempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? sleep;
  }

  /** Full jitter: uniform in [0, min(max, base · 2^(attempt-1))]. */
  delayFor(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(this.random() * ceiling);
  }

  /** Runs `fn`, repeating it while the failure is transient for this call and attempts remain. */
  async run<T>(fn: (attempt: number) => Promise<T>, options: RunOptions): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (error) {
        const recovery = recoveryFor(error, options);
        if (recovery === undefined || attempt + 1 >= this.attempts || options.signal?.aborted) throw error;
        // The session layer already re-logs in and follows the master; repeating immediately is enough.
        const delayMs = recovery === "backoff" ? this.delayFor(attempt + 1) : 0;
        options.onRetry?.({ attempt: attempt + 1, delayMs, recovery, error });
        if (delayMs > 0) await this.sleep(delayMs, options.signal);
      }
    }
  }
}

/** The policy the engine uses unless it needs another. */
export const defaultRetryPolicy = new RetryPolicy();

/**
 * What a call by name may risk on a retry. Reads and setters to a value are idempotent; a destroy by
 * ref is too (a repeat fails with HANDLE_INVALID, never destroys twice). Creating calls (snapshot,
 * clone, copy, create, add_to_*) are not: a lost answer there is settled by intent + lookup.
 */
export function retryCallOf(method: string): RetryCall {
  const name = method.replace(/^Async\./, "");
  const operation: RetryOperation = name === "VDI.destroy" ? "destroy" : name === "VM.snapshot_with_quiesce" ? "quiesce" : "other";
  const idempotent = /\.(get_|set_|remove_from_|destroy$|hard_shutdown$)/.test(name) || name === "VDI.destroy";
  return { idempotent, operation };
}

/** Why a retried call failed, as a person reads it: the XAPI code, or the transport failure. */
export function retryReason(error: unknown): string {
  if (error instanceof XapiError) return error.code;
  if (error instanceof TransportError) return error.code;
  return error instanceof Error ? error.message : String(error);
}
