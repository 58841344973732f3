/**
 * The XAPI simulator as a library: `startSimulator(options)` builds the pool (fixture, generated pool or
 * saved state), serves it over HTTP on 127.0.0.1 and returns a handle for tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { registerCoreMethods } from "./core-methods";
import { registerGenericMethods } from "./generic";
import { FaultSpecError, parseFaultSpec } from "./faults";
import { buildDemoPool } from "./fixtures/demo";
import { buildFilePool } from "./fixtures/file";
import { buildGeneratedPool } from "./fixtures/generated";
import { handleExport } from "./export-import";
import { handleImport } from "./import-xva";
import { PoolBuilder } from "./pool-builder";
import type { Registry } from "./registry";
import { handleJsonRpc, handleXmlRpc, type RpcHooks } from "./rpc-http";
import { Simulator } from "./simulator";
import { loadState, StateSaver } from "./state-file";
import { registerVdiMethods } from "./vdi-methods";
import { registerRevert } from "./vm-revert";
import { registerVmMethods } from "./vm-methods";
import { registerSnapshotMethods } from "./vm-snapshot-methods";
import { registerVmssMethods } from "./vmss";

export { Simulator } from "./simulator";
export { PoolBuilder, type DiskSpec, type SrSpec, type VmSpec } from "./pool-builder";
export { GiB, MiB } from "./storage";
export { XapiFailure } from "./errors";

export interface SimulatorOptions {
  /** 0 (default) = a free port. */
  readonly port?: number;
  readonly host?: string;
  /** 'demo' (default unless `vms` is set), a JSON fixture file path, or 'none' (an empty pool with one host). */
  readonly fixture?: string;
  /** Generate a large pool of this many VMs instead of a fixture. */
  readonly vms?: number;
  readonly snapshotsPerVm?: number;
  /** Extra delay on every RPC answer. */
  readonly latencyMs?: number;
  /** Duration of long operations (snapshot, checkpoint, revert, clone, copy, power ops, export). */
  readonly taskMs?: number;
  /** Persist the pool here after every change; load it on start when it exists. */
  readonly statePath?: string;
  readonly xapiVersion?: string;
  readonly user?: string;
  readonly password?: string;
  readonly seed?: number;
  /** Delay before SESSION_AUTHENTICATION_FAILED (XAPI: 5 s). */
  readonly authFailureDelayMs?: number;
  /**
   * Act as a member of a pool whose master has this address (bare, as `host.address`): every
   * login answers HOST_IS_SLAVE [memberOf], so clients must move to the master.
   */
  readonly memberOf?: string;
  /**
   * Bytes of disk chunks kept in memory before they go to a pack file (default 256 MiB). With
   * `statePath` every chunk goes to `<statePath>.chunks` so that disks survive a restart.
   */
  readonly diskMemoryBytes?: number;
  /**
   * Bytes of record encodings kept so that a repeated `get_all_records` copies instead of encoding
   * (default 0: every call encodes; see DEFAULT_ENCODING_BUDGET for when it pays). Every write to a
   * record drops its encodings.
   */
  readonly encodingBudgetBytes?: number;
  /** Build extra content (tests): runs after the fixture, before the server starts. */
  readonly customize?: (builder: PoolBuilder) => void;
}

export interface RunningSimulator {
  readonly url: string;
  readonly port: number;
  readonly sim: Simulator;
  readonly builder: PoolBuilder;
  /** Rebuild the initial pool, clear faults, stats and latency (what POST /sim/reset does). */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_XAPI_VERSION = "26.1.16";

function buildRegistry(xapiVersion: string): Registry {
  const reg: Registry = new Map();
  registerGenericMethods(reg);
  registerCoreMethods(reg);
  registerVmMethods(reg);
  registerVdiMethods(reg);
  registerSnapshotMethods(reg, xapiVersion);
  registerRevert(reg);
  registerVmssMethods(reg);
  return reg;
}

function populate(builder: PoolBuilder, options: SimulatorOptions): void {
  builder.sim.db.building = true;
  if (options.vms !== undefined) buildGeneratedPool(builder, options.vms, options.snapshotsPerVm ?? 0);
  else if (options.fixture === "none") {
    builder.pool("sim-pool");
    builder.host("xcp-host-1", "192.168.10.11");
  } else if (options.fixture === undefined || options.fixture === "demo") buildDemoPool(builder);
  else buildFilePool(builder, options.fixture);
  options.customize?.(builder);
  builder.finish();
  builder.sim.db.building = false;
}

const isLoopback = (req: IncomingMessage): boolean => {
  const addr = req.socket.remoteAddress ?? "";
  return addr === "127.0.0.1" || addr === "::1" || addr === "::ffff:127.0.0.1";
};

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
}

/**
 * `POST /sim/disks {"vdi": uuid|ref, "synthetic_bytes": N, "seed"?: S}`: the VDI's first N bytes become
 * non-zero content generated per chunk when read (benchmarks: a multi-GiB disk without the RAM).
 */
