/**
 * The client kinds get during an apply: one retry policy for every call, by method name. Codes XAPI
 * answers before doing anything are repeated even for creating calls; a creating call whose answer
 * was lost is not (the intent settles it); operation-specific codes only for their operation.
 */
import { RetryPolicy, retryCallOf, retryingClient, TransportError, XapiError, type RetryNotice, type XapiClient } from "../../src/xapi";
import type { XapiValue } from "../../src/xapi/types";

/** A client whose `call` fails with the queued errors first, then answers "ok". */
function flaky(errors: unknown[]): { client: XapiClient; calls: string[] } {
  const calls: string[] = [];
  const next = async (method: string): Promise<XapiValue> => {
    calls.push(method);
    const e = errors.shift();
    if (e) throw e;
    return "ok";
  };
  const client = {
    url: "fake", call: (m: string) => next(m), callAsync: (m: string) => next(`Async.${m}`),
    readPoolView: async () => { throw new Error("unused"); }, httpGet: async () => { throw new Error("unused"); },
    httpPut: async () => { throw new Error("unused"); }, waitTask: async () => { throw new Error("unused"); }, close: async () => undefined,
  } as unknown as XapiClient;
  return { client, calls };
}

const policy = new RetryPolicy({ attempts: 5, random: () => 0.5, sleep: () => Promise.resolve() });
const xapi = (code: string, method = "m"): XapiError => new XapiError(code, [], method);

describe("retryingClient", () => {
  it.each(["TOO_MANY_PENDING_TASKS", "OTHER_OPERATION_IN_PROGRESS"])("repeats a VM.snapshot that XAPI refused with %s, and reports each retry", async (code) => {
    const { client, calls } = flaky([xapi(code), xapi(code)]);
    const notices: RetryNotice[] = [];
    await expect(retryingClient(client, policy, { onRetry: (n) => notices.push(n) }).callAsync("VM.snapshot", [])).resolves.toBe("ok");
    expect(calls).toEqual(["Async.VM.snapshot", "Async.VM.snapshot", "Async.VM.snapshot"]);
    expect(notices).toEqual([
      { method: "Async.VM.snapshot", attempt: 1, max: 5, code, delayMs: 250 },
      { method: "Async.VM.snapshot", attempt: 2, max: 5, code, delayMs: 500 },
    ]);
  });

  it("gives up after the policy's attempts (the fifth failure is thrown)", async () => {
    const { client, calls } = flaky(Array.from({ length: 5 }, () => xapi("TOO_MANY_PENDING_TASKS")));
    await expect(retryingClient(client, policy).call("VM.get_record", [])).rejects.toMatchObject({ code: "TOO_MANY_PENDING_TASKS" });
    expect(calls).toHaveLength(5);
  });

  it("never repeats a creating call whose answer was lost, but repeats a read", async () => {
    const lost = (): TransportError => new TransportError("TIMEOUT", "http://pool", "no answer");
    const create = flaky([lost()]);
    await expect(retryingClient(create.client, policy).callAsync("VM.snapshot", [])).rejects.toBeInstanceOf(TransportError);
    expect(create.calls).toHaveLength(1);
    const read = flaky([lost()]);
    await expect(retryingClient(read.client, policy).call("VM.get_record", [])).resolves.toBe("ok");
    expect(read.calls).toHaveLength(2);
  });

  it("retries VDI_IN_USE only for VDI.destroy, and quiesce failures only for snapshot_with_quiesce", async () => {
    const destroy = flaky([xapi("VDI_IN_USE")]);
    await expect(retryingClient(destroy.client, policy).call("VDI.destroy", [])).resolves.toBe("ok");
    const other = flaky([xapi("VDI_IN_USE")]);
    await expect(retryingClient(other.client, policy).callAsync("VM.snapshot", [])).rejects.toMatchObject({ code: "VDI_IN_USE" });
    const quiesce = flaky([xapi("VM_SNAPSHOT_WITH_QUIESCE_FAILED")]);
    await expect(retryingClient(quiesce.client, policy).callAsync("VM.snapshot_with_quiesce", [])).resolves.toBe("ok");
  });

  it("reports a call the session repeated after logging in again (SESSION_INVALID) as a retry", async () => {
    const client = {
      url: "fake",
      call: async (_m: string, _p?: readonly XapiValue[], opts?: { onRecover?: (code: string) => void }) => { opts?.onRecover?.("SESSION_INVALID"); return "ok"; },
    } as unknown as XapiClient;
    const notices: RetryNotice[] = [];
    await expect(retryingClient(client, policy, { onRetry: (n) => notices.push(n) }).call("VM.set_other_config", [])).resolves.toBe("ok");
    expect(notices).toEqual([{ method: "VM.set_other_config", attempt: 1, max: 5, code: "SESSION_INVALID", delayMs: 0 }]);
  });

  it("does not retry permanent errors", async () => {
    const { client, calls } = flaky([xapi("VM_BAD_POWER_STATE")]);
    await expect(retryingClient(client, policy).callAsync("VM.checkpoint", [])).rejects.toMatchObject({ code: "VM_BAD_POWER_STATE" });
    expect(calls).toHaveLength(1);
  });

  it.each([
    ["VM.get_record", true], ["VM.set_name_label", true], ["pool.remove_from_other_config", true], ["VDI.destroy", true], ["VM.destroy", true],
    ["VM.snapshot", false], ["Async.VM.clone", false], ["pool.add_to_other_config", false], ["VMSS.create", false],
  ])("classifies %s as idempotent: %s", (method, idempotent) => {
    expect(retryCallOf(method as string).idempotent).toBe(idempotent);
  });
});
