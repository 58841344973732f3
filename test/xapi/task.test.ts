/** Task waiting against a fake caller (a function, STYLE): the polling fallback and every outcome. */
import { TaskWaiter, taskOutcome, type TaskCaller } from "../../src/xapi/task";
import { TransportError, XapiError, asRef, type XapiValue } from "../../src/xapi";

const task = asRef("OpaqueRef:task-1");

/** A pool without event.from whose task advances by one record per poll. */
function pollingPool(records: readonly Record<string, XapiValue>[]): { caller: TaskCaller; methods: string[] } {
  const methods: string[] = [];
  let poll = 0;
  const caller: TaskCaller = {
    call: async (method) => {
      methods.push(method);
      if (method === "event.from") throw new XapiError("MESSAGE_METHOD_UNKNOWN", ["event.from"], "event.from");
      return records[Math.min(poll++, records.length - 1)] as XapiValue;
    },
  };
  return { caller, methods };
}

describe("TaskWaiter", () => {
  it("polls task.get_record when the pool has no event.from, reporting progress until success", async () => {
    const { caller, methods } = pollingPool([
      { status: "pending", progress: 0.2, result: "", error_info: [] },
      { status: "pending", progress: 0.7, result: "", error_info: [] },
      { status: "success", progress: 1, result: "<value>OpaqueRef:snap</value>", error_info: [] },
    ]);
    const progress: number[] = [];
    const value = await new TaskWaiter(caller).wait(task, "VM.snapshot", { callTimeoutMs: 1000, pollMs: 1, onProgress: (f) => progress.push(f) });
    expect(value).toBe("OpaqueRef:snap");
    expect(progress).toEqual([0.2, 0.7, 1]);
    expect(methods).toEqual(["event.from", "task.get_record", "task.get_record", "task.get_record"]);
  });

  it("remembers that event.from is missing and goes straight to polling next time", async () => {
    const { caller, methods } = pollingPool([{ status: "success", progress: 1, result: "<value></value>", error_info: [] }]);
    const waiter = new TaskWaiter(caller);
    await waiter.wait(task, "VM.destroy", { callTimeoutMs: 1000, pollMs: 1 });
    methods.length = 0;
    expect(await waiter.wait(task, "VM.destroy", { callTimeoutMs: 1000, pollMs: 1 })).toBe("");
    expect(methods).toEqual(["task.get_record"]);
  });
});

/**
 * A pool with event.from over its task table: a poll answers the changes after its token (every task
 * as it is for an empty token), or blocks until the next change. Counts polls and the most in flight.
 */
