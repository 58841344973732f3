/**
 * VM operation checks in XAPI's order (`xapi_vm_lifecycle.ml` `check_operation_error`, reference §3),
 * `allowed_operations` (§3.14) and the VM operation lock with its concurrency rules (§1.9): a
 * conflicting operation waits for the running one instead of failing.
 */
import { XapiFailure } from "./errors";
import type { CallContext } from "./registry";
import type { DbRecord } from "./schema";
import type { Simulator } from "./simulator";

export type PowerState = "Halted" | "Paused" | "Running" | "Suspended";
const ORDER: readonly PowerState[] = ["Halted", "Paused", "Suspended", "Running"];
const ALL = ORDER;

const ALLOWED_POWER_STATES: Readonly<Record<string, readonly PowerState[]>> = {
  snapshot: ALL, revert: ALL, reverting: ALL, metadata_export: ALL,
  checkpoint: ["Paused", "Suspended", "Running"],
  hard_shutdown: ["Paused", "Suspended", "Running"],
  clone: ["Halted"], copy: ["Halted"],
  destroy: ["Halted", "Suspended"], export: ["Halted", "Suspended"],
  snapshot_with_quiesce: ["Running"], suspend: ["Running"], clean_shutdown: ["Running"], pause: ["Running"],
  unpause: ["Paused"], resume: ["Suspended"],
  start: ["Halted"], make_into_template: ["Halted"], provision: ["Halted"],
};
const TEMPLATE_WHITELIST = new Set(["clone", "copy", "export", "metadata_export", "provision", "destroy"]);
const SNAPSHOT_WHITELIST = new Set(["revert", "clone", "copy", "export", "destroy", "hard_shutdown", "metadata_export"]);
/** Operations reported in allowed_operations (the rest are on XAPI's ignore list). */
const REPORTED = [
  "snapshot", "clone", "copy", "revert", "checkpoint", "snapshot_with_quiesce", "provision", "start", "pause",
  "unpause", "clean_shutdown", "hard_shutdown", "suspend", "resume", "make_into_template", "export", "metadata_export", "destroy",
];

/** May `op` run while `running` is in progress on the same VM? (`is_allowed_concurrently`) */
function concurrent(op: string, running: string): boolean {
  const snaps = ["snapshot", "checkpoint"];
  const copies = ["clone", "copy", "export"];
  if (snaps.includes(op) && snaps.includes(running)) return true;
  if (copies.includes(op) && copies.includes(running)) return true;
  if (op === "hard_shutdown") return running !== "hard_shutdown";
  if (op === "snapshot" && running === "snapshot_with_quiesce") return true;
  return false;
}

function allowedStates(vm: DbRecord, op: string): readonly PowerState[] {
  const states = ALLOWED_POWER_STATES[op] ?? ALL;
  // A checkpoint is a Suspended snapshot and may be cloned/copied (reference §3 table).
  if ((op === "clone" || op === "copy") && vm.is_a_snapshot === true) return ["Halted", "Suspended"];
  return states;
}

/** An error as plain data: building an Error (with its stack) per op per VM made pool builds slow. */
type Problem = readonly [code: string, ...params: string[]];

/** The first error XAPI would report, "conflict" when only a running operation stands in the way. */
export function checkOperation(sim: Simulator, ref: string, op: string): XapiFailure | "conflict" | undefined {
  const problem = operationProblem(sim, ref, op);
  if (problem === undefined || problem === "conflict") return problem;
  const [code, ...params] = problem;
  return new XapiFailure(code, params);
}

