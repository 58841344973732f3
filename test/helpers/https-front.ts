/**
 * An HTTPS front for the simulator (which speaks plain HTTP), like stunnel in front of xapi on a real
 * host: a self-signed certificate made by openssl for each run (for IP 127.0.0.1 only), each request
 * forwarded to `target`. It counts what reached it, so a test can tell that a refused certificate
 * let no request through, and how many TLS connections a command opened and whether any resumed a
 * session.
 *
 *   const front = await startHttpsFront(sim.url);
 *   … front.url, front.fingerprint, front.certFile, front.requests …
 *   await front.close();
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";

export interface HttpsFront {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  /** The folder holding cert.pem and key.pem (removed by close). */
  readonly dir: string;
  /** The front's certificate in PEM. */
  readonly certFile: string;
  /** Its SHA-256 fingerprint as openssl prints it (`AB:CD:…`). */
  readonly fingerprint: string;
  /** HTTP requests that reached the front (a refused certificate must leave this unchanged). */
  readonly requests: number;
  /** TLS handshakes completed, and how many of them resumed an earlier session. */
  readonly handshakes: number;
  readonly resumed: number;
  close(): Promise<void>;
}

export async function startHttpsFront(target: string): Promise<HttpsFront> {
  const dir = mkdtempSync(join(tmpdir(), "xsnap-tls-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2",
    "-subj", "/CN=xapi-test", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  const cert = readFileSync(join(dir, "cert.pem"));
  const upstream = new URL(target);
  const counts = { requests: 0, handshakes: 0, resumed: 0 };
  const server = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (req, res) => {
    counts.requests++;
    const forward = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  server.on("secureConnection", (socket: TLSSocket) => {
    counts.handshakes++;
    if (socket.isSessionReused()) counts.resumed++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dir,
    certFile: join(dir, "cert.pem"),
    fingerprint: new X509Certificate(cert).fingerprint256,
    get requests() { return counts.requests; },
    get handshakes() { return counts.handshakes; },
    get resumed() { return counts.resumed; },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
