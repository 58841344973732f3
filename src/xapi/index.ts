/**
 * The XAPI client: the public surface the engine and the CLI use (DESIGN §6). Everything else in
 * `src/xapi` is reachable from here for tests and benches, but callers should need only this.
 */
import type { IncomingMessage } from "http";
import type { Readable } from "stream";
import type { CallLogger } from "./call-log";
import { readPoolView } from "./pool-view";
import type { PoolView } from "./records";
import { Session, type RecoveredCode } from "./session";
import { TaskWaiter } from "./task";
import { DEFAULT_CALL_TIMEOUT_MS, httpGet, httpPut, type PutOptions, type TransferOptions } from "./transport";
import { TransportError, isTransportError } from "./errors";
import type { OpaqueRef, XapiValue } from "./types";

export { XapiError, describeXapiError, isXapiError, TransportError, isTransportError, type TransportErrorCode, type RefusedCertificate } from "./errors";
export { RetryPolicy, defaultRetryPolicy, recoveryFor, retryCallOf, type Recovery, type RetryCall, type RetryAttempt, type RunOptions, type RetryOperation } from "./retry";
export { retryingClient, type RetryNotice } from "./retrying-client";
export { type Transport, type CallOptions, type TransferOptions, type PutOptions, DEFAULT_CALL_TIMEOUT_MS } from "./transport";
export { buildPoolView, readPoolRecords, type PoolRecords } from "./pool-view";
export { taskOutcome } from "./task";
export { normalizeFingerprint, readCaFile } from "./agent";
export { hintFor } from "./hints";
export type { CallLogger } from "./call-log";
export * from "./types";
export type * from "./records";

export interface ConnectOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly caFile?: string;
  readonly tlsFingerprint?: string;
  readonly insecure?: boolean;
  /** Time allowed without progress on one call (default 120 s). */
  readonly callTimeoutMs?: number;
  /** Session originator, for XAPI's per-client session accounting (default "xsnap"). */
  readonly originator?: string;
  /** Receives one line per call, secrets redacted (e.g. for `--debug`). */
  readonly log?: CallLogger;
}

/** Per-call options of the client's `call`. */
export interface CallOptionsForKinds {
  /** Told when the session logged in again (SESSION_INVALID) or moved to the master before repeating the call. */
  readonly onRecover?: (code: RecoveredCode) => void;
}

export interface CallAsyncOptions extends CallOptionsForKinds {
  readonly onProgress?: (fraction: number) => void;
  readonly onTask?: (task: OpaqueRef) => void;
  readonly signal?: AbortSignal;
}

export interface XapiClient {
  /** The master's URL (after following HOST_IS_SLAVE). */
  readonly url: string;
  /** Calls `method` with the session prepended. Throws XapiError or TransportError. */
  call(method: string, params?: readonly XapiValue[], opts?: CallOptionsForKinds): Promise<XapiValue>;
  /** `Async.<method>`, waits for the task (progress via onProgress), returns its decoded result; the task is destroyed (close() waits for that). */
  callAsync(method: string, params: readonly XapiValue[], opts?: CallAsyncOptions): Promise<XapiValue>;
  /** The one batched read of the pool (7 calls). */
  readPoolView(): Promise<PoolView>;
  /**
   * GET on the master (e.g. /export) with `session_id` added, redirects followed; resolves with the
   * unread 200 response. Throws TransportError (HTTP_STATUS with the status, TIMEOUT, ABORTED …).
   */
  httpGet(path: string, query: Record<string, string>, opts?: TransferOptions): Promise<IncomingMessage>;
  /**
   * PUT a streamed body (e.g. /import) with `session_id` added, redirects followed (the body is opened
   * again for each); resolves once the body is sent and the 200 answer ended. Throws TransportError.
   */
  httpPut(path: string, query: Record<string, string>, body: () => Readable, opts?: PutOptions): Promise<void>;
  /** Waits for a task (e.g. one from `task.create` handed to an HTTP handler); returns its decoded result or throws its XapiError. Does not destroy it. */
  waitTask(task: OpaqueRef, method: string, opts?: CallAsyncOptions): Promise<XapiValue>;
  /** Logs out and closes the connections. */
  close(): Promise<void>;
}

