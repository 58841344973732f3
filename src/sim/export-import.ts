/**
 * HTTP `GET /export` and `PUT /import` (reference §3.13, DESIGN §7) on top of the XVA module.
 * Export: session from query or cookie (or HTTP Basic), VM by `ref` (wins) or `uuid`, the `export` VM
 * operation (Halted/Suspended only), a task that tracks progress and fails with the XAPI error when
 * anything goes wrong before streaming (HTTP 500 then). The archived VM is no snapshot any more but keeps
 * `is_a_template`, so an exported snapshot imports as a template.
 * Disk content comes from the simulator's disk store (sim/disk-store.ts): what an import or a write
 * put there, the fixtures' seeded chunks, or generated synthetic content; only non-zero chunks are read.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { drainedOrClosed } from "./http-drain";
import { toFailure, XapiFailure } from "./errors";
import { type CallContext } from "./registry";
import { classSchema, type DbRecord, type DbValue, NULL_REF, recordToWire } from "./schema";
import type { Simulator } from "./simulator";
import { completeTask, createTask, failTask, setTaskProgress } from "./tasks";
import { withVmOperation } from "./vm-lifecycle";
import { encodeValue } from "./xml-encode";
import { buildOvaXml, type OvaObject, writeXva, XVA_CHUNK_SIZE, type XvaDiskSource } from "./xva";

export interface HttpCall {
  readonly query: URLSearchParams;
  readonly session: string;
  readonly task: string;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === name && v !== undefined) return decodeURIComponent(v);
  }
  return undefined;
}

/** Authenticate an HTTP handler call; answers 401 itself and returns undefined on failure. */
export function authenticate(sim: Simulator, req: IncomingMessage, res: ServerResponse, label: string): HttpCall | undefined {
  const query = new URL(req.url ?? "/", "http://sim").searchParams;
  let session = cookie(req, "session_id") ?? query.get("session_id") ?? "";
  const taskParam = query.get("task_id") ?? "";
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
  if (!sim.sessions.has(session) && basic) {
    const [user, password] = Buffer.from(basic[1] ?? "", "base64").toString("utf8").split(":");
    if (user === sim.config.user && password === sim.config.password) {
      session = `OpaqueRef:http-basic-${Date.now()}`;
      sim.sessions.set(session, { user, originator: "http", created: Date.now() });
    }
  }
  if (!sim.sessions.has(session)) {
    if (sim.db.exists("task", taskParam)) failTask(sim, taskParam, new XapiFailure("SESSION_AUTHENTICATION_FAILED", []));
    res.writeHead(401, { "Content-Type": "text/html" });
    res.end("<html><body><h1>HTTP 401 unauthorised</h1></body></html>");
    return undefined;
  }
  const task = sim.db.exists("task", taskParam) ? taskParam : createTask(sim, label, "", { cancellable: true });
  return { query, session, task };
}

export function failRequest(sim: Simulator, res: ServerResponse, task: string, e: unknown): void {
  const failure = toFailure(e);
  failTask(sim, task, failure);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { "Content-Type": "text/html", "task-id": task });
  res.end(`<html><body><h1>HTTP 500 internal server error</h1>${failure.code}</body></html>`);
}

export function contextFor(sim: Simulator, call: HttpCall, method: string): CallContext {
  return { sim, session: call.session, method, task: call.task, opKey: call.task, work: async () => undefined };
}

