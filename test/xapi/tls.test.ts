/**
 * TLS policy (DESIGN §4): verification on by default, `caFile`, SHA-256 fingerprint pinning for
 * XAPI's self-signed certificate, explicit `insecure`. The simulator speaks plain HTTP, so a small
 * HTTPS front (test/helpers/https-front.ts, like stunnel in front of xapi on a real host) forwards to
 * it; the certificate is made by openssl for each run.
 */
import { createHash } from "crypto";
import { writeFileSync } from "fs";
import { join } from "path";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { connect, isTransportError } from "../../src/xapi";
import { startHttpsFront, type HttpsFront } from "../helpers/https-front";

let sim: RunningSimulator;
let front: HttpsFront;
let url = "";
let dir = "";
let fingerprint = "";

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo" });
  front = await startHttpsFront(sim.url);
  ({ url, dir, fingerprint } = front);
});

afterAll(async () => {
  await front?.close();
  await sim?.close();
});

const login = { username: "root", password: "xsnap" };

describe("TLS to the pool", () => {
  it("refuses a self-signed certificate by default, before sending the login", async () => {
    const before = front.requests;
    const error = await connect({ url, ...login }).catch((e: unknown) => e);
    expect(isTransportError(error, "TLS")).toBe(true);
    expect(front.requests).toBe(before);
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
    const before = front.requests;
    const wrong = createHash("sha256").update("another certificate").digest("hex");
    const error = await connect({ url, ...login, tlsFingerprint: wrong }).catch((e: unknown) => e);
    expect(isTransportError(error, "TLS_FINGERPRINT_MISMATCH")).toBe(true);
    expect(front.requests).toBe(before);
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

  it("checks the pin on every connection: parallel calls after the first one all pass (no resumed session skips it)", async () => {
    const handshakes = front.handshakes;
    const client = await connect({ url, ...login, tlsFingerprint: fingerprint });
    // The first connection's session would be offered to these; they must make full handshakes.
    const answers = await Promise.all(Array.from({ length: 6 }, () => client.call("pool.get_all")));
    expect(answers.every((a) => Array.isArray(a) && a.length === 1)).toBe(true);
    expect(front.handshakes - handshakes).toBeGreaterThan(1);
    expect(front.resumed).toBe(0);
    await client.close();
  });

  it("verifies every connection with caFile too, without resuming sessions", async () => {
    const client = await connect({ url, ...login, caFile: join(dir, "cert.pem") });
    await Promise.all(Array.from({ length: 4 }, () => client.call("pool.get_all")));
    expect(front.resumed).toBe(0);
    await client.close();
  });

  it("still refuses a certificate for another host name than the URL's", async () => {
    const before = front.requests;
    const error = await connect({ url: url.replace("127.0.0.1", "localhost"), ...login, caFile: join(dir, "cert.pem") }).catch((e: unknown) => e);
    expect(isTransportError(error, "TLS")).toBe(true);
    expect(String(error)).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
    expect(front.requests).toBe(before);
  });

  it("reports the fingerprint of the certificate it refused", async () => {
    const untrusted = await connect({ url, ...login }).catch((e: unknown) => e);
    expect(isTransportError(untrusted, "TLS") && untrusted.certificate).toEqual({ reason: "DEPTH_ZERO_SELF_SIGNED_CERT", fingerprint });
    expect(String(untrusted)).toContain("self-signed certificate");
    const wrong = createHash("sha256").update("another certificate").digest("hex");
    const mismatch = await connect({ url, ...login, tlsFingerprint: wrong }).catch((e: unknown) => e);
    expect(String(mismatch)).toContain(`fingerprint ${fingerprint}, not the pinned one`);
  });

  it("refuses a caFile that holds no PEM certificate instead of ignoring it", async () => {
    const notPem = join(dir, "not-a-cert.ts");
    writeFileSync(notPem, "export const x = 1;\n");
    const before = front.handshakes;
    const error = await connect({ url, ...login, caFile: notPem }).catch((e: unknown) => e);
    expect(isTransportError(error, "TLS")).toBe(true);
    expect(String(error)).toContain(`ca_file ${notPem} holds no PEM certificate`);
    expect(front.handshakes).toBe(before);
  });
});