class Client implements XapiClient {
  private readonly tasks: TaskWaiter;
  /** task.destroy calls still on the wire; close() waits for them before logging out. */
  private readonly destroying = new Set<Promise<void>>();

  constructor(
    private readonly session: Session,
    private readonly callTimeoutMs: number,
  ) {
    this.tasks = new TaskWaiter(session);
  }

  get url(): string {
    return this.session.url;
  }

  call(method: string, params: readonly XapiValue[] = [], opts: CallOptionsForKinds = {}): Promise<XapiValue> {
    return this.session.call(method, params, undefined, opts.onRecover);
  }

  async callAsync(method: string, params: readonly XapiValue[], opts: CallAsyncOptions = {}): Promise<XapiValue> {
    const task = await this.session.call(`Async.${method}`, params, undefined, opts.onRecover);
    if (typeof task !== "string" || !task.startsWith("OpaqueRef:")) {
      throw new TransportError("BAD_RESPONSE", this.url, `Async.${method} did not return a task ref`);
    }
    const ref = task as OpaqueRef;
    opts.onTask?.(ref);
    try {
      return await this.tasks.wait(ref, method, {
        callTimeoutMs: this.callTimeoutMs,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (error) {
      if (opts.signal?.aborted) await this.session.call("task.cancel", [ref]).catch(() => undefined);
      throw error;
    } finally {
      // Tasks pile up to XAPI's limit of 200 unless clients destroy them (reference §1.7). The
      // outcome is already read, so the caller need not wait a round trip for it; close() does.
      this.destroyLater(ref);
    }
  }

  private destroyLater(task: OpaqueRef): void {
    const destroying = this.session.call("task.destroy", [task]).then(() => undefined, () => undefined);
    this.destroying.add(destroying);
    void destroying.finally(() => this.destroying.delete(destroying));
  }

  readPoolView(): Promise<PoolView> {
    return readPoolView(this.session);
  }

  httpGet(path: string, query: Record<string, string>, opts: TransferOptions = {}): Promise<IncomingMessage> {
    return this.withSession((sessionId) => httpGet(this.session.currentEndpoint, path, { ...query, session_id: sessionId }, opts));
  }

  httpPut(path: string, query: Record<string, string>, body: () => Readable, opts: PutOptions = {}): Promise<void> {
    return this.withSession((sessionId) => httpPut(this.session.currentEndpoint, path, { ...query, session_id: sessionId }, body, opts));
  }

  /** HTTP handlers answer an expired session with 401 before doing anything: log in again and repeat once. */
  private async withSession<T>(transfer: (sessionId: string) => Promise<T>): Promise<T> {
    const sessionId = await this.session.sessionRef();
    try {
      return await transfer(sessionId);
    } catch (error) {
      if (!isTransportError(error, "HTTP_STATUS") || error.status !== 401) throw error;
      return transfer(await this.session.renewSession(sessionId));
    }
  }

  waitTask(task: OpaqueRef, method: string, opts: CallAsyncOptions = {}): Promise<XapiValue> {
    return this.tasks.wait(task, method, {
      callTimeoutMs: this.callTimeoutMs,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.destroying);
    return this.session.close();
  }
}

/**
 * Connects and logs in (following HOST_IS_SLAVE to the master). Throws XapiError
 * SESSION_AUTHENTICATION_FAILED for wrong credentials, TransportError for network/TLS problems.
 */
export async function connect(opts: ConnectOptions): Promise<XapiClient> {
  const callTimeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const session = new Session(opts.url, {
    username: opts.username,
    password: opts.password,
    originator: opts.originator ?? "xsnap",
    tls: {
      ...(opts.caFile !== undefined ? { caFile: opts.caFile } : {}),
      ...(opts.tlsFingerprint !== undefined ? { tlsFingerprint: opts.tlsFingerprint } : {}),
      ...(opts.insecure !== undefined ? { insecure: opts.insecure } : {}),
    },
    timeoutMs: callTimeoutMs,
    ...(opts.log ? { log: opts.log } : {}),
  });
  try {
    await session.login();
  } catch (error) {
    await session.close();
    throw error;
  }
  return new Client(session, callTimeoutMs);
}
export { exportXva, importXva, type ExportXvaOptions, type ImportXvaOptions, type TransferClient, type XvaExport } from "./xva-transfer";
