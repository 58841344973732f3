/**
 * The entry point of config/: find the stack (synthesizing the app when no --config is given),
 * validate it and hand the engine a DesiredStack, or every diagnostic. Never throws for a
 * user's mistake; a throw here is a bug.
 */
import { existsSync } from "fs";
import * as path from "path";
import { error, type Result, type DesiredStack } from "../model";
import { buildDesiredStack } from "./build-stack";
import { readConfigPath, readOutdir } from "./stack-source";
import { synthApp } from "./synth";

export interface LoadOptions {
  /** Folder the command runs in (holds cdktf.json when `config` is not given). */
  readonly cwd: string;
  /** `--config`: a cdk.tf.json file, a stack folder or a cdktf.out folder, relative to `cwd`. */
  readonly config?: string;
  /** `--stack`: picks a stack of a multi-stack app, or names a single file's stack. */
  readonly stack?: string;
  /** Stops the cdktf app when it aborts (an interrupt). */
  readonly signal?: AbortSignal;
}

export async function loadStack(options: LoadOptions): Promise<Result<DesiredStack>> {
  let source;
  if (options.config !== undefined) {
    source = await readConfigPath(path.resolve(options.cwd, options.config), options.stack);
  } else {
    const synthesized = await synthApp({ cwd: options.cwd, ...(options.signal ? { signal: options.signal } : {}) });
    if (!synthesized.ok) return synthesized;
    source = await readOutdir(synthesized.value.outdir, options.stack);
    if (!source.ok && !existsSync(path.join(synthesized.value.outdir, "manifest.json"))) {
      return { ok: false, diagnostics: [error(`the cdktf app ran but wrote no ${path.join(synthesized.value.outdir, "manifest.json")}; it must call app.synth() and keep the default outdir (CDKTF_OUTDIR)`)] };
    }
  }
  if (!source.ok) return source;
  return buildDesiredStack(source.value.document, source.value.stack);
}