/** The objects of one VM export with every reference rewritten to archive ids (or NULL). */
function exportObjects(sim: Simulator, vmRef: string, preservePower: boolean): { objects: OvaObject[]; disks: XvaDiskSource[] } {
  const db = sim.db;
  const ids = new Map<string, string>();
  const picked: { cls: string; ref: string }[] = [];
  let next = 1;
  const add = (cls: string, ref: string): void => {
    if (ids.has(ref) || !db.exists(cls, ref)) return;
    ids.set(ref, `Ref:${next++}`);
    picked.push({ cls, ref });
  };
  const vm = db.require("VM", vmRef);
  add("VM", vmRef);
  for (const vbd of vm.VBDs as string[]) {
    add("VBD", vbd);
    const vdi = db.get("VBD", vbd)?.VDI as string;
    if (db.get("VBD", vbd)?.type === "Disk") {
      add("VDI", vdi);
      add("SR", db.get("VDI", vdi)?.SR as string);
    }
  }
  if (preservePower && vm.power_state === "Suspended") add("VDI", vm.suspend_VDI as string);
  for (const vif of vm.VIFs as string[]) {
    add("VIF", vif);
    add("network", db.get("VIF", vif)?.network as string);
  }
  const rewrite = (v: DbValue, isRef: boolean): DbValue => (isRef ? ids.get(String(v)) ?? NULL_REF : v);
  const objects = picked.map(({ cls, ref }): OvaObject => {
    const rec = db.require(cls, ref);
    const fields: DbRecord = {};
    for (const f of classSchema(cls).fields) {
      const v = rec[f.name] ?? f.defaultValue();
      if (f.type.kind === "ref") fields[f.name] = rewrite(v, true);
      else if (f.type.kind === "set" && f.type.of.kind === "ref") fields[f.name] = (v as string[]).map((x) => ids.get(x)).filter((x): x is string => x !== undefined);
      else fields[f.name] = v;
    }
    if (cls === "VM") {
      Object.assign(fields, { is_a_snapshot: false, snapshot_of: NULL_REF, snapshots: [], parent: NULL_REF, children: [] });
      if (!preservePower) Object.assign(fields, { power_state: "Halted", suspend_VDI: NULL_REF });
    }
    return { class: cls, id: ids.get(ref) ?? "", snapshot: recordToWire(cls, fields) as OvaObject["snapshot"] };
  });
  const disks = picked
    .filter((o) => o.cls === "VDI")
    .map((o): XvaDiskSource => {
      const rec = db.require("VDI", o.ref);
      const size = rec.virtual_size as number;
      return {
        id: ids.get(o.ref) ?? "", size,
        read: (offset, length) => sim.disks.read(o.ref, offset / XVA_CHUNK_SIZE, length),
        nonZeroChunks: () => sim.disks.nonZeroChunks(o.ref, Math.ceil(size / XVA_CHUNK_SIZE)),
      };
    });
  return { objects, disks };
}

/** What xapi's failed write to a closed socket becomes in the task (DERIVED: a Unix_error through exnHelper.ml's catch-all). */
const CLIENT_GONE = 'Unix.Unix_error(Unix.EPIPE, "write", "")';

export async function handleExport(sim: Simulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = authenticate(sim, req, res, "VM export");
  if (!call) return;
  try {
    const refParam = call.query.get("ref");
    const uuid = call.query.get("uuid");
    const hit = uuid ? sim.db.byUuid(uuid) : undefined;
    const vm = refParam ?? (hit?.cls === "VM" ? hit.ref : uuid ?? "");
    sim.db.require("VM", vm);
    const compression = call.query.get("use_compression");
    const preserve = call.query.get("preserve_power_state") === "true";
    await withVmOperation(contextFor(sim, call, "VM.export"), vm, "export", async () => {
      const host = sim.db.get("host", sim.masterRef());
      const version = (host?.software_version ?? {}) as Record<string, string>;
      const { objects, disks } = exportObjects(sim, vm, preserve);
      const ovaXml = buildOvaXml({
        version: { hostname: String(host?.hostname ?? "xapi-sim"), date: new Date().toISOString().slice(0, 10), product_version: version.product_version ?? "", product_brand: version.product_brand ?? "", build_number: version.build_number ?? "", xapi_major: 1, xapi_minor: 20, export_vsn: 2 },
        objects,
      });
      const stream = writeXva({
        ovaXml, disks, compress: compression === "true" || compression === "gzip",
        onProgress: (done, total) => setTaskProgress(sim, call.task, total > 0 ? Math.min(0.99, done / total) : 0.99),
      });
      // As xapi: no Content-Length and no chunked framing; the body ends when the connection closes,
      // so only the task tells a complete export from a cut one (reference §3.13).
      res.useChunkedEncodingByDefault = false;
      res.shouldKeepAlive = false;
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Disposition": 'attachment; filename="export.xva"', "task-id": call.task, Connection: "close" });
      for await (const chunk of stream) {
        if (!res.write(chunk) && !res.destroyed) await drainedOrClosed(res);
        // The client went away (a killed process closes its socket): xapi's next write fails, the task
        // fails and the VM's export lock goes, so the pool serves the next export or destroy at once.
        if (res.destroyed) throw new XapiFailure("INTERNAL_ERROR", [CLIENT_GONE]);
        if (sim.cancelRequests.has(call.task)) throw new XapiFailure("TASK_CANCELLED", [call.task]);
      }
      res.end();
    });
    completeTask(sim, call.task, encodeValue(""));
  } catch (e) {
    failRequest(sim, res, call.task, e);
  }
}
