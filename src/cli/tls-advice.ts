/**
 * The fix for a refused pool certificate, in terms of the xapi provider block (DESIGN §4):
 * `ca_file`, `tls_fingerprint` (with the fingerprint the server actually presented) or an explicit
 * `insecure = true`. The transport only reports what it saw; naming settings is the CLI's job.
 */
import type { TransportError } from "../xapi";

/** Codes of a certificate that verifies as such but is not signed by a trusted CA. */
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
]);

const CHECK_FIRST = "docs/troubleshooting.md#tls-certificate-not-trusted";

/** Lines to print under the error, or none when it is not a refused certificate. */
export function tlsAdvice(e: TransportError): string[] {
  const certificate = e.certificate;
  if (e.code === "TLS_FINGERPRINT_MISMATCH") {
    return ["  If the pool's certificate was regenerated, read its fingerprint from a machine you trust and update tls_fingerprint (docs/troubleshooting.md#tls-fingerprint-mismatch-tls_fingerprint_mismatch)."];
  }
  if (e.code !== "TLS" || !certificate) return [];
  const pin = `tls_fingerprint = "${certificate.fingerprint ?? "<SHA-256 fingerprint of the pool's certificate>"}"`;
  const pinWhy = certificate.fingerprint
    ? `pins the certificate this server presented; check first that it is the pool's own (${CHECK_FIRST})`
    : `pins the pool's certificate (${CHECK_FIRST})`;
  const lead = UNTRUSTED.has(certificate.reason)
    ? "  The pool's certificate is not signed by a CA this machine trusts (XAPI's own certificate is self-signed). In the xapi provider block, set one of:"
    : certificate.reason === "ERR_TLS_CERT_ALTNAME_INVALID"
      ? "  The certificate is not for the host name in url. Use a url with a name the certificate holds, or in the xapi provider block set one of:"
      : certificate.reason === "CERT_HAS_EXPIRED" || certificate.reason === "CERT_NOT_YET_VALID"
        ? "  Check this machine's clock, or renew the pool's certificate (xe host-refresh-server-certificate); or in the xapi provider block set one of:"
        : "  In the xapi provider block, set one of:";
  return [
    lead,
    `    ca_file = "pool.pem"   the pool's certificate (certificate part of /etc/xensource/xapi-ssl.pem on the master) or its CA, in PEM`,
    `    ${pin}   ${pinWhy}`,
    `    insecure = true   no verification at all (printed in every plan header)`,
  ];
}
