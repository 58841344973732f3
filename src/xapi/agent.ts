/**
 * The keep-alive HTTP(S) agent for one pool URL, with the TLS policy of DESIGN §4: verification on
 * by default (system CAs, or `caFile`), `tlsFingerprint` pinning for XAPI's self-signed certificate,
 * `insecure` only when asked for.
 */
import { X509Certificate } from "crypto";
import { readFileSync } from "fs";
import * as http from "http";
import * as https from "https";
import type { Duplex } from "stream";
import { checkServerIdentity, type TLSSocket } from "tls";
import { TransportError } from "./errors";

export interface TlsOptions {
  /** PEM file of the CA (or of the pool's own certificate) to trust instead of the system CAs. */
  readonly caFile?: string;
  /** SHA-256 fingerprint of the pool's certificate, hex with or without colons. */
  readonly tlsFingerprint?: string;
  /** Accept any certificate. Must be explicit; printed in the plan header by the CLI. */
  readonly insecure?: boolean;
}

/** `AB:cd:…` or `abcd…` → `ABCD…`; undefined when it is not a SHA-256 fingerprint. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text.replace(/^sha256:/i, "").replace(/[:\s]/g, "").toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : undefined;
}

/** Decides on a freshly handshaken socket: undefined lets it carry requests, an error refuses it. */
type CertificateCheck = (socket: TLSSocket, host: string) => TransportError | undefined;

/**
 * Hands a TLS socket to the HTTP layer only after `check` accepted the certificate the server
 * presented, so not one byte of a request (a login carries the password) reaches a server that
 * failed it. Node's own rejection is off (`rejectUnauthorized: false`): the check decides, with the
 * certificate in hand for the error.
 *
 * Every connection makes a full handshake: the agent caches no TLS session and offers none. A
 * resumed session carries no certificate to check (with TLS 1.3 `getPeerCertificate()` is empty on
 * it), and Node skips the host name check on it; so a pin checked on the first connection only was
 * refused on the parallel ones that resumed its session. A resumed session is refused outright,
 * should a server ever resume one that was not offered.
 */
class CheckedAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly check: CertificateCheck,
    private readonly url: string,
  ) {
    super({ ...options, rejectUnauthorized: false, maxCachedSessions: 0 });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection({ ...options, rejectUnauthorized: false, session: undefined } as https.RequestOptions) as TLSSocket;
    const host = (options as { servername?: string }).servername || options.hostname || options.host || "";
    const fail = (error: Error): void => {
      socket.destroy();
      callback?.(error, socket);
    };
    socket.once("error", fail);
    socket.once("secureConnect", () => {
      socket.removeListener("error", fail);
      const refusal = socket.isSessionReused()
        ? new TransportError("TLS", this.url, "the server resumed a TLS session that was not offered; its certificate cannot be checked")
        : this.check(socket, host);
      if (refusal) return fail(refusal);
      callback?.(null, socket);
    });
    return undefined;
  }
}

/** The SHA-256 fingerprint (colon-separated hex, as openssl prints it) of the certificate the server sent. */
function presentedFingerprint(socket: TLSSocket): string | undefined {
  const fingerprint = socket.getPeerCertificate()?.fingerprint256;
  return typeof fingerprint === "string" && normalizeFingerprint(fingerprint) ? fingerprint : undefined;
}

/** Pins the server certificate by its SHA-256 fingerprint. Chain checks are off: the pin is stricter. */
const pinCheck = (pin: string, url: string): CertificateCheck => (socket) => {
  const seen = presentedFingerprint(socket);
  if (seen === undefined) return new TransportError("TLS_FINGERPRINT_MISMATCH", url, "the server presented no certificate to compare with the pinned fingerprint");
  if (normalizeFingerprint(seen) === pin) return undefined;
  return new TransportError("TLS_FINGERPRINT_MISMATCH", url, `the server's certificate has SHA-256 fingerprint ${seen}, not the pinned one`, undefined, {
    reason: "TLS_FINGERPRINT_MISMATCH", fingerprint: seen,
  });
};

