/**
 * Lease and heartbeat of the pool lock with an in-memory pool.other_config (a function fake with
 * XAPI's map semantics: add of an existing key → MAP_DUPLICATE_KEY, remove of an absent key is a no-op).
 * Acquire/exclude/release against the simulator: apply.integration.test.ts.
 */
import { acquireLock, heartbeatKey, lockKey, lockStatus } from "../../src/engine/lock";
import type { XapiClient } from "../../src/resources/client";
import type { XapiValue } from "../../src/xapi/types";

function fakePool(): { client: XapiClient; otherConfig: Record<string, string> } {
  const otherConfig: Record<string, string> = {};
  const client: XapiClient = {
    url: "fake",
    call: async (method: string, params: readonly XapiValue[] = []) => {
      const [, key, value] = params.map(String);
      switch (method) {
        case "pool.get_all": return ["OpaqueRef:pool"];
        case "pool.get_other_config": return { ...otherConfig };
        case "pool.add_to_other_config":
          if (key !== undefined && key in otherConfig) throw Object.assign(new Error("dup"), { code: "MAP_DUPLICATE_KEY", params: ["pool", "other_config", "OpaqueRef:pool", key] });
          otherConfig[key ?? ""] = value ?? "";
          return "";
        case "pool.remove_from_other_config": delete otherConfig[key ?? ""]; return "";
        default: throw new Error(`unexpected ${method}`);
      }
    },
    callAsync: async () => "",
    readPoolView: async () => { throw new Error("not used"); },
    httpGet: async () => { throw new Error("not used"); },
    httpPut: async () => { throw new Error("not used"); },
    waitTask: async () => { throw new Error("not used"); },
    close: async () => undefined,
  };
  return { client, otherConfig };
}

describe("pool lock lease", () => {
  afterEach(() => jest.useRealTimers());

  it("the holder's heartbeat extends the lease so a live lock never looks abandoned", async () => {
    jest.useFakeTimers({ now: Date.parse("2026-11-25T00:00:00Z") });
    const { client, otherConfig } = fakePool();
    const held = await acquireLock({ client, stack: "s", operation: "apply", leaseSeconds: 30 });
    if (!held.ok) throw new Error("refused");
    await jest.advanceTimersByTimeAsync(50_000);
    expect(otherConfig[heartbeatKey("s")]).toBeDefined();
    const status = await lockStatus({ client, stack: "s" });
    expect(status?.abandoned).toBe(false);
    expect(Date.parse(status?.expiresAt ?? "")).toBeGreaterThan(Date.parse(held.lock.info.expires));
    await held.lock.release();
    expect(otherConfig).toEqual({});
  });

  it("a lock whose holder died is abandoned once its lease runs out", async () => {
    const { client } = fakePool();
    const again = await acquireLock({ client, stack: "s", operation: "apply", leaseSeconds: 30, now: () => new Date("2026-11-25T00:00:00Z") });
    if (!again.ok) throw new Error("refused");
    expect((await lockStatus({ client, stack: "s", now: () => new Date("2026-11-25T00:00:29Z") }))?.abandoned).toBe(false);
    expect((await lockStatus({ client, stack: "s", now: () => new Date("2026-11-25T00:00:31Z") }))?.abandoned).toBe(true);
    await again.lock.release();
  });

  it("a lock value it cannot read is still a lock, shown as abandoned for a human to decide", async () => {
    const { client, otherConfig } = fakePool();
    otherConfig[lockKey("s")] = "garbage";
    const attempt = await acquireLock({ client, stack: "s", operation: "apply" });
    expect(attempt).toMatchObject({ ok: false, holder: { abandoned: true, forceUnlockCommand: "xsnap force-unlock garbage" } });
  });
  it("an aborted signal ends a wait for the lock at once: cancelled, nothing taken, the holder's lock untouched", async () => {
    const { client, otherConfig } = fakePool();
    otherConfig[lockKey("s")] = "someone-else";
    const controller = new AbortController();
    const started = Date.now();
    const waiting = acquireLock({ client, stack: "s", operation: "apply", timeoutMs: 600_000, signal: controller.signal,
      onWait: () => { setTimeout(() => controller.abort(), 20); } });
    const result = await waiting;
    expect(result).toMatchObject({ ok: false, cancelled: true });
    expect(Date.now() - started).toBeLessThan(900);   // the first back-off sleep alone is 1 s
    expect(otherConfig[lockKey("s")]).toBe("someone-else");
    // Already aborted: no attempt to take the lock at all.
    const free = fakePool();
    expect(await acquireLock({ client: free.client, stack: "s", operation: "apply", signal: controller.signal })).toMatchObject({ ok: false, cancelled: true });
    expect(lockKey("s") in free.otherConfig).toBe(false);
  });
});
