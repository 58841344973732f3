/**
 * HTTP(S) transport to one pool host (DESIGN §6). A Transport is just a function from a call to
 * its decoded `Value`, so tests and callers can fake it in one line (after xen-api's
 * `transports/xml-rpc.mjs`). The body is decoded while it streams in; an XAPI `Failure` becomes a
 * XapiError, anything that is not a 200 `text/xml` XAPI answer becomes a TransportError.
 */
import * as http from "http";
import * as https from "https";
import type { Readable } from "stream";
import { encodeMethodCall, XmlRpcDecoder, type DecodedResponse, type DecodeOptions } from "./codec";
import { createAgent, type TlsOptions } from "./agent";
import { TransportError, XapiError, transportErrorFrom } from "./errors";
import type { XapiValue } from "./types";

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Time allowed without progress (connect, first byte, between chunks). */
  readonly timeoutMs?: number;
  /** Decoder options, e.g. struct members dropped while decoding (`snapshot_metadata`). */
  readonly decode?: DecodeOptions;
}

export type Transport = (method: string, params: readonly XapiValue[], options?: CallOptions) => Promise<XapiValue>;

/** One pool host: where to send, through which agent (keep-alive, TLS policy). */
export interface Endpoint {
  readonly url: URL;
  readonly agent: http.Agent;
  readonly tls: TlsOptions;
  readonly timeoutMs: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 120_000;

export function createEndpoint(url: string | URL, tls: TlsOptions, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Endpoint {
  const parsed = typeof url === "string" ? parseUrl(url) : url;
  return { url: parsed, agent: createAgent(parsed, tls), tls, timeoutMs };
}

function parseUrl(text: string): URL {
  try {
    return new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new TransportError("BAD_RESPONSE", text, "not a valid pool URL");
  }
}

const isXml = (contentType: string | undefined): boolean => /^\s*(text|application)\/xml\b/i.test(contentType ?? "");

/** Aborts the request when no progress happens for `ms`; remembers that it fired. */
class ProgressTimer {
  readonly controller = new AbortController();
  fired = false;
  private readonly timer: NodeJS.Timeout;
  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, ms);
  }
  touch(): void {
    this.timer.refresh();
  }
  stop(): void {
    clearTimeout(this.timer);
  }
}

function requestFn(url: URL): typeof http.request {
  return url.protocol === "https:" ? https.request : http.request;
}

/** Reads at most 2 KiB of an error body, for the message (a 500 page, a proxy's complaint). */
async function errorSnippet(res: http.IncomingMessage): Promise<string> {
  let text = "";
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (text.length < 2048) text += chunk.toString("utf8");
    }
  } catch {
    // the body is only decoration for the error
  }
  return text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
}

/** The XAPI envelope: `{Status: "Success", Value}` or `{Status: "Failure", ErrorDescription}`. */
function unwrap(response: DecodedResponse, method: string, url: string): XapiValue {
  const v = response.value;
  if (response.fault || v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Date) {
    throw new TransportError("BAD_RESPONSE", url, `${method}: the answer is not an XAPI {Status, Value} struct`);
  }
  if (v.Status === "Success") {
    // XAPI never sends <nil/> (reference/xapi.md §1.2), the only decoded value outside XapiValue.
    return (v.Value ?? "") as XapiValue;
  }
  if (v.Status === "Failure") throw XapiError.fromWire(v.ErrorDescription, method);
  throw new TransportError("BAD_RESPONSE", url, `${method}: unknown Status in the answer`);
}

/** Sends one XML-RPC call to `endpoint` (POST /). */
export function xmlRpcTransport(endpoint: Endpoint): Transport {
  return async (method, params, options = {}) => {
    const body = Buffer.from(encodeMethodCall(method, params), "utf8"); // refuses bad params before sending
    const origin = endpoint.url.origin;
    return exchange<XapiValue>(endpoint, method, options, {
      path: "/",
      contentType: "text/xml",
      body,
      open: (status, contentType) => {
        if (status !== 200) return undefined;
        if (!isXml(contentType)) return new TransportError("BAD_RESPONSE", origin, `${method}: expected text/xml, got ${contentType ?? "no content type"}`);
        const decoder = new XmlRpcDecoder(options.decode);
        return { write: (chunk) => decoder.write(chunk), end: () => unwrap(decoder.endResponse(), method, origin) };
      },
    });
  };
}

/** Reads an answer's body as it streams in. `end` returns the call's value or throws its error. */
export interface BodyReader<T> {
  write(chunk: Buffer): void;
  end(): T;
}

export interface ExchangeSpec<T> {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** How to read an answer with this status and content type: a reader, an error, or undefined = HTTP_STATUS error. */
  open(status: number, contentType: string | undefined): BodyReader<T> | TransportError | undefined;
}

