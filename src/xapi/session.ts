/**
 * A logged-in XAPI session on the pool master (reference/xapi.md §1.5): login with version and
 * originator, one coalesced re-login on SESSION_INVALID, following HOST_IS_SLAVE to the master it
 * names, logout on close. Every call goes through `invoke`, the one place that logs calls.
 */
import type { TlsOptions } from "./agent";
import { describeCall, type CallLogger } from "./call-log";
import { TransportError, XapiError, isXapiError } from "./errors";
import { jsonRpcRecords } from "./json-rpc";
import type { RecordSink } from "./json-records";
import { createEndpoint, xmlRpcTransport, type CallOptions, type Endpoint, type Transport } from "./transport";
import { asRef, type OpaqueRef, type XapiValue } from "./types";

export interface SessionOptions {
  readonly username: string;
  readonly password: string;
  readonly originator: string;
  readonly tls: TlsOptions;
  readonly timeoutMs: number;
  readonly log?: CallLogger;
}

/** The API version sent at login; XAPI accepts any and only records it. */
const API_VERSION = "1.0";
const MAX_MASTER_HOPS = 3;

/**
 * The master's URL from HOST_IS_SLAVE's parameter: XAPI sends the bare host address (IPv6 without
 * brackets), reached with the same scheme and port. A single `host:port` (not XAPI's form) is
 * honoured so a simulated pool can live on one machine with several ports.
 */
export function masterUrl(current: URL, address: string): URL {
  const next = new URL(current.href);
  const colons = address.split(":").length - 1;
  if (colons === 1) {
    const [host = "", port = ""] = address.split(":");
    next.hostname = host;
    next.port = port;
  } else {
    next.hostname = colons > 1 ? `[${address}]` : address;
  }
  return next;
}

/** What the session recovers from by itself before repeating a call. */
export type RecoveredCode = "SESSION_INVALID" | "HOST_IS_SLAVE";

export class Session {
  private endpoint: Endpoint;
  private transport: Transport;
  private ref: OpaqueRef | undefined;
  private loggingIn: Promise<OpaqueRef> | undefined;
  /** Whether the host answers JSON-RPC; unknown until the first bulk read. */
  private jsonRpc: boolean | undefined = undefined;
  /** Every session ref this client held, for redaction in logs. */
  private readonly sessions = new Set<string>();
  /** Agents of hosts left for the master (HOST_IS_SLAVE), destroyed on close. */
  private readonly retired = new Set<Endpoint["agent"]>();

  constructor(
    url: string,
    private readonly options: SessionOptions,
  ) {
    this.endpoint = createEndpoint(url, options.tls, options.timeoutMs);
    this.transport = xmlRpcTransport(this.endpoint);
  }

  get url(): string {
    return this.endpoint.url.href.replace(/\/$/, "");
  }

  /** The endpoint of the master, for HTTP transfers. */
  get currentEndpoint(): Endpoint {
    return this.endpoint;
  }

  /** The session ref, logging in first when needed (for HTTP transfers' `session_id`). */
  async sessionRef(): Promise<OpaqueRef> {
    return this.ref ?? this.relogin(undefined);
  }

  /** A new session after `stale` was refused (an HTTP handler's 401); shared with concurrent callers. */
  renewSession(stale: OpaqueRef): Promise<OpaqueRef> {
    return this.relogin(stale);
  }

  /** Logs in; follows HOST_IS_SLAVE. Throws XapiError SESSION_AUTHENTICATION_FAILED on bad credentials. */
  async login(): Promise<void> {
    await this.relogin(undefined);
  }

  /**
   * Calls `method` with the session prepended. Re-logs in once on SESSION_INVALID (or follows
   * HOST_IS_SLAVE) and repeats the call — XAPI refused it before doing anything —, telling `onRecover`.
   */
  call(method: string, params: readonly XapiValue[] = [], options?: CallOptions, onRecover?: (code: RecoveredCode) => void): Promise<XapiValue> {
    return this.withSession((ref) => this.invoke(method, [ref, ...params], options), onRecover);
  }

  /**
   * `*.get_all_records` over JSON-RPC, each record handed to `sink` as it arrives (json-rpc.ts).
   * Resolves false when the host has no JSON-RPC; it is then not asked again.
   */
  async streamRecords(method: string, sink: RecordSink, options?: CallOptions): Promise<boolean> {
    if (this.jsonRpc === false) return false;
    const supported = await this.withSession((ref) => {
      this.options.log?.(`→ ${describeCall(method, [ref], this.sessions)} (JSON-RPC)`);
      return jsonRpcRecords(this.endpoint, method, [ref], sink, options);
    });
    this.jsonRpc = supported;
    return supported;
  }

