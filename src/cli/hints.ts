/**
 * Next-step hints are commands that work from where the user ran xsnap (DESIGN §4 small print): they
 * repeat the `--config` / `--stack` that found the stack, and a saved plan's hints start from the
 * plan's recorded context (engine/plan.ts PlanContext) rather than from where the plan was made.
 */
import * as path from "node:path";
import type { PlanContext } from "../model";

export interface HintFlags {
  readonly config?: string;
  readonly stack?: string;
}

/** A word as a POSIX shell reads it back: bare when safe, single-quoted otherwise. */
export function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** `xsnap ARGS --config X --stack S`, with the flags the user gave (paths as typed: same folder). */
export function xsnapCommand(args: readonly string[], flags: HintFlags = {}): string {
  const words = ["xsnap", ...args, ...(flags.config ? ["--config", flags.config] : []), ...(flags.stack ? ["--stack", flags.stack] : [])];
  return words.map(shellWord).join(" ");
}

/** The flags (relative to `cwd`) that reach the plan's configuration from `cwd`, or a `cd` to its app. */
export function fromContext(context: PlanContext, cwd: string): { readonly prefix: string; readonly flags: HintFlags; readonly folder: string } {
  const stack = context.stackFlag ? { stack: context.stackFlag } : {};
  if (context.source.kind === "config") {
    return { prefix: "", folder: cwd, flags: { config: path.relative(cwd, context.source.path) || ".", ...stack } };
  }
  const rel = path.relative(cwd, context.source.path);
  return { prefix: rel === "" ? "" : `cd ${shellWord(rel)} && `, folder: context.source.path, flags: stack };
}

/** `xsnap plan` for the configuration a saved plan came from, runnable from `cwd`. */
export function planCommandFrom(context: PlanContext | undefined, cwd: string): string {
  if (!context) return xsnapCommand(["plan"]);
  const where = fromContext(context, cwd);
  return `${where.prefix}${xsnapCommand(["plan"], where.flags)}`;
}

/** `xsnap plan --out FILE` again, for the configuration a saved plan came from, runnable from `cwd`. */
export function replanCommand(context: PlanContext | undefined, planFile: string, cwd: string, destroy = false): string {
  const plan = ["plan", ...(destroy ? ["--destroy"] : []), "--out"];
  if (!context) return xsnapCommand([...plan, planFile]);
  const where = fromContext(context, cwd);
  const file = path.relative(where.folder, path.resolve(cwd, planFile));
  return `${where.prefix}${xsnapCommand([...plan, file], where.flags)}`;
}
