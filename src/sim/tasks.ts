/**
 * Task records (reference §1.7, `taskHelper.ml`): created pending with progress 0, completed with
 * progress 1.0 and `result` = an XML-RPC `<value>` fragment held in a string, failed with
 * `error_info` = [code, params…] (status `cancelled` for TASK_CANCELLED).
 */
import type { XapiFailure } from "./errors";
import { EPOCH } from "./schema";
import type { Simulator } from "./simulator";

export function createTask(sim: Simulator, label: string, description: string, opts: { readonly cancellable: boolean }): string {
  return sim.db.create("task", {
    name_label: label,
    name_description: description,
    status: "pending",
    progress: 0,
    created: new Date(),
    finished: EPOCH,
    resident_on: sim.masterRef(),
    type: "<none/>",
    result: "",
    error_info: [],
    allowed_operations: opts.cancellable ? ["cancel"] : [],
    backtrace: "()",
  });
}

export function setTaskProgress(sim: Simulator, task: string, progress: number): void {
  if (sim.db.exists("task", task)) sim.db.set("task", task, "progress", progress);
}

/** `resultXml` is the `<value>…</value>` text; void methods give `<value></value>`. */
export function completeTask(sim: Simulator, task: string, resultXml: string): void {
  if (!sim.db.exists("task", task)) return;
  sim.db.update("task", task, {
    status: "success",
    progress: 1,
    finished: new Date(),
    result: resultXml,
    allowed_operations: [],
  });
}

export function failTask(sim: Simulator, task: string, failure: XapiFailure): void {
  if (!sim.db.exists("task", task)) return;
  sim.db.update("task", task, {
    status: failure.code === "TASK_CANCELLED" ? "cancelled" : "failure",
    progress: 1,
    finished: new Date(),
    result: "",
    error_info: [failure.code, ...failure.params],
    allowed_operations: [],
    backtrace: `((backtrace()) (error ${failure.code}))`,
  });
}
