/**
 * The two ways a pool call fails, both complete when constructed (STYLE "one error class for the
 * pool"): XapiError when XAPI answered with a failure, TransportError when no trustworthy answer
 * came back (network, timeout, TLS, HTTP, unparsable body). Decide on `code`, never on messages.
 * Call arguments are never copied into an error: they may hold a password.
 */
import { hintFor } from "./hints";

export class XapiError extends Error {
  override readonly name = "XapiError";
  constructor(
    readonly code: string,
    readonly params: readonly string[],
    readonly method: string,
  ) {
    super(`${method}: ${code}(${params.join(", ")})`);
  }

  /** From a wire ErrorDescription / task error_info: `[CODE, param…]`. */
  static fromWire(errorDescription: unknown, method: string): XapiError {
    const list = Array.isArray(errorDescription) ? errorDescription.map((x: unknown) => String(x)) : [];
    const [code = "INTERNAL_ERROR", ...params] = list;
    return new XapiError(code, params, method);
  }

  /** A sentence for a person (undefined when the code needs none beyond itself). */
  get hint(): string | undefined {
    return hintFor(this.code, this.params);
  }

  /**
   * One line for the CLI: `SESSION_AUTHENTICATION_FAILED(root, …): the user name or password is wrong`.
   * Params are the pool's text (an import error quotes the bytes it choked on): control characters
   * are escaped and long ones cut, so nothing reaches a terminal that could drive it.
   */
  describe(): string {
    return describeXapiError(this.code, this.params, this.method);
  }
}

/**
 * `CODE(params)[ from METHOD][: hint]`: how every XAPI error reaches a person, from a plan, a command
 * or an apply step (which may know no method). Params are printed with `printableParam`.
 */
export function describeXapiError(code: string, params: readonly string[], method?: string): string {
  const hint = hintFor(code, params);
  return `${code}(${params.map(printableParam).join(", ")})${method ? ` from ${method}` : ""}${hint ? `: ${hint}` : ""}`;
}

const PARAM_LIMIT = 300;

function printableParam(param: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = param.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > PARAM_LIMIT ? `${escaped.slice(0, PARAM_LIMIT)}… (${escaped.length - PARAM_LIMIT} more characters)` : escaped;
}

export const isXapiError = (e: unknown, code?: string): e is XapiError =>
  e instanceof XapiError && (code === undefined || e.code === code);

/**
 * Network-level failure codes. `sent` tells whether the request may have reached the pool:
 * only a call that was certainly not sent is safe to repeat when it is not idempotent.
 */
export type TransportErrorCode =
  | "ECONNREFUSED" // nothing was sent
  | "ECONNRESET" // the connection broke: outcome unknown
  | "TIMEOUT" // no answer in time: outcome unknown
  | "ABORTED" // the caller cancelled
  | "DNS" // host name did not resolve: nothing was sent
  | "TLS" // certificate not trusted (or the handshake failed): nothing was sent
  | "TLS_FINGERPRINT_MISMATCH" // pinned certificate differs: nothing was sent
  | "HTTP_STATUS" // the server answered with an HTTP error
  | "BAD_RESPONSE"; // the body is not an XAPI answer

const NOT_SENT: ReadonlySet<TransportErrorCode> = new Set(["ECONNREFUSED", "DNS", "TLS", "TLS_FINGERPRINT_MISMATCH"]);

/** The certificate a server presented and why it was refused (TLS and TLS_FINGERPRINT_MISMATCH). */
export interface RefusedCertificate {
  /** Node / OpenSSL verification code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, or TLS_FINGERPRINT_MISMATCH. */
  readonly reason: string;
  /** SHA-256 fingerprint of the presented certificate, colon-separated as openssl prints it (absent when none was sent). */
  readonly fingerprint?: string;
}

export class TransportError extends Error {
  override readonly name = "TransportError";
  /** False when the request certainly never reached the pool. */
  readonly sent: boolean;
  constructor(
    readonly code: TransportErrorCode,
    readonly url: string,
    detail: string,
    readonly status?: number,
    /** Set when the server's certificate was refused after the handshake (the error's reader can tell the fix). */
    readonly certificate?: RefusedCertificate,
  ) {
    super(`${code} talking to ${url}: ${detail}`);
    this.sent = !NOT_SENT.has(code);
  }
}

export const isTransportError = (e: unknown, code?: TransportErrorCode): e is TransportError =>
  e instanceof TransportError && (code === undefined || e.code === code);

/** Maps a Node network error to a TransportError (codes from libuv / OpenSSL, never message text). */
export function transportErrorFrom(error: unknown, url: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = typeof error === "object" && error !== null ? String((error as { code?: unknown }).code ?? "") : "";
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ECONNREFUSED":
      return new TransportError("ECONNREFUSED", url, message);
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new TransportError("DNS", url, message);
    case "ECONNRESET":
    case "EPIPE":
    case "ECONNABORTED":
    case "ERR_STREAM_PREMATURE_CLOSE":
      return new TransportError("ECONNRESET", url, message);
    case "ETIMEDOUT":
      return new TransportError("TIMEOUT", url, message);
    default:
      if (code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || TLS_VERIFY_CODES.has(code)) {
        return new TransportError("TLS", url, `${code}: ${message}`);
      }
      return new TransportError("ECONNRESET", url, `${code || "error"}: ${message}`);
  }
}

const TLS_VERIFY_CODES: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
]);
