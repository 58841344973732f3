/**
 * `xsnap synth`: runs the cdktf app named by `./cdktf.json` the way cdktf-cli does (the `app`
 * command through a shell, `CDKTF_OUTDIR` set), without cdktf-cli and without terraform.
 * The only I/O in config/ besides reading files.
 */
import { spawn } from "child_process";
import { existsSync, promises as fs } from "fs";
import * as path from "path";
import { error, type Diagnostic, type Result } from "../model";
import { isObject } from "./tf-json";

export interface SynthOptions {
  /** Folder holding cdktf.json. */
  readonly cwd: string;
  /** Where the app writes; default: cdktf.json's `output`, else env CDKTF_OUTDIR, else `cdktf.out`. */
  readonly outdir?: string;
}

export interface Synthesized {
  readonly outdir: string;
  /** What the app printed (kept off our stdout, which may carry JSON), for a caller that wants to show it. */
  readonly output: string;
}

interface AppConfig {
  readonly app: string;
  readonly output?: string;
}

async function readCdktfJson(cwd: string): Promise<Result<AppConfig>> {
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
    return { ok: false, diagnostics: [error(`${file} must name the command that runs the app in "app", e.g. "node main.ts"`)] };
  }
  const output = typeof json.output === "string" ? json.output : undefined;
  return { ok: true, value: { app: json.app, ...(output ? { output } : {}) }, warnings: [] };
}

/** The preload that lets the app be TypeScript and import "xsnap" (compiled, even when we run from ts-jest). */
function tsRegisterPath(): string {
  const beside = path.join(__dirname, "ts-register.js");
  return existsSync(beside) ? beside : path.resolve(__dirname, "..", "..", "dist", "src", "config", "ts-register.js");
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
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
  const nodeOptions = [process.env.NODE_OPTIONS, `--require ${JSON.stringify(tsRegisterPath())}`].filter(Boolean).join(" ");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDKTF_OUTDIR: outdir,
    NODE_OPTIONS: nodeOptions,
    // cdktf's own telemetry and terraform probing have no business in a synth (stack-notes §1, §3).
    CHECKPOINT_DISABLE: "1",
  };
  const { code, output } = await run(config.value.app, options.cwd, env);
  if (code !== 0) {
    const tail = output.trim().split("\n").slice(-20).join("\n");
    const diagnostics: Diagnostic[] = [error(`the cdktf app (${config.value.app}) failed with exit code ${code ?? "unknown"}`, undefined, tail || undefined)];
    return { ok: false, diagnostics };
  }
  return { ok: true, value: { outdir, output }, warnings: [] };
}