/** Node's verification (the CA chain, then the host name), as `socket.authorized` reports it. */
const verifyCheck = (url: string): CertificateCheck => (socket, host) => {
  if (socket.authorized) return undefined;
  const raw = socket.authorizationError as unknown;
  const reason = typeof raw === "string" ? raw : raw instanceof Error ? String((raw as { code?: unknown }).code ?? raw.message) : "UNTRUSTED_CERTIFICATE";
  const fingerprint = presentedFingerprint(socket);
  return new TransportError("TLS", url, `${reason}: ${verifyErrorText(reason, socket, host)}`, undefined, { reason, ...(fingerprint ? { fingerprint } : {}) });
};

/** OpenSSL's words for the verification codes met in practice (the code alone is not a sentence). */
const VERIFY_TEXTS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in certificate chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unable to verify the first certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unable to get local issuer certificate",
  UNABLE_TO_GET_ISSUER_CERT: "unable to get issuer certificate",
  CERT_HAS_EXPIRED: "certificate has expired",
  CERT_NOT_YET_VALID: "certificate is not yet valid",
};

function verifyErrorText(reason: string, socket: TLSSocket, host: string): string {
  if (reason === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return checkServerIdentity(host, socket.getPeerCertificate(true))?.message ?? `the certificate is not for ${host}`;
  }
  return VERIFY_TEXTS[reason] ?? "the certificate is not trusted";
}

/**
 * Connections to one host. Every task being waited for holds one in an `event.from` long poll, so
 * at `--parallelism 25` a cap of 16 left the other calls queued behind the polls (measured: every
 * call of an apply took ~100 ms instead of ~5 ms, 2.2× the ideal time). 64 covers the largest
 * parallelism in use (25 polls + 25 calls) with room; XAPI serves each connection on its own thread.
 */
const MAX_SOCKETS = 64;

export function createAgent(url: URL, tls: TlsOptions): http.Agent {
  const base = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: MAX_SOCKETS };
  if (url.protocol === "http:") return new http.Agent(base);
  if (url.protocol !== "https:") throw new TransportError("BAD_RESPONSE", url.origin, `unsupported URL scheme ${url.protocol}`);
  if (tls.tlsFingerprint !== undefined) {
    const pin = normalizeFingerprint(tls.tlsFingerprint);
    if (!pin) throw new TransportError("TLS", url.origin, "tls_fingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)");
    return new CheckedAgent(base, pinCheck(pin, url.origin), url.origin);
  }
  if (tls.insecure) return new https.Agent({ ...base, rejectUnauthorized: false });
  const ca = tls.caFile !== undefined ? readCa(tls.caFile, url) : undefined;
  return new CheckedAgent({ ...base, ...(ca ? { ca } : {}) }, verifyCheck(url.origin), url.origin);
}

/**
 * Why the file cannot serve as `ca_file`, or undefined when it holds PEM certificates. Node reads
 * `ca` as concatenated PEM and silently skips anything else, so a wrong file (DER, a key, a source
 * file) would only surface later as an untrusted-certificate error.
 */
function caFileProblem(content: Buffer): string | undefined {
  const blocks = content.toString("latin1").match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return "holds no PEM certificate (a -----BEGIN CERTIFICATE----- block)";
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      return "holds a PEM certificate block that does not parse";
    }
  }
  return undefined;
}

/**
 * The `ca_file`'s certificates, or why it cannot serve: unreadable, or no PEM certificate in it. The
 * CLI asks before any pool is called (naming the provider block); the agent again when it is made.
 * `shown`: the path as the message writes it.
 */
export function readCaFile(path: string, shown = path): { readonly ok: true; readonly content: Buffer } | { readonly ok: false; readonly problem: string } {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const code = typeof error === "object" && error !== null ? String((error as { code?: unknown }).code ?? "") : "";
    return { ok: false, problem: `cannot read ca_file ${shown}${code ? ` (${code})` : ""}` };
  }
  const problem = caFileProblem(content);
  return problem ? { ok: false, problem: `ca_file ${shown} ${problem}` } : { ok: true, content };
}

function readCa(path: string, url: URL): Buffer {
  const ca = readCaFile(path);
  if (!ca.ok) throw new TransportError("TLS", url.origin, ca.problem);
  return ca.content;
}