  /** Runs `fn` with the session ref; once more after a re-login (SESSION_INVALID) or a move to the master (HOST_IS_SLAVE). */
  private async withSession<T>(fn: (ref: OpaqueRef) => Promise<T>, onRecover?: (code: RecoveredCode) => void): Promise<T> {
    const ref = await this.sessionRef();
    const used = this.endpoint;
    try {
      return await fn(ref);
    } catch (error) {
      if (isXapiError(error, "SESSION_INVALID")) {
        onRecover?.("SESSION_INVALID");
        return fn(await this.relogin(ref));
      }
      if (isXapiError(error, "HOST_IS_SLAVE")) {
        onRecover?.("HOST_IS_SLAVE");
        // The master moved (HA failover): XAPI refused before doing anything, so repeating is safe.
        // Concurrent calls refused by the same host move once.
        if (this.endpoint === used) this.moveTo(masterUrl(this.endpoint.url, error.params[0] ?? ""));
        return fn(await this.relogin(ref));
      }
      throw error;
    }
  }

  /** Calls a method that takes no session (system.listMethods). */
  callWithoutSession(method: string, params: readonly XapiValue[] = [], options?: CallOptions): Promise<XapiValue> {
    return this.invoke(method, params, options);
  }

  /** Logs out (best effort: the session dies with its 24 h timeout anyway) and closes sockets. */
  async close(): Promise<void> {
    const ref = this.ref;
    this.ref = undefined;
    try {
      if (ref) await this.invoke("session.logout", [ref], { timeoutMs: Math.min(this.options.timeoutMs, 10_000) });
    } catch {
      // Logging out is a courtesy; a dead connection must not turn a good run into a failure.
    } finally {
      this.endpoint.agent.destroy();
      for (const agent of this.retired) agent.destroy();
    }
  }

  private moveTo(url: URL): void {
    this.jsonRpc = undefined;
    // Calls still in flight on the old host finish there: cutting their sockets would make a
    // VM.snapshot's outcome unknown for nothing. Its idle connections go now, the rest on close().
    const old = this.endpoint.agent;
    this.retired.add(old);
    for (const sockets of Object.values(old.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    this.endpoint = createEndpoint(url, this.options.tls, this.options.timeoutMs);
    this.transport = xmlRpcTransport(this.endpoint);
  }

  /**
   * One login at a time: concurrent callers that saw the same stale ref share it, and a caller whose
   * stale ref was already replaced just takes the new one.
   */
  private relogin(stale: OpaqueRef | undefined): Promise<OpaqueRef> {
    if (this.ref !== undefined && this.ref !== stale) return Promise.resolve(this.ref);
    if (!this.loggingIn) {
      this.ref = undefined;
      this.loggingIn = this.loginFollowingMaster().finally(() => {
        this.loggingIn = undefined;
      });
    }
    return this.loggingIn;
  }

  private async loginFollowingMaster(): Promise<OpaqueRef> {
    const { username, password, originator } = this.options;
    for (let hop = 0; ; hop++) {
      try {
        const ref = await this.invoke("session.login_with_password", [username, password, API_VERSION, originator]);
        if (typeof ref !== "string" || !ref.startsWith("OpaqueRef:")) {
          throw new TransportError("BAD_RESPONSE", this.endpoint.url.origin, "login did not return a session ref");
        }
        this.sessions.add(ref);
        this.ref = asRef(ref);
        return this.ref;
      } catch (error) {
        if (!isXapiError(error, "HOST_IS_SLAVE") || hop >= MAX_MASTER_HOPS) throw error;
        this.moveTo(masterUrl(this.endpoint.url, error.params[0] ?? ""));
      }
    }
  }

  /** The one place every call passes: logs it with secrets redacted, then sends it. */
  private async invoke(method: string, params: readonly XapiValue[], options?: CallOptions): Promise<XapiValue> {
    const log = this.options.log;
    if (!log) return this.transport(method, params, options);
    const started = Date.now();
    log(`→ ${describeCall(method, params, this.sessions)}`);
    try {
      const value = await this.transport(method, params, options);
      log(`← ${method} ok in ${Date.now() - started} ms`);
      return value;
    } catch (error) {
      const what = error instanceof XapiError || error instanceof TransportError ? error.code : "error";
      log(`✗ ${method} ${what} after ${Date.now() - started} ms`);
      throw error;
    }
  }
}
