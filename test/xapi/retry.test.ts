import { RetryPolicy, TransportError, XapiError, recoveryFor, type RetryCall } from "../../src/xapi";

const xapi = (code: string): XapiError => new XapiError(code, [], "VM.snapshot");
const net = (code: ConstructorParameters<typeof TransportError>[0]): TransportError => new TransportError(code, "https://pool", "test");

describe("recoveryFor", () => {
  const write: RetryCall = { idempotent: false };
  const read: RetryCall = { idempotent: true };
  it.each<[string, unknown, RetryCall, string | undefined]>([
    ["XAPI refused before acting: safe even for a snapshot", xapi("TOO_MANY_PENDING_TASKS"), write, "backoff"],
    ["another operation runs on the VM", xapi("OTHER_OPERATION_IN_PROGRESS"), write, "backoff"],
    ["expired session", xapi("SESSION_INVALID"), write, "relogin"],
    ["pool member", xapi("HOST_IS_SLAVE"), write, "follow-master"],
    ["a real failure is final", xapi("VM_BAD_POWER_STATE"), read, undefined],
    ["VDI_IN_USE is transient only for a destroy", xapi("VDI_IN_USE"), { idempotent: true, operation: "destroy" }, "backoff"],
    ["VDI_IN_USE elsewhere is final", xapi("VDI_IN_USE"), read, undefined],
    ["quiesce failures are transient for quiesced snapshots", xapi("VM_SNAPSHOT_WITH_QUIESCE_FAILED"), { idempotent: false, operation: "quiesce" }, "backoff"],
    ["a reset read repeats", net("ECONNRESET"), read, "backoff"],
    ["a reset write has an unknown outcome: never repeated blindly", net("ECONNRESET"), write, undefined],
    ["a timed-out write has an unknown outcome", net("TIMEOUT"), write, undefined],
    ["a refused connection sent nothing: safe to repeat", net("ECONNREFUSED"), write, "backoff"],
    ["a TLS mismatch will not heal", net("TLS_FINGERPRINT_MISMATCH"), read, undefined],
    ["a bug is not retried", new Error("bug"), read, undefined],
  ])("%s", (_why, error, call, expected) => {
    expect(recoveryFor(error, call)).toBe(expected);
  });
});

describe("RetryPolicy", () => {
  it("backs off with jitter inside a doubling ceiling, up to the attempt limit", async () => {
    const slept: number[] = [];
    const policy = new RetryPolicy({ attempts: 4, baseDelayMs: 100, maxDelayMs: 250, random: () => 0.5, sleep: async (ms) => void slept.push(ms) });
    let calls = 0;
    const error = await policy.run(async () => {
      calls++;
      throw xapi("TOO_MANY_PENDING_TASKS");
    }, { idempotent: false }).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(slept).toEqual([50, 100, 125]);
    expect(error).toMatchObject({ code: "TOO_MANY_PENDING_TASKS" });
  });

  it("returns the first success and reports each retry", async () => {
    const seen: string[] = [];
    const policy = new RetryPolicy({ sleep: async () => undefined });
    let calls = 0;
    const value = await policy.run(async () => {
      if (++calls < 3) throw net("ECONNRESET");
      return "done";
    }, { idempotent: true, onRetry: (a) => seen.push(`${a.attempt}:${a.recovery}`) });
    expect(value).toBe("done");
    expect(seen).toEqual(["1:backoff", "2:backoff"]);
  });
});
