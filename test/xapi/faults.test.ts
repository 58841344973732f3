/**
 * The client under the simulator's fault injection (POST /sim/faults, DESIGN §7): dropped
 * connections, hangs, latency, expired sessions and a login on a pool member.
 */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { connect, isTransportError, RetryPolicy, type RetryAttempt, type XapiClient } from "../../src/xapi";

let sim: RunningSimulator;
let client: XapiClient;
let web = "";

async function inject(target: RunningSimulator, faults: unknown): Promise<void> {
  const res = await fetch(`${target.url}/sim/faults`, { method: "POST", body: JSON.stringify(faults) });
  if (!res.ok) throw new Error(`fault injection refused: ${await res.text()}`);
}

async function callCount(target: RunningSimulator, method: string): Promise<number> {
  const stats = (await (await fetch(`${target.url}/sim/stats`)).json()) as { calls: Record<string, number> };
  return stats.calls[method] ?? 0;
}

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo" });
  client = await connect({ url: sim.url, username: "root", password: "xsnap", callTimeoutMs: 1500 });
  const refs = await client.call("VM.get_by_name_label", ["web-01"]);
  web = Array.isArray(refs) ? String(refs[0]) : "";
});

afterEach(() => sim.reset());

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

const noSleep = { sleep: async (): Promise<void> => undefined };

describe("XAPI client under injected faults", () => {
  it("reports a dropped connection as ECONNRESET, and an idempotent read succeeds on retry", async () => {
    await inject(sim, [{ method: "VM.get_name_label", error: "drop" }]);
    const retries: RetryAttempt[] = [];
    const name = await new RetryPolicy(noSleep).run(() => client.call("VM.get_name_label", [web]), {
      idempotent: true,
      onRetry: (a) => retries.push(a),
    });
    expect(name).toBe("web-01");
    expect(retries).toHaveLength(1);
    expect(isTransportError(retries[0]?.error, "ECONNRESET")).toBe(true);
  });

  it("never repeats a non-idempotent call whose connection dropped", async () => {
    await inject(sim, [{ method: "VM.snapshot", error: "drop" }]);
    const before = await callCount(sim, "VM.snapshot");
    const error = await new RetryPolicy(noSleep).run(() => client.call("VM.snapshot", [web, "maybe"]), { idempotent: false }).catch((e: unknown) => e);
    expect(isTransportError(error, "ECONNRESET")).toBe(true);
    expect(await callCount(sim, "VM.snapshot")).toBe(before + 1);
  });

  it("times out a call that never answers", async () => {
    await inject(sim, [{ method: "VM.get_power_state", error: "hang" }]);
    const error = await client.call("VM.get_power_state", [web]).catch((e: unknown) => e);
    expect(isTransportError(error, "TIMEOUT")).toBe(true);
    // the client stays usable after the timeout
    expect(await client.call("VM.get_power_state", [web])).toBe("Running");
  });

  it("waits out latency below the timeout and times out above it", async () => {
    await inject(sim, [{ latency_ms: 300 }]);
    expect(await client.call("VM.get_name_label", [web])).toBe("web-01");
    const impatient = await connect({ url: sim.url, username: "root", password: "xsnap", callTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(isTransportError(impatient, "TIMEOUT")).toBe(true);
  });

  it("logs in again once when the session expired, and goes on", async () => {
    const logins = await callCount(sim, "session.login_with_password");
    await inject(sim, [{ method: "VM.get_name_label", error: ["SESSION_INVALID", "OpaqueRef:expired"] }]);
    expect(await client.call("VM.get_name_label", [web])).toBe("web-01");
    expect(await callCount(sim, "session.login_with_password")).toBe(logins + 1);
  });

  it("coalesces the re-logins of concurrent calls into one", async () => {
    const other = await connect({ url: sim.url, username: "root", password: "xsnap" });
    try {
      await other.call("session.logout"); // a real expiry: the pool forgets the session
      const logins = await callCount(sim, "session.login_with_password");
      const names = await Promise.all(Array.from({ length: 6 }, () => other.call("VM.get_name_label", [web])));
      expect(names).toEqual(Array(6).fill("web-01"));
      expect(await callCount(sim, "session.login_with_password")).toBe(logins + 1);
    } finally {
      await other.close();
    }
  });

  it("follows HOST_IS_SLAVE from a pool member to the master it names", async () => {
    const member = await startSimulator({ fixture: "demo" });
    try {
      await inject(member, [{ method: "session.login_with_password", error: ["HOST_IS_SLAVE", `127.0.0.1:${sim.port}`] }]);
      const redirected = await connect({ url: member.url, username: "root", password: "xsnap" });
      expect(redirected.url).toBe(sim.url);
      expect(await redirected.call("VM.get_name_label", [web])).toBe("web-01");
      await redirected.close();
    } finally {
      await member.close();
    }
  });

  it("moves to the new master when a call on a live session answers HOST_IS_SLAVE", async () => {
    const logins = await callCount(sim, "session.login_with_password");
    await inject(sim, [{ method: "VM.get_name_label", error: ["HOST_IS_SLAVE", `127.0.0.1:${sim.port}`] }]);
    expect(await client.call("VM.get_name_label", [web])).toBe("web-01");
    expect(await callCount(sim, "session.login_with_password")).toBe(logins + 1);
  });

  it("lets the calls still in flight on the old host finish when it moves to the master", async () => {
    // A snapshot is on the wire (slow answers) when another call is told HOST_IS_SLAVE: the snapshot's
    // answer still arrives, so its outcome is known and nothing is left to settle.
    await inject(sim, [{ latency_ms: 300 }, { method: "VM.get_name_label", error: ["HOST_IS_SLAVE"] }]);
    const moving = client.call("VM.get_name_label", [web]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const snapshot = client.call("VM.snapshot", [web, "in flight while moving"]);
    expect(await moving).toBe("web-01");
    expect(String(await snapshot)).toMatch(/^OpaqueRef:/);
  });

  it("backs off and retries TOO_MANY_PENDING_TASKS even for a non-idempotent call", async () => {
    await inject(sim, [{ method: "VM.snapshot", error: ["TOO_MANY_PENDING_TASKS"], times: 2 }]);
    const retries: RetryAttempt[] = [];
    const snap = await new RetryPolicy(noSleep).run(() => client.callAsync("VM.snapshot", [web, "after-busy"]), {
      idempotent: false,
      onRetry: (a) => retries.push(a),
    });
    expect(typeof snap).toBe("string");
    expect(retries.map((r) => r.recovery)).toEqual(["backoff", "backoff"]);
  });
});
