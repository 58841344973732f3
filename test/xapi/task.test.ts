/** Task waiting against a fake caller (a function, STYLE): the polling fallback and every outcome. */
import { TaskWaiter, taskOutcome, type TaskCaller } from "../../src/xapi/task";
import { XapiError, asRef, type XapiValue } from "../../src/xapi";

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