function fillDisk(sim: Simulator, body: unknown): { vdi: string; chunks: number } {
  const spec = (body ?? {}) as { vdi?: unknown; synthetic_bytes?: unknown; seed?: unknown };
  const key = String(spec.vdi ?? "");
  const ref = sim.db.exists("VDI", key) ? key : sim.db.byUuid(key)?.cls === "VDI" ? sim.db.byUuid(key)?.ref : undefined;
  if (!ref) throw new Error(`no VDI ${key}`);
  const bytes = Number(spec.synthetic_bytes);
  const size = sim.db.require("VDI", ref).virtual_size as number;
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > size) throw new Error(`synthetic_bytes must be a whole number from 0 to the VDI's virtual size (${size})`);
  sim.disks.fillSynthetic(ref, bytes, Number(spec.seed ?? 1));
  return { vdi: ref, chunks: Math.ceil(bytes / (1024 * 1024)) };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const xapiVersion = options.xapiVersion ?? DEFAULT_XAPI_VERSION;
  const seed = options.seed ?? 1;
  const sim = new Simulator(
    {
      xapiVersion, user: options.user ?? "root", password: options.password ?? "xsnap",
      taskMs: options.taskMs ?? 0, authFailureDelayMs: options.authFailureDelayMs ?? 5000,
      ...(options.memberOf !== undefined ? { memberOf: options.memberOf } : {}),
      ...(options.encodingBudgetBytes !== undefined ? { encodingBudgetBytes: options.encodingBudgetBytes } : {}),
    },
    buildRegistry(xapiVersion),
    seed,
    options.statePath !== undefined ? { packPath: `${options.statePath}.chunks`, memoryBudget: 0 } : { ...(options.diskMemoryBytes !== undefined ? { memoryBudget: options.diskMemoryBytes } : {}) },
  );
  const builder = new PoolBuilder(sim);
  const fresh = (): void => {
    sim.db.load({ tables: {}, generation: sim.db.generation, rngState: seed });
    sim.disks.clear();
    populate(builder, options);
  };
  if (!(options.statePath && loadState(sim, options.statePath))) fresh();
  const saver = options.statePath ? new StateSaver(sim, options.statePath) : undefined;
  saver?.schedule();
  let latencyMs = options.latencyMs ?? 0;
  const held = new Set<ServerResponse>();
  const redirects = new Map<string, { location: string; times: number }>();
  const hooks: RpcHooks = { latencyMs: () => latencyMs, hold: (res) => held.add(res) };
  const reset = (): void => {
    fresh();
    sim.faults.clear();
    redirects.clear();
    sim.calls.clear();
    sim.mutatingCalls = 0;
    latencyMs = options.latencyMs ?? 0;
  };

  const control = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!isLoopback(req)) return json(403, { error: "the /sim control endpoints answer on loopback only" });
    if (req.method === "GET" && path === "/sim/stats") {
      return json(200, { calls: Object.fromEntries(sim.calls), mutating_calls: sim.mutatingCalls });
    }
    if (req.method === "POST" && path === "/sim/reset") {
      reset();
      return json(200, { ok: true });
    }
    if (req.method === "POST" && path === "/sim/faults") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
        const entries = Array.isArray(body) ? body : [body];
        for (const entry of entries) {
          if (entry && typeof entry === "object" && "latency_ms" in entry) {
            const ms = (entry as { latency_ms: unknown }).latency_ms;
            if (typeof ms !== "number" || ms < 0) throw new FaultSpecError("latency_ms must be a non-negative number");
            latencyMs = ms;
          } else sim.faults.add(parseFaultSpec(entry));
        }
        return json(200, { ok: true });
      } catch (e) {
        return json(400, { error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (req.method === "POST" && path === "/sim/disks") {
      try {
        return json(200, fillDisk(sim, await readJson(req)));
      } catch (e) {
        return json(400, { error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (req.method === "POST" && path === "/sim/redirect") {
      // The next `times` requests to `path` answer 302 to `location` + the same path and query, as
      // xapi sends an export/import to the host that sees the SR (reference §3.13, §3.15.1).
      try {
        const spec = (await readJson(req)) as { path?: unknown; location?: unknown; times?: unknown };
        if (typeof spec.path !== "string" || typeof spec.location !== "string") throw new Error("need path and location");
        redirects.set(spec.path, { location: spec.location, times: Number(spec.times ?? 1) });
        return json(200, { ok: true });
      } catch (e) {
        return json(400, { error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (req.method === "PUT" && path === "/sim/sink") {
      // A plain upload target (benchmarks' baseline): reads and discards the body.
      let bytes = 0;
      for await (const c of req) bytes += (c as Buffer).length;
      return json(200, { bytes });
    }
    return json(404, { error: `no control endpoint ${req.method ?? ""} ${path}` });
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const done = (p: Promise<void>): void => {
      p.catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(e instanceof Error ? e.message : String(e));
      });
    };
    if (path.startsWith("/sim/")) return done(control(req, res, path));
    if (req.method === "OPTIONS") {
      res.writeHead(200, { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "X-Requested-With" });
      return void res.end();
    }
    const redirect = redirects.get(path);
    if (redirect && (path === "/export" || path === "/import")) {
      if (--redirect.times <= 0) redirects.delete(path);
      req.resume();
      res.writeHead(302, { Location: `${redirect.location}${req.url ?? path}`, Connection: "close" });
      return void res.end();
    }
    if (req.method === "GET" && path === "/export") return done(handleExport(sim, req, res));
    if (req.method === "PUT" && path === "/import") return done(handleImport(sim, req, res));
    if (req.method === "POST" && path === "/jsonrpc") return done(handleJsonRpc(sim, req, res, hooks));
    if (req.method === "POST") return done(handleXmlRpc(sim, req, res, hooks));
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found");
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";
  if (!host.includes(":")) sim.faults.ownAddress = `${host}:${port}`;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    sim,
    builder,
    reset,
    close: async () => {
      sim.stop();
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sim.idle();
      saver?.close();
      sim.disks.close();
    },
  };
}
