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

/**
 * GET `path?query` on the pool (e.g. /export). Follows up to 3 redirects: XAPI redirects an export
 * to the host that sees the VM's SRs (reference/xapi.md §3.13). Resolves with the 200 response,
 * unread; the timeout covers only the wait for its headers (the caller paces the body).
 */
export async function httpGet(endpoint: Endpoint, path: string, query: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<http.IncomingMessage> {
  let target = new URL(pathWithQuery(path, query), endpoint.url);
  for (let hop = 0; hop <= 3; hop++) {
    const hopEndpoint = target.origin === endpoint.url.origin ? endpoint : createEndpoint(target.origin, endpoint.tls, endpoint.timeoutMs);
    const res = await send(hopEndpoint, "GET", target.pathname + target.search, { signal });
    const location = res.headers.location;
    if (res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      target = new URL(location, target);
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

/** PUT a body to `path?query` (e.g. /import) and wait for a 200 answer. */
export async function httpPut(endpoint: Endpoint, path: string, query: Readonly<Record<string, string>>, body: Readable, length?: number, signal?: AbortSignal): Promise<void> {
  const res = await send(endpoint, "PUT", pathWithQuery(path, query), { signal, body, length });
  const text = await errorSnippet(res);
  if (res.statusCode !== 200) throw new TransportError("HTTP_STATUS", endpoint.url.origin, `PUT ${path}: HTTP ${res.statusCode ?? "?"} ${text}`, res.statusCode);
}

function send(endpoint: Endpoint, method: "GET" | "PUT", path: string, opts: { signal?: AbortSignal | undefined; body?: Readable; length?: number | undefined }): Promise<http.IncomingMessage> {
  const origin = endpoint.url.origin;
  const timer = new ProgressTimer(endpoint.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timer.controller.signal, opts.signal]) : timer.controller.signal;
  return new Promise((resolve, reject) => {
    const req = requestFn(endpoint.url)({
      protocol: endpoint.url.protocol,
      hostname: endpoint.url.hostname.replace(/^\[|\]$/g, ""),
      port: endpoint.url.port || undefined,
      path,
      method,
      agent: endpoint.agent,
      signal,
      headers: { "User-Agent": "xsnap", ...(opts.length !== undefined ? { "Content-Length": opts.length } : {}) },
    });
    req.on("error", (error) => {
      timer.stop();
      if (timer.fired) reject(new TransportError("TIMEOUT", origin, `${method} ${path.split("?")[0] ?? ""}: no answer in time`));
      else if (opts.signal?.aborted) reject(new TransportError("ABORTED", origin, `${method}: cancelled`));
      else reject(transportErrorFrom(error, origin));
    });
    req.on("response", (res) => {
      timer.stop();
      resolve(res);
    });
    if (opts.body) {
      // Upload progress counts as progress: a large import must not time out while it streams.
      opts.body.on("data", () => timer.touch());
      opts.body.on("error", (error) => req.destroy(error));
      opts.body.pipe(req);
    } else req.end();
  });
}
