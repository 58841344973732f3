/**
 * TLS policy (DESIGN §4): verification on by default, `caFile`, SHA-256 fingerprint pinning for
 * XAPI's self-signed certificate, explicit `insecure`. The simulator speaks plain HTTP, so a small
 * HTTPS front (like stunnel in front of xapi on a real host) forwards to it; the certificate is made
 * by openssl for each run.
 */
import { execFileSync } from "child_process";
import { createHash, X509Certificate } from "crypto";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { connect, isTransportError } from "../../src/xapi";

let sim: RunningSimulator;
let front: https.Server;
let url = "";
let dir = "";
let fingerprint = "";
let requestsSeen = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "xsnap-tls-"));
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2",
    "-subj", "/CN=xapi-test", "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  const cert = readFileSync(join(dir, "cert.pem"));
  fingerprint = new X509Certificate(cert).fingerprint256;
  sim = await startSimulator({ fixture: "demo" });
  const target = new URL(sim.url);
  front = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (req, res) => {
    requestsSeen++;
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
});

afterAll(async () => {
  front?.closeAllConnections();
  await new Promise((resolve) => front?.close(resolve));
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const login = { username: "root", password: "xsnap" };

describe("TLS to the pool", () => {
  it("refuses a self-signed certificate by default, before sending the login", async () => {
    const before = requestsSeen;
    const error = await connect({ url, ...login }).catch((e: unknown) => e);
    expect(isTransportError(error, "TLS")).toBe(true);
    expect(requestsSeen).toBe(before);
  });

  it("trusts the certificate given as caFile", async () => {
    const client = await connect({ url, ...login, caFile: join(dir, "cert.pem") });
    expect(await client.call("pool.get_all")).toHaveLength(1);
    await client.close();
  });

  it.each([
    ["as openssl prints it", (fp: string) => fp],
    ["lower case without colons", (fp: string) => fp.replace(/:/g, "").toLowerCase()],
  ])("accepts the pinned SHA-256 fingerprint written %s", async (_why, form) => {
    const client = await connect({ url, ...login, tlsFingerprint: form(fingerprint) });
    expect(await client.call("pool.get_all")).toHaveLength(1);
    await client.close();
  });

  it("refuses another certificate than the pinned one, without sending a byte of the request", async () => {
    const before = requestsSeen;
    const wrong = createHash("sha256").update("another certificate").digest("hex");
    const error = await connect({ url, ...login, tlsFingerprint: wrong }).catch((e: unknown) => e);
    expect(isTransportError(error, "TLS_FINGERPRINT_MISMATCH")).toBe(true);
    expect(requestsSeen).toBe(before);
  });

  it("accepts any certificate only with insecure set", async () => {
    const client = await connect({ url, ...login, insecure: true });
    expect(await client.call("pool.get_all")).toHaveLength(1);
    await client.close();
  });

  it("reports an unreadable caFile as a TLS error naming the file", async () => {
    const error = await connect({ url, ...login, caFile: join(dir, "missing.pem") }).catch((e: unknown) => e);
    expect(isTransportError(error, "TLS")).toBe(true);
    expect(String(error)).toContain("missing.pem");
  });
});