/** One POST with the progress timeout, cancellation and error mapping shared by both RPC encodings. */
export function exchange<T>(endpoint: Endpoint, method: string, options: CallOptions, spec: ExchangeSpec<T>): Promise<T> {
  const origin = endpoint.url.origin;
  const timeoutMs = options.timeoutMs ?? endpoint.timeoutMs;
  const timer = new ProgressTimer(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timer.controller.signal, options.signal]) : timer.controller.signal;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      timer.stop();
      req.destroy();
      if (timer.fired) reject(new TransportError("TIMEOUT", origin, `${method}: no answer within ${timeoutMs} ms`));
      else if (options.signal?.aborted) reject(new TransportError("ABORTED", origin, `${method}: cancelled`));
      else reject(error instanceof XapiError || error instanceof TransportError ? error : transportErrorFrom(error, origin));
    };
    const req = requestFn(endpoint.url)({
      protocol: endpoint.url.protocol,
      hostname: endpoint.url.hostname.replace(/^\[|\]$/g, ""),
      port: endpoint.url.port || undefined,
      path: spec.path,
      method: "POST",
      agent: endpoint.agent,
      signal,
      headers: { "Content-Type": spec.contentType, "Content-Length": spec.body.length, "User-Agent": "xsnap" },
    });
    req.on("error", fail);
    req.on("response", (res) => {
      timer.touch();
      const reader = spec.open(res.statusCode ?? 0, res.headers["content-type"]);
      if (reader === undefined) {
        void errorSnippet(res).then((text) => fail(new TransportError("HTTP_STATUS", origin, `${method}: HTTP ${res.statusCode ?? "?"} ${text}`, res.statusCode)));
        return;
      }
      if (reader instanceof TransportError) {
        res.resume();
        return fail(reader);
      }
      res.on("data", (chunk: Buffer) => {
        timer.touch();
        try {
          reader.write(chunk);
        } catch (error) {
          fail(new TransportError("BAD_RESPONSE", origin, `${method}: ${error instanceof Error ? error.message : String(error)}`));
        }
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail(new TransportError("ECONNRESET", origin, `${method}: the connection closed in the middle of the answer`));
      });
      res.on("end", () => {
        if (settled) return;
        try {
          const value = reader.end();
          settled = true;
          timer.stop();
          resolve(value);
        } catch (error) {
          fail(error instanceof XapiError || error instanceof TransportError ? error : new TransportError("BAD_RESPONSE", origin, `${method}: ${error instanceof Error ? error.message : String(error)}`));
        }
      });
    });
    req.end(spec.body);
  });
}

const pathWithQuery = (path: string, query: Readonly<Record<string, string>>): string => {
  const qs = new URLSearchParams(query).toString();
  return qs ? `${path}?${qs}` : path;
};

/** Options of a long HTTP transfer (an XVA export or import). */
export interface TransferOptions {
  readonly signal?: AbortSignal;
  /**
   * Abort when the connection moves no byte either way for this long (default: the endpoint's call
   * timeout). An idle limit, not a total one: a 4 TiB export may take hours, but xapi sends a
   * keep-alive chunk every 5 s while it reads sparse disk areas (stream_vdi.ml `send_one`).
   */
  readonly idleTimeoutMs?: number;
}

const isRedirect = (res: http.IncomingMessage): boolean =>
  res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 && typeof res.headers.location === "string";

/** The endpoint for `target`: the same one (keep-alive agent) on the same origin, else one with the same TLS policy. */
const endpointFor = (endpoint: Endpoint, target: URL): Endpoint =>
  target.origin === endpoint.url.origin ? endpoint : createEndpoint(target.origin, endpoint.tls, endpoint.timeoutMs);

const MAX_REDIRECTS = 3;

/**
 * GET `path?query` on the pool (e.g. /export). Follows up to 3 redirects: XAPI redirects an export
 * to the host that sees the VM's SRs (reference/xapi.md §3.13). Resolves with the 200 response,
 * unread, paced by its reader (backpressure reaches the socket); the wait for its headers is bounded
 * by the endpoint's call timeout, the body by `idleTimeoutMs`.
 */
export async function httpGet(endpoint: Endpoint, path: string, query: Readonly<Record<string, string>>, opts: TransferOptions = {}): Promise<http.IncomingMessage> {
  let target = new URL(pathWithQuery(path, query), endpoint.url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await send(endpointFor(endpoint, target), "GET", target.pathname + target.search, opts);
    if (isRedirect(res)) {
      res.resume();
      target = new URL(res.headers.location ?? "", target);
      continue;
    }
    if (res.statusCode !== 200) {
      const text = await errorSnippet(res);
      throw new TransportError("HTTP_STATUS", target.origin, `GET ${path}: HTTP ${res.statusCode ?? "?"} ${text}`, res.statusCode);
    }
    return res;
  }
  throw new TransportError("HTTP_STATUS", endpoint.url.origin, `GET ${path}: too many redirects`);
}

