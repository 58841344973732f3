import { resolveConnection } from "../../src/cli/connection";
import { parseDuration } from "../../src/cli/options";

describe("resolveConnection", () => {
  it("takes url and username from the provider block and the password from XAPI_PASSWORD", () => {
    expect(resolveConnection({ alias: "default", url: "https://pool", username: "svc" }, { XAPI_PASSWORD: "s3cret", XAPI_URL: "https://other" }))
      .toEqual({ ok: true, value: { url: "https://pool", username: "svc", password: "s3cret", passwordEnv: "XAPI_PASSWORD", usernameFrom: "username in provider \"xapi\"", insecure: false } });
  });

  it("fills what the block leaves out from XAPI_URL / XAPI_USERNAME, and reads password_env", () => {
    expect(resolveConnection({ alias: "dr", password_env: "DR_PASSWORD", insecure: true }, { XAPI_URL: "https://dr", XAPI_USERNAME: "root", DR_PASSWORD: "x" }))
      .toEqual({ ok: true, value: { url: "https://dr", username: "root", password: "x", passwordEnv: "DR_PASSWORD", usernameFrom: "XAPI_USERNAME", insecure: true } });
  });

  it("works from the environment alone", () => {
    expect(resolveConnection(undefined, { XAPI_URL: "http://127.0.0.1:1", XAPI_USERNAME: "root", XAPI_PASSWORD: "xsnap" }).ok).toBe(true);
  });

  it("refuses credentials in XAPI_URL without echoing them; a URL with none passes", () => {
    const env = { XAPI_USERNAME: "root", XAPI_PASSWORD: "xsnap" };
    for (const url of ["https://root:Hunter2@pool.example", "https://root@pool.example", "root:pw@pool.example"]) {
      const r = resolveConnection(undefined, { ...env, XAPI_URL: url });
      const summaries = r.ok ? [] : r.diagnostics.map((d) => d.summary);
      expect(summaries).toEqual(["XAPI_URL must not carry a user name or password (it is printed with the plan and saved in plan files); put the user in XAPI_USERNAME and the password in XAPI_PASSWORD"]);
    }
    expect(resolveConnection(undefined, { ...env, XAPI_URL: "https://pool.example/path?x=a@b" }).ok).toBe(true);
    // The block's url wins over the environment's, and is checked with the configuration instead.
    expect(resolveConnection({ alias: "default", url: "https://pool" }, { ...env, XAPI_URL: "https://root:pw@other" }).ok).toBe(true);
  });

  it("names every missing setting and where to set it, never asking for a password in the config", () => {
    const r = resolveConnection({ alias: "dr", password_env: "DR_PASSWORD" }, {});
    expect(r.ok ? [] : r.diagnostics.map((d) => d.summary)).toEqual([
      'no pool URL: set url in provider "xapi" (alias "dr") or the XAPI_URL environment variable',
      'no username: set username in provider "xapi" (alias "dr") or the XAPI_USERNAME environment variable',
      "no password: set the DR_PASSWORD environment variable (passwords never go in the config)",
    ]);
  });
});

describe("parseDuration", () => {
  it.each([["0s", 0], ["30s", 30_000], ["10m", 600_000], ["1h30m", 5_400_000], ["250ms", 250]])("reads %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(["", "10", "ten minutes", "5x", "1m 2s"])("refuses %j", (text) => {
    expect(() => parseDuration(text)).toThrow(/expected a duration/);
  });
});
