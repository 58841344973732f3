// The provider block's TLS settings through the real CLI: `xsnap plan` against `xsnap sim` behind an
// HTTPS front with a self-signed certificate (test/helpers/https-front.ts). A plan opens several
// connections at once (the pool's records are read in parallel), so a check that held only for the
// first connection shows here.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startHttpsFront, type HttpsFront } from "../helpers/https-front";
import { startSim, stackDir, xsnap, type Sim } from "./harness";

describe("xsnap plan through HTTPS with the provider's TLS settings", () => {
  let sim: Sim;
  let front: HttpsFront;
  beforeAll(async () => {
    sim = await startSim();
    front = await startHttpsFront(sim.url);
  });
  afterAll(async () => {
    await front?.close();
    await sim?.stop();
  });

  const configWith = (tls: Readonly<Record<string, unknown>>): string => {
    const file = join(stackDir("tls"), "cdk.tf.json");
    writeFileSync(file, JSON.stringify({
      "//": { metadata: { stackName: "tls" } },
      provider: { xapi: [{ url: front.url, username: "root", ...tls }] },
      resource: { xapi_snapshot: { web: { vm: "web-01", name_label: "through tls" } } },
    }));
    return file;
  };

  it("plans with the pinned fingerprint, checking it on each of the connections the plan opens", async () => {
    const handshakes = front.handshakes;
    const plan = await xsnap(["plan", "--config", configWith({ tls_fingerprint: front.fingerprint })]);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(front.handshakes - handshakes).toBeGreaterThan(1);
    expect(front.resumed).toBe(0);
  });

  it("refuses a wrong pin before sending anything, printing the fingerprint the server presented", async () => {
    const requests = front.requests;
    const wrong = front.fingerprint.replace(/^../, front.fingerprint.startsWith("00") ? "11" : "00");
    const plan = await xsnap(["plan", "--config", configWith({ tls_fingerprint: wrong })]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`TLS_FINGERPRINT_MISMATCH talking to ${front.url}: the server's certificate has SHA-256 fingerprint ${front.fingerprint}, not the pinned one`);
    expect(front.requests).toBe(requests);
  });

  it("names the fixes for a self-signed certificate, with the fingerprint the server presented", async () => {
    const plan = await xsnap(["plan", "--config", configWith({})]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate");
    expect(plan.stderr).toContain("ca_file = ");
    expect(plan.stderr).toContain(`tls_fingerprint = "${front.fingerprint}"`);
    expect(plan.stderr).toContain("insecure = true");
    expect(plan.stderr).toContain("docs/troubleshooting.md");
  });

  it("refuses a ca_file that is not a PEM certificate, naming the block and the file, before calling the pool", async () => {
    const handshakes = front.handshakes;
    const notPem = join(stackDir("tls"), "main.ts");
    writeFileSync(notPem, "console.log('not a certificate');\n");
    const plan = await xsnap(["plan", "--config", configWith({ ca_file: notPem })]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`provider "xapi": ca_file ${JSON.stringify(notPem)} holds no PEM certificate`);
    expect(front.handshakes).toBe(handshakes);
  });

  it("plans with the pool's certificate as ca_file", async () => {
    const plan = await xsnap(["plan", "--config", configWith({ ca_file: front.certFile })]);
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
  });
});