/** What a PUT needs: the body is opened once per attempt, so a redirect can send it again from the start. */
export interface PutOptions extends TransferOptions {
  /** Sent as Content-Length when known. XAPI refuses chunked uploads (403 IMPORT_ERROR_CANNOT_HANDLE_CHUNKED). */
  readonly length?: number;
}

/**
 * PUT a streamed body to `path?query` (e.g. /import). Backpressure: the body is read only as fast as
 * the socket drains. Follows up to 3 redirects (XAPI redirects an import to a host that sees the SR,
 * reference §3.15.1), reopening the body for each. Resolves when the whole body is sent and the 200
 * answer has ended; rejects with HTTP_STATUS for another status, or a transport error when the
 * connection breaks (XAPI answers 200 before reading and closes when the import fails: the caller
 * then reads the task for the reason).
 */
export async function httpPut(endpoint: Endpoint, path: string, query: Readonly<Record<string, string>>, body: () => Readable, opts: PutOptions = {}): Promise<void> {
  let target = new URL(pathWithQuery(path, query), endpoint.url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const location = await upload(endpointFor(endpoint, target), target, path, body(), opts);
    if (location === undefined) return;
    target = new URL(location, target);
  }
  throw new TransportError("HTTP_STATUS", endpoint.url.origin, `PUT ${path}: too many redirects`);
}

/** One PUT attempt; resolves with the redirect location, or undefined once the upload is complete. */
function upload(endpoint: Endpoint, target: URL, path: string, body: Readable, opts: PutOptions): Promise<string | undefined> {
  const origin = target.origin;
  return new Promise((resolve, reject) => {
    let settled = false;
    let sent = false;
    let answered = false;
    const finish = (error: unknown, location?: string): void => {
      if (settled) return;
      settled = true;
      if (error !== undefined || location !== undefined) {
        body.destroy();
        req.destroy();
      }
      if (error !== undefined) reject(error);
      else resolve(location);
    };
    const req = openRequest(endpoint, "PUT", target.pathname + target.search, opts, (error) => finish(error));
    req.on("response", (res) => {
      if (isRedirect(res)) {
        res.resume();
        return finish(undefined, res.headers.location);
      }
      if (res.statusCode !== 200) {
        void errorSnippet(res).then((text) => finish(new TransportError("HTTP_STATUS", origin, `PUT ${path}: HTTP ${res.statusCode ?? "?"} ${text}`, res.statusCode)));
        return;
      }
      res.resume(); // XAPI's import answer has no body (a 500 page after a failure, read only to be dropped)
      res.on("end", () => {
        answered = true;
        if (sent) finish(undefined);
        else finish(new TransportError("ECONNRESET", origin, `PUT ${path}: the pool closed the connection before the upload was complete`));
      });
      res.on("error", (error) => finish(transportErrorFrom(error, origin)));
    });
    req.on("finish", () => {
      sent = true;
      if (answered) finish(undefined);
    });
    body.on("error", (error) => finish(error));
    body.pipe(req);
  });
}

/** Opens a request with the header timeout, the idle timeout and the abort signal wired to `fail`. */
function openRequest(endpoint: Endpoint, method: "GET" | "PUT", path: string, opts: PutOptions, fail: (error: TransportError) => void): http.ClientRequest {
  const origin = endpoint.url.origin;
  const route = `${method} ${path.split("?")[0] ?? ""}`;
  const idleMs = opts.idleTimeoutMs ?? endpoint.timeoutMs;
  const req = requestFn(endpoint.url)({
    protocol: endpoint.url.protocol,
    hostname: endpoint.url.hostname.replace(/^\[|\]$/g, ""),
    port: endpoint.url.port || undefined,
    path,
    method,
    agent: endpoint.agent,
    ...(opts.signal ? { signal: opts.signal } : {}),
    headers: { "User-Agent": "xsnap", ...(opts.length !== undefined ? { "Content-Length": opts.length } : {}) },
  });
  let timeout: TransportError | undefined;
  let response: http.IncomingMessage | undefined;
  req.once("response", (res: http.IncomingMessage) => { response = res; });
  req.setTimeout(idleMs, () => {
    timeout = new TransportError("TIMEOUT", origin, `${route}: nothing moved for ${idleMs} ms`);
    req.destroy(timeout);
  });
  req.on("error", (error) => {
    const typed = timeout ?? (opts.signal?.aborted ? new TransportError("ABORTED", origin, `${route}: cancelled`) : transportErrorFrom(error, origin));
    // A body already handed to the caller fails with the same typed error, not a bare "aborted".
    if (response && !response.complete && !response.destroyed) response.destroy(typed);
    fail(typed);
  });
  return req;
}

function send(endpoint: Endpoint, method: "GET", path: string, opts: TransferOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = openRequest(endpoint, method, path, opts, reject);
    req.on("response", resolve);
    req.end();
  });
}
