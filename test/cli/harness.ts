// End-to-end harness: the real CLI (`node bin/xsnap.js`, built by `npm test`'s pretest) against a
// real simulator process on 127.0.0.1. No stubs: what the tests see is what a user sees.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/xsnap.js");

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, "dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does it in pretest)");
}

export interface Sim { readonly url: string; readonly process: ChildProcess; stop(): Promise<void> }

/** Starts `xsnap sim` and waits for its first line, `xapi-sim listening on http://127.0.0.1:PORT`. */
export function startSim(args: readonly string[] = []): Promise<Sim> {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, "sim", "--fixture", "demo", "--port", "0", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolveSim, reject) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (d: Buffer) => { err += d.toString(); });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        const url = m[1];
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolveSim({
          url, process: child,
          stop: () => new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`xsnap sim exited with ${code} before listening:\n${out}${err}`)));
  });
}

export interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Written to stdin, which is then closed (the approval prompt's answer). */
  readonly input?: string;
  /** Called with each stdout chunk (to act when a line appears). */
  readonly onStdout?: (soFar: string) => void;
  /** Receives the child process (to signal it). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Base environment: the simulator's default credentials, no colour decisions inherited from the caller. */
export function baseEnv(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, XAPI_PASSWORD: "xsnap", NO_COLOR: undefined, FORCE_COLOR: undefined, ...extra };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export function xsnap(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: baseEnv(options.env), stdio: ["pipe", "pipe", "pipe"] });
  options.onSpawn?.(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); options.onStdout?.(stdout); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  child.stdin.end(options.input ?? "");
  return new Promise((done) => child.once("close", (code) => done({ code: code ?? -1, stdout, stderr })));
}

/** A fresh folder holding a cdk.tf.json for stack `name` against the simulator at `url`. */
export function stackDir(name = "e2e"): string {
  return mkdtempSync(join(tmpdir(), `xsnap-${name}-`));
}

export type Resources = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;

/** `data`: data sources, as the `data` block of cdk.tf.json (type → name → attributes). */
export function writeStack(dir: string, args: { readonly url: string; readonly stack?: string; readonly resources: Resources; readonly data?: Resources }): string {
  const file = join(dir, "cdk.tf.json");
  writeFileSync(file, `${JSON.stringify({
    "//": { metadata: { stackName: args.stack ?? "e2e", version: "0.21.0", backend: "local" } },
    provider: { xapi: [{ url: args.url, username: "root" }] },
    ...(args.data && Object.keys(args.data).length > 0 ? { data: args.data } : {}),
    ...(Object.keys(args.resources).length > 0 ? { resource: args.resources } : {}),
  }, null, 2)}\n`);
  return file;
}
