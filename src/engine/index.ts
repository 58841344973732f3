/** The engine's public surface for the CLI (helper H6) and tests. */
export { planStack, planPools, type PlanOptions, type PlanStackArgs, type PlanPoolsArgs, type PoolInput } from "./planner";
export { applyPlan, applyPlans, type ApplyArgs, type ApplyPlansArgs, type PlanSection } from "./applier";
export { acquireLock, lockStatus, forceUnlock, lockKey, type LockInfo, type LockStatus, type HeldLock, type AcquireResult, type ForceUnlockResult } from "./lock";
export { writePlanFile, readPlanFile, checkStale, checkPool, type ReadPlanResult, type StaleCheck } from "./plan-file";
export { readIntents, resolveIntents, intentKey, outcomeOfIntent } from "./intents";
export { buildInventory, type Inventory, type InventoryObject, type InventorySchedule, type InventoryVm, type Ownership } from "./inventory";
export { recoverIntent, type RecoverArgs, type RecoverResult } from "./recover";
export { importObject, forgetAddress, type AdoptionResult } from "./adoption";
export { hasBlockingIntents } from "../model";
export { builtinKinds } from "../resources";
