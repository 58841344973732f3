/**
 * The client every resource kind gets during an apply: each call runs under the one retry policy
 * (DESIGN §5), classified by method name (`retryCallOf`), so no kind carries a retry loop of its own.
 * XAPI refuses TOO_MANY_PENDING_TASKS and OTHER_OPERATION_IN_PROGRESS before doing anything, so even
 * a VM.snapshot is repeated; a non-idempotent call whose answer was lost is not (intent + lookup).
 * HTTP streams are never repeated: a stream cannot be replayed.
 */
import type { XapiClient } from "./index";
import { retryCallOf, retryReason, type RetryAttempt, type RetryPolicy } from "./retry";

export interface RetryNotice {
  readonly method: string;
  /** 1 = the first retry. */
  readonly attempt: number;
  /** Attempts in all, the first included. */
  readonly max: number;
  readonly code: string;
  readonly delayMs: number;
}

export function retryingClient(client: XapiClient, policy: RetryPolicy, options: { readonly onRetry?: (notice: RetryNotice) => void; readonly signal?: AbortSignal } = {}): XapiClient {
  const notify = (method: string) => (a: RetryAttempt): void =>
    options.onRetry?.({ method, attempt: a.attempt, max: policy.attempts, code: retryReason(a.error), delayMs: a.delayMs });
  const run = <T>(method: string, fn: () => Promise<T>): Promise<T> =>
    policy.run(fn, { ...retryCallOf(method), onRetry: notify(method), ...(options.signal ? { signal: options.signal } : {}) });
  // The session repeats a call itself after logging in again (or moving to the master): reported too.
  const recovered = (method: string) => (code: string): void => options.onRetry?.({ method, attempt: 1, max: policy.attempts, code, delayMs: 0 });
  return {
    get url() { return client.url; },
    call: (method, params, opts) => run(method, () => client.call(method, params, { ...opts, onRecover: recovered(method) })),
    callAsync: (method, params, opts) => run(`Async.${method}`, () => client.callAsync(method, params, { ...opts, onRecover: recovered(`Async.${method}`) })),
    readPoolView: () => client.readPoolView(),
    httpGet: (path, query, opts) => client.httpGet(path, query, opts),
    httpPut: (path, query, body, opts) => client.httpPut(path, query, body, opts),
    waitTask: (task, method, opts) => client.waitTask(task, method, opts),
    close: () => client.close(),
  };
}