function operationProblem(sim: Simulator, ref: string, op: string): Problem | "conflict" | undefined {
  const vm = sim.db.require("VM", ref);
  const blocked = (vm.blocked_operations as Record<string, string>)[op];
  if (blocked !== undefined) return ["OPERATION_BLOCKED", ref, blocked];
  const power = vm.power_state as PowerState;
  const states = allowedStates(vm, op);
  if (!states.includes(power)) {
    const expected = ORDER.filter((s) => states.includes(s)).map((s) => s.toLowerCase()).join(", ");
    return ["VM_BAD_POWER_STATE", ref, expected, power.toLowerCase()];
  }
  const running = Object.values(vm.current_operations as Record<string, string>);
  if (running.some((r) => !concurrent(op, r))) return "conflict";
  if (vm.is_a_template === true && vm.is_a_snapshot !== true) {
    if (!TEMPLATE_WHITELIST.has(op) || (op === "destroy" && vm.is_default_template === true)) {
      return ["VM_IS_TEMPLATE", ref, op];
    }
  }
  if (vm.is_a_snapshot === true && !SNAPSHOT_WHITELIST.has(op)) return ["VM_IS_SNAPSHOT", ref, op];
  if (op === "revert" && vm.is_a_snapshot !== true) return ["REVERT_ONLY_ALLOWED_ON_SNAPSHOT"];
  if (vm.is_control_domain === true && op !== "metadata_export") {
    return ["OPERATION_NOT_ALLOWED", op === "destroy" ? "This operation is not allowed on dom0" : "This operation is not allowed on a control domain"];
  }
  if (["snapshot", "checkpoint", "suspend"].includes(op) && hasResetDisk(sim, vm)) {
    return ["VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION"];
  }
  if (op === "make_into_template" && vm.snapshot_schedule !== "OpaqueRef:NULL" && sim.db.exists("VMSS", vm.snapshot_schedule as string)) {
    return ["VM_ASSIGNED_TO_SNAPSHOT_SCHEDULE", ref, vm.snapshot_schedule as string];
  }
  return undefined;
}

function hasResetDisk(sim: Simulator, vm: DbRecord): boolean {
  return (vm.VBDs as string[]).some((vbd) => {
    const vdi = sim.db.get("VBD", vbd)?.VDI;
    return typeof vdi === "string" && sim.db.get("VDI", vdi)?.on_boot === "reset";
  });
}

/** Recompute `allowed_operations` (advisory; XAPI does it after every operation). */
export function updateAllowedOperations(sim: Simulator, ref: string): void {
  if (!sim.db.exists("VM", ref)) return;
  const ops = REPORTED.filter((op) => operationProblem(sim, ref, op) === undefined);
  sim.db.set("VM", ref, "allowed_operations", ops);
}

/**
 * XAPI retries a conflicting operation for up to 2 hours before giving up (`helpers.ml` `retry`); the
 * HTTP export only for 120 s (`export.ml` `lock_vm`, fail_quickly).
 */
const conflictWaitMs = (op: string): number => (op === "export" ? 120_000 : 2 * 60 * 60 * 1000);

/**
 * Run `fn` holding operation `op` on the VM: validate (waiting while a conflicting operation runs), list
 * the op in `current_operations` under the call's task, then remove it however `fn` ends.
 */
export async function withVmOperation<T>(ctx: CallContext, ref: string, op: string, fn: () => Promise<T>): Promise<T> {
  const sim = ctx.sim;
  const giveUpAt = Date.now() + conflictWaitMs(op);
  for (;;) {
    const problem = checkOperation(sim, ref, op);
    if (problem === undefined) break;
    if (problem !== "conflict") throw problem;
    if (Date.now() > giveUpAt || sim.stopping.aborted) {
      const vm = sim.db.require("VM", ref);
      const ops = vm.current_operations as Record<string, string>;
      throw new XapiFailure("OTHER_OPERATION_IN_PROGRESS", ["VM", ref, Object.values(ops).join(","), Object.keys(ops).join(",")]);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ops = sim.db.require("VM", ref).current_operations as Record<string, string>;
  sim.db.set("VM", ref, "current_operations", { ...ops, [ctx.opKey]: op });
  updateAllowedOperations(sim, ref);
  try {
    return await fn();
  } finally {
    const rec = sim.db.get("VM", ref);
    if (rec) {
      const rest = { ...(rec.current_operations as Record<string, string>) };
      delete rest[ctx.opKey];
      sim.db.set("VM", ref, "current_operations", rest);
      updateAllowedOperations(sim, ref);
    }
  }
}