function eventPool() {
  const tasks = new Map<string, Record<string, XapiValue>>();
  const changes: { generation: number; ref: string; operation: string }[] = [];
  let generation = 0;
  let wake: (() => void)[] = [];
  const stats = { polls: 0, inFlight: 0, maxInFlight: 0 };
  const change = (ref: string, record: Record<string, XapiValue> | undefined): void => {
    generation++;
    if (record) tasks.set(ref, record);
    else tasks.delete(ref);
    changes.push({ generation, ref, operation: record ? "mod" : "del" });
    for (const w of wake) w();
    wake = [];
  };
  const batch = (since: number): XapiValue[] => since < 0
    ? [...tasks].map(([ref, snapshot]) => ({ ref, operation: "add", snapshot }))
    : changes.filter((c) => c.generation > since).map((c) => ({ ref: c.ref, operation: c.operation, ...(tasks.get(c.ref) ? { snapshot: tasks.get(c.ref) as XapiValue } : {}) }));
  const caller: TaskCaller = {
    call: async (method, params = [], options) => {
      if (method !== "event.from") throw new Error(`unexpected ${method}`);
      stats.polls++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        const since = params[1] === "" ? -1 : Number(params[1]);
        let events = batch(since);
        while (events.length === 0) {
          await new Promise<void>((resolve) => {
            wake.push(resolve);
            options?.signal?.addEventListener("abort", () => resolve());
          });
          if (options?.signal?.aborted) throw new TransportError("ABORTED", "fake", "aborted");
          events = batch(since);
        }
        return { events, token: String(generation) };
      } finally {
        stats.inFlight--;
      }
    },
  };
  const pending = (progress = 0): Record<string, XapiValue> => ({ status: "pending", progress, result: "", error_info: [] });
  const success = (result: string): Record<string, XapiValue> => ({ status: "success", progress: 1, result: `<value>${result}</value>`, error_info: [] });
  return { caller, change, stats, pending, success };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("TaskWaiter with event.from", () => {
  const a = asRef("OpaqueRef:task-a");
  const b = asRef("OpaqueRef:task-b");

  it("waits for several tasks through one poll at a time, each with its own progress and result", async () => {
    const pool = eventPool();
    pool.change(a, pool.pending());
    pool.change(b, pool.pending());
    const waiter = new TaskWaiter(pool.caller);
    const progressA: number[] = [];
    const waitA = waiter.wait(a, "VM.snapshot", { callTimeoutMs: 1000, onProgress: (f) => progressA.push(f) });
    const waitB = waiter.wait(b, "VM.clone", { callTimeoutMs: 1000 });
    await settle();
    pool.change(a, pool.pending(0.5));
    await settle();
    pool.change(b, pool.success("OpaqueRef:clone"));
    await settle();
    pool.change(a, pool.success("OpaqueRef:snap"));
    expect(await Promise.all([waitA, waitB])).toEqual(["OpaqueRef:snap", "OpaqueRef:clone"]);
    expect(progressA).toEqual([0, 0.5, 1]);
    expect(pool.stats.maxInFlight).toBe(1);
    expect(pool.stats.inFlight).toBe(0);   // nobody waits: no poll left blocking
  });

  it("answers a wait for a task that finished before the wait began from what the poll already saw", async () => {
    const pool = eventPool();
    pool.change(a, pool.pending());
    pool.change(b, pool.pending());
    const waiter = new TaskWaiter(pool.caller);
    const waitA = waiter.wait(a, "VM.snapshot", { callTimeoutMs: 1000 });
    await settle();
    pool.change(b, pool.success("OpaqueRef:early"));   // b's Async answer has not reached its caller yet
    await settle();
    const polls = pool.stats.polls;
    expect(await waiter.wait(b, "VM.snapshot", { callTimeoutMs: 1000 })).toBe("OpaqueRef:early");
    expect(pool.stats.polls).toBe(polls);
    pool.change(a, pool.success("OpaqueRef:a"));
    expect(await waitA).toBe("OpaqueRef:a");
  });

  it("throws a failed task's XapiError, and HANDLE_INVALID for a task destroyed while waited for", async () => {
    const pool = eventPool();
    pool.change(a, pool.pending());
    pool.change(b, pool.pending());
    const waiter = new TaskWaiter(pool.caller);
    const waitA = waiter.wait(a, "VM.snapshot", { callTimeoutMs: 1000 });
    const waitB = waiter.wait(b, "VM.snapshot", { callTimeoutMs: 1000 });
    await settle();
    pool.change(a, { status: "failure", progress: 1, result: "", error_info: ["SR_FULL", "x"] });
    pool.change(b, undefined);
    await expect(waitA).rejects.toMatchObject({ code: "SR_FULL" });
    await expect(waitB).rejects.toMatchObject({ code: "HANDLE_INVALID" });
  });

  it("an aborted wait ends alone; the last one to go ends the poll", async () => {
    const pool = eventPool();
    pool.change(a, pool.pending());
    pool.change(b, pool.pending());
    const waiter = new TaskWaiter(pool.caller);
    const stopA = new AbortController();
    const stopB = new AbortController();
    const waitA = waiter.wait(a, "VM.snapshot", { callTimeoutMs: 1000, signal: stopA.signal });
    const waitB = waiter.wait(b, "VM.snapshot", { callTimeoutMs: 1000, signal: stopB.signal });
    await settle();
    stopA.abort();
    await expect(waitA).rejects.toMatchObject({ code: "ABORTED" });
    expect(pool.stats.inFlight).toBe(1);
    stopB.abort();
    await expect(waitB).rejects.toMatchObject({ code: "ABORTED" });
    await settle();
    expect(pool.stats.inFlight).toBe(0);
  });

  it("a poll that fails fails the waits it served; the next wait polls afresh", async () => {
    const pool = eventPool();
    pool.change(a, pool.pending());
    let fail = true;
    const flaky: TaskCaller = {
      call: (m, p, o) => (fail ? Promise.reject(new TransportError("ECONNRESET", "fake", "reset")) : pool.caller.call(m, p, o)),
    };
    const waiter = new TaskWaiter(flaky);
    await expect(waiter.wait(a, "VM.snapshot", { callTimeoutMs: 1000 })).rejects.toMatchObject({ code: "ECONNRESET" });
    fail = false;
    const again = waiter.wait(a, "VM.snapshot", { callTimeoutMs: 1000 });
    await settle();
    pool.change(a, pool.success("OpaqueRef:a"));
    expect(await again).toBe("OpaqueRef:a");
  });
});

describe("taskOutcome", () => {
  it.each([
    ["a pending task has no outcome yet", { status: "pending" }, undefined],
    ["a void result is the empty string", { status: "success", result: "<value></value>" }, { value: "" }],
    ["very old hosts leave result empty", { status: "success", result: "" }, { value: "" }],
    ["a result is decoded from its XML fragment", { status: "success", result: "<value><array><data><value>OpaqueRef:a</value></data></array></value>" }, { value: ["OpaqueRef:a"] }],
  ])("%s", (_why, record, expected) => {
    expect(taskOutcome(record as Record<string, XapiValue>, "VM.snapshot", task)).toEqual(expected);
  });

  it("turns error_info into XapiError with the method", () => {
    const outcome = taskOutcome({ status: "failure", error_info: ["SR_BACKEND_FAILURE_44", "", "There is insufficient space", ""] }, "VM.snapshot", task);
    expect(outcome).toEqual({ error: expect.objectContaining({ code: "SR_BACKEND_FAILURE_44", method: "VM.snapshot" }) });
  });

  it("reports a cancelled task without error_info as TASK_CANCELLED naming the task", () => {
    const outcome = taskOutcome({ status: "cancelled", error_info: [] }, "VM.checkpoint", task);
    expect(outcome).toEqual({ error: expect.objectContaining({ code: "TASK_CANCELLED", params: [task] }) });
  });
});
