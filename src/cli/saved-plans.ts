/** `--out FILE` and `apply FILE` / `show FILE`: the CLI side of engine/plan-file. */
import { readPlanFile, writePlanFile } from "../engine";
import type { Plan } from "../model";
import { CliFailure, EXIT } from "./exit-codes";

export async function savePlans(file: string, plans: readonly Plan[]): Promise<void> {
  const [plan, ...others] = plans;
  if (!plan) throw new Error("no plan to save");
  if (others.length > 0) {
    // One plan file describes one pool (its fingerprints and lock are per pool).
    throw new CliFailure(`--out saves the plan of one pool, and this stack has ${plans.length} (${plans.map((p) => p.provider).join(", ")}); split the stack per pool to save plans`);
  }
  await writePlanFile(file, plan);
}

export async function loadSavedPlan(file: string): Promise<Plan> {
  const read = await readPlanFile(file);
  if (!read.ok) throw new CliFailure(read.message, EXIT.error);
  return read.plan;
}
