/**
 * `xsnap synth` (and plan/validate/... without --config): runs the cdktf app named by `./cdktf.json`
 * exactly as cdktf-cli's `cdktf synth` does (`@cdktf/cli-core` synth-stack.js): the `app` command
 * through a shell, in the folder of cdktf.json, with `CDKTF_OUTDIR`, `CDKTF_CONTEXT_JSON` (cdktf.json's
 * `context`) and `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS` set, `TF_VAR_*` left out. Nothing of
 * xsnap's own runs inside the app's process: the app brings its runner (`npx ts-node main.ts` as
 * `cdktf init` writes it, `npx tsx main.ts`, `node main.js`), so whatever `cdktf synth` accepts works
 * here too. The only I/O in config/ besides reading files.
 */
import { spawn } from "child_process";
import { promises as fs } from "fs";
import * as path from "path";
import { error, type Diagnostic, type Result } from "../model";
import { isObject, type JsonObject } from "./tf-json";

export interface SynthOptions {
  /** Folder holding cdktf.json. */
  readonly cwd: string;
  /** Where the app writes; default: cdktf.json's `output`, else env CDKTF_OUTDIR, else `cdktf.out`. */
  readonly outdir?: string;
  /** Stops the app (an interrupt): the child is killed and its pipes closed, so nothing waits for it. */
  readonly signal?: AbortSignal;
}

export interface Synthesized {
  readonly outdir: string;
  /** The cdktf.json the app came from (absolute). */
  readonly cdktfJson: string;
  /** What the app printed (kept off our stdout, which may carry JSON), for a caller that wants to show it. */
  readonly output: string;
}

/** The keys of cdktf.json that running the app needs (cdktf-cli's own names). */
export interface CdktfJson {
  readonly file: string;
  readonly app: string;
  readonly output?: string;
  readonly context: JsonObject;
}

export async function readCdktfJson(cwd: string): Promise<Result<CdktfJson>> {
  const file = path.join(cwd, "cdktf.json");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return { ok: false, diagnostics: [error(`no cdktf.json in ${cwd}: run xsnap in a cdktf app folder, or pass --config with a cdk.tf.json file or a cdktf.out folder`)] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, diagnostics: [error(`${file} is not valid JSON: ${(e as Error).message}`)] };
  }
  if (!isObject(json) || typeof json.app !== "string" || json.app.trim() === "") {
    return { ok: false, diagnostics: [error(`${file} must name the command that runs the app in "app", e.g. "npx ts-node main.ts"`)] };
  }
  const output = typeof json.output === "string" && json.output !== "" ? json.output : undefined;
  const context = isObject(json.context) ? json.context : {};
  return { ok: true, value: { file, app: json.app, context, ...(output ? { output } : {}) }, warnings: [] };
}

/** The environment cdktf-cli gives the app (synth-stack.js), on top of ours. */
export function appEnvironment(base: NodeJS.ProcessEnv, config: CdktfJson, outdir: string): NodeJS.ProcessEnv {
  // Terraform variables belong to terraform's run, never to synth (cdktf-cli drops them too).
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith("TF_VAR_")));
  const inherited = base.CDKTF_CONTEXT_JSON ? safeJsonObject(base.CDKTF_CONTEXT_JSON) : {};
  return {
    ...env,
    // ts-node keeps the whole program in memory; cdktf-cli raises the heap the same way when unset.
    NODE_OPTIONS: env.NODE_OPTIONS ?? "--max-old-space-size=4096",
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...inherited, ...config.context }),
    // cdktf's telemetry and terraform probing have no business in a synth (stack-notes §1, §3).
    CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1",
  };
}

function safeJsonObject(text: string): JsonObject {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve({ code: null, output: "cancelled" });
    const child = spawn(command, { cwd, env, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    // The shell may leave a grandchild (npx ts-node) holding our pipes: closing them ends the wait too.
    const stop = (): void => {
      child.kill("SIGTERM");
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code: null, output: `${output}cancelled` });
    };
    signal?.addEventListener("abort", stop, { once: true });
    child.once("close", () => signal?.removeEventListener("abort", stop));
    const collect = (chunk: string): void => { output += chunk; };
    child.stdout.setEncoding("utf8").on("data", collect);
    child.stderr.setEncoding("utf8").on("data", collect);
    child.on("error", (e) => resolve({ code: null, output: `${output}${e.message}` }));
    child.on("close", (code) => resolve({ code, output }));
  });
}

export async function synthApp(options: SynthOptions): Promise<Result<Synthesized>> {
  const config = await readCdktfJson(options.cwd);
  if (!config.ok) return config;
  const outdir = path.resolve(options.cwd, options.outdir ?? config.value.output ?? process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const { code, output } = await run(config.value.app, options.cwd, appEnvironment(process.env, config.value, outdir), options.signal);
  if (code !== 0) {
    const tail = output.trim().split("\n").slice(-20).join("\n");
    const diagnostics: Diagnostic[] = [error(`the cdktf app (${config.value.app}) failed with exit code ${code ?? "unknown"}`, undefined, tail || undefined)];
    return { ok: false, diagnostics };
  }
  return { ok: true, value: { outdir, cdktfJson: config.value.file, output }, warnings: [] };
}
