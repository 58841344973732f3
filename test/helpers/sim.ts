/**
 * Test helpers around the XAPI simulator: start/stop one per test file, and a raw XML-RPC caller for
 * wire-level tests (requests built by hand, answers parsed by the `xmlrpc` package's Deserializer, so
 * nothing of xsnap's own client is involved).
 *
 *   const sim = useSimulator({ taskMs: 0 });          // beforeAll / afterAll in this describe
 *   const session = await login(sim());
 *   const vm = await rpc(sim(), "VM.get_by_name_label", session, "web-01");
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../src/sim";
import { parseMethodResponse } from "../../src/sim/xmlrpc-parse";

export type { RunningSimulator, SimulatorOptions };

/** Start a simulator (loopback, random port), run `fn`, always close it. */
export async function withSimulator<T>(options: SimulatorOptions, fn: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ authFailureDelayMs: 0, ...options });
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

/** One simulator for the enclosing describe block (started in beforeAll, closed in afterAll). */
export function useSimulator(options: SimulatorOptions = {}): () => RunningSimulator {
  let running: RunningSimulator | undefined;
  beforeAll(async () => {
    running = await startSimulator({ authFailureDelayMs: 0, ...options });
  });
  afterAll(async () => {
    await running?.close();
  });
  return () => {
    if (!running) throw new Error("useSimulator: the simulator is not running (call it at describe level)");
    return running;
  };
}

/** A value as the test wants it on the wire: strings untyped, or an explicit XML-RPC fragment. */
export type WireParam = string | boolean | number | readonly WireParam[] | { readonly [key: string]: WireParam } | { readonly xml: string };

function paramXml(v: WireParam): string {
  if (typeof v === "string") return `<value>${v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</value>`;
  if (typeof v === "boolean") return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  if (typeof v === "number") return Number.isInteger(v) ? `<value>${v}</value>` : `<value><double>${v}</double></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(paramXml).join("")}</data></array></value>`;
  if ("xml" in v && typeof v.xml === "string") return v.xml;
  const members = Object.entries(v as Record<string, WireParam>).map(([k, x]) => `<member><name>${k}</name>${paramXml(x)}</member>`);
  return `<value><struct>${members.join("")}</struct></value>`;
}

export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** POST an XML-RPC call and return the raw HTTP answer. */
export async function rawCall(url: string, method: string, params: readonly WireParam[], path = "/"): Promise<RawResponse> {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param>${paramXml(p)}</param>`).join("")}</params></methodCall>`;
  const res = await fetch(url + path, { method: "POST", body, headers: { "Content-Type": "text/xml" } });
  return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: await res.text() };
}

/** The decoded `{Status, Value}` / `{Status, ErrorDescription}` envelope of a call. */
export async function envelope(url: string, method: string, ...params: WireParam[]): Promise<{ Status: string; Value?: unknown; ErrorDescription?: string[] }> {
  const raw = await rawCall(url, method, params);
  return (await parseMethodResponse(raw.body)) as { Status: string; Value?: unknown; ErrorDescription?: string[] };
}

/** An XAPI failure seen by a test: `code` + `params`, like XapiError. */
export class SimCallError extends Error {
  constructor(readonly code: string, readonly params: readonly string[]) {
    super(`${code}(${params.join(", ")})`);
  }
}

/** Call and return `Value`, or throw SimCallError with the ErrorDescription. */
export async function rpc<T = unknown>(sim: RunningSimulator, method: string, ...params: WireParam[]): Promise<T> {
  const env = await envelope(sim.url, method, ...params);
  if (env.Status !== "Success") {
    const [code = "", ...rest] = env.ErrorDescription ?? [];
    throw new SimCallError(code, rest);
  }
  return env.Value as T;
}

/** The ErrorDescription a call fails with (fails the test when it succeeds). */
export async function failureOf(sim: RunningSimulator, method: string, ...params: WireParam[]): Promise<string[]> {
  const env = await envelope(sim.url, method, ...params);
  if (env.Status === "Success") throw new Error(`${method} succeeded; a failure was expected`);
  return env.ErrorDescription ?? [];
}

export async function login(sim: RunningSimulator, user = "root", password = "xsnap"): Promise<string> {
  return rpc<string>(sim, "session.login_with_password", user, password);
}

/** Ref of the only object of `cls` named `name` (throws when 0 or several). */
export async function refByName(sim: RunningSimulator, session: string, cls: string, name: string): Promise<string> {
  const refs = await rpc<string[]>(sim, `${cls}.get_by_name_label`, session, name);
  if (refs.length !== 1) throw new Error(`${cls} "${name}": ${refs.length} matches`);
  return refs[0] as string;
}

/** Wait for an Async task to leave `pending`; returns its record. */
export async function waitTask(sim: RunningSimulator, session: string, task: string): Promise<Record<string, unknown>> {
  for (;;) {
    const rec = await rpc<Record<string, unknown>>(sim, "task.get_record", session, task);
    if (rec.status !== "pending") return rec;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface DriverResult {
  readonly connected: boolean;
  readonly connectError?: { code?: string; message: string };
  readonly results: readonly ({ ok: true; value: unknown } | { ok: false; code?: string; params?: string[]; message: string })[];
}

/** Run the Vates `xen-api` client (ESM) in a child node process with a scripted list of steps. */
export function runXenApiDriver(script: Record<string, unknown>): Promise<DriverResult> {
  const driver = join(__dirname, "..", "sim", "driver", "xen-api-driver.mjs");
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [driver, JSON.stringify(script)], { timeout: 30_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`xen-api driver failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as DriverResult);
      } catch {
        reject(new Error(`xen-api driver printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

/** How many times the simulator was called with `method` so far (its /sim/stats). */
export async function simCallCount(sim: RunningSimulator, method: string): Promise<number> {
  return ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls[method] ?? 0;
}

/** Waits until no task of the pool is pending: a killed client's task runs on in the pool. */
export async function untilNoTaskPending(client: { call(method: string, params?: readonly never[]): Promise<unknown> }): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const tasks = (await client.call("task.get_all_records", [])) as Record<string, { readonly status: string }>;
    if (Object.values(tasks).every((t) => t.status !== "pending")) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("a task is still pending after 2 s");
}
