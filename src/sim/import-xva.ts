/**
 * `PUT /import?sr_id=…` as xapi does it (reference/xapi.md §3.15; xapi-project/xen-api:ocaml/xapi/import.ml
 * `handler`, `stream_import`, and stream_vdi.ml `recv_all_vdi`):
 * - refused before streaming: chunked uploads (403 IMPORT_ERROR_CANNOT_HANDLE_CHUNKED), an ISO SR
 *   (400 SR_OPERATION_NOT_SUPPORTED), an SR that does not exist; otherwise the 200 goes out before
 *   the body is read, so the task (the caller's `task_id`, or one made here) is the only outcome;
 * - ova.xml first, then the metadata objects (VDIs at full virtual size on a thick SR: no space is
 *   SR_BACKEND_FAILURE_44 before any data), then each streamed disk in id string order, its chunk
 *   numbers strictly increasing (gaps are zeros), every chunk verified against `.xxhash` / `.checksum`
 *   by the reader, until the disk's virtual size is covered; what arrives is kept in the disk store;
 * - any failure (corrupt, truncated, out of order, no space, cancelled) fails the task and undoes every
 *   object created so far, newest first: no VM and no VDI are left behind.
 * Objects get new uuids; `is_a_template` is kept, so an exported snapshot comes back as a template.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { CHUNK, isAllZero } from "./disk-store";
import { srBackendFailure, toFailure, XapiFailure } from "./errors";
import { authenticate, type HttpCall } from "./export-import";
import { classSchema, type DbValue, type FieldType, NULL_REF } from "./schema";
import type { Simulator } from "./simulator";
import { createVdi, freeSpace, isThick, removeVdi } from "./storage";
import { completeTask, failTask, setTaskProgress } from "./tasks";
import { updateAllowedOperations } from "./vm-lifecycle";
import { destroyVm } from "./vm-methods";
import { encodeValue } from "./xml-encode";
import { isXvaFormatError, type OvaObject, type ParsedOva, readXva, type XvaChunk } from "./xva";
import { compareDiskIds } from "./xva-writer";

/** Fields an import never takes from the archive: identity and what XAPI maintains itself. */
const SKIPPED = new Set(["uuid", "VBDs", "VIFs", "VDIs", "snapshots", "children", "current_operations", "allowed_operations", "resident_on", "metrics", "guest_metrics", "crash_dumps", "PBDs"]);

function fromWire(type: FieldType, v: unknown): DbValue {
  switch (type.kind) {
    case "int": case "float": return Number(v);
    case "set": return Array.isArray(v) ? v.map((x) => fromWire(type.of, x)) : [];
    default: return v as DbValue;
  }
}

function fieldsOf(cls: string, obj: OvaObject, ids: ReadonlyMap<string, string>): Record<string, DbValue> {
  const out: Record<string, DbValue> = {};
  for (const f of classSchema(cls).fields) {
    const v = obj.snapshot[f.name];
    if (v === undefined || SKIPPED.has(f.name)) continue;
    if (f.type.kind === "ref") out[f.name] = ids.get(String(v)) ?? NULL_REF;
    else if (f.type.kind === "set" && f.type.of.kind === "ref") continue;
    else out[f.name] = fromWire(f.type, v);
  }
  return out;
}

/** How an archive problem reaches the task (import.ml error mapping, reference §3.15.2). */
function importFailure(e: unknown): XapiFailure {
  if (e instanceof XapiFailure) return e;
  if (isXvaFormatError(e)) {
    if (e.code === "TRUNCATED") return new XapiFailure("IMPORT_ERROR_PREMATURE_EOF", []);
    if (e.code === "MISSING_OVA_XML") return new XapiFailure("IMPORT_ERROR_UNEXPECTED_FILE", ["ova.xml", e.member]);
    return new XapiFailure("IMPORT_ERROR", [e.message]);
  }
  // The uploader went away mid-body: xapi sees End_of_file.
  const code = (e as { code?: unknown }).code;
  if (code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE" || (e instanceof Error && e.message === "aborted")) {
    return new XapiFailure("IMPORT_ERROR_PREMATURE_EOF", []);
  }
  return toFailure(e);
}

/** The target SR: `sr_id` (ref) or `sr_uuid`, else the pool's default SR. */
function targetSr(sim: Simulator, query: URLSearchParams): string {
  const db = sim.db;
  const byRef = query.get("sr_id");
  if (byRef) {
    if (!db.exists("SR", byRef)) throw new XapiFailure("HANDLE_INVALID", ["SR", byRef]);
    return byRef;
  }
  const byUuid = query.get("sr_uuid");
  if (byUuid) {
    const hit = db.byUuid(byUuid);
    if (hit?.cls !== "SR") throw new XapiFailure("UUID_INVALID", ["SR", byUuid]);
    return hit.ref;
  }
  const dflt = db.require("pool", sim.poolRef()).default_SR as string;
  if (!db.exists("SR", dflt)) throw new XapiFailure("DEFAULT_SR_NOT_FOUND", [dflt]);
  return dflt;
}

function reject(sim: Simulator, res: ServerResponse, task: string, status: number, failure: XapiFailure): void {
  failTask(sim, task, failure);
  res.writeHead(status, { "Content-Type": "text/html", "task-id": task, Connection: "close" });
  res.end(`<html><body><h1>HTTP ${status}</h1>${failure.code}</body></html>`);
}

export async function handleImport(sim: Simulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = authenticate(sim, req, res, "VM.import");
  if (!call) return;
  if (req.headers["transfer-encoding"] !== undefined) {
    return reject(sim, res, call.task, 403, new XapiFailure("IMPORT_ERROR_CANNOT_HANDLE_CHUNKED", []));
  }
  let sr: string;
  try {
    sr = targetSr(sim, call.query);
  } catch (e) {
    return reject(sim, res, call.task, 500, toFailure(e));
  }
  const srRec = sim.db.require("SR", sr);
  if (srRec.content_type === "iso" || srRec.type === "iso") {
    return reject(sim, res, call.task, 400, new XapiFailure("SR_OPERATION_NOT_SUPPORTED", [sr]));
  }
  res.writeHead(200, { Connection: "close", "Cache-Control": "no-cache, no-store", "task-id": call.task, "Content-Type": "application/octet-stream" });
  res.flushHeaders();
  try {
    const vms = await importXva(sim, req, call, sr);
    completeTask(sim, call.task, encodeValue(vms));
    res.end();
  } catch (e) {
    failTask(sim, call.task, importFailure(e));
    // xapi writes its 500 page after the 200 and closes; the unread rest of the upload is refused.
    res.end("<html><body><h1>HTTP 500 internal server error</h1></body></html>");
    req.destroy();
  }
}

/** One disk the archive must stream, in the order it must come. */
interface StreamedDisk {
  readonly id: string;
  readonly vdi: string;
  readonly size: number;
  covered: number;
  allocated: number;
}

/** The import proper: create the objects from ova.xml, receive the disks, undo everything on failure. */
export async function importXva(sim: Simulator, body: AsyncIterable<Uint8Array>, call: HttpCall, sr: string): Promise<string[]> {
  const db = sim.db;
  const thick = isThick(db.require("SR", sr));
  const created: { cls: string; ref: string }[] = [];
  const ids = new Map<string, string>();
  const disks: StreamedDisk[] = [];
  const vms: string[] = [];
  let current = 0;
  let streamedBytes = 0;
  let lastProgress = 0;

  const onOva = (ova: ParsedOva): void => {
    const byClass = (cls: string): OvaObject[] => ova.objects.filter((o) => o.class === cls);
    const vdis = byClass("VDI");
    const need = thick ? vdis.reduce((sum, o) => sum + Number(o.snapshot.virtual_size ?? 0), 0) : 0;
    if (freeSpace(db.require("SR", sr)) < need) throw srBackendFailure(44, "There is insufficient space");
    for (const o of vdis) {
      const f = fieldsOf("VDI", o, ids);
      const size = Number(f.virtual_size ?? 0);
      const ref = createVdi(sim, {
        ...f, SR: sr, is_a_snapshot: false, snapshot_of: NULL_REF, physical_utilisation: thick ? size : 0,
        sm_config: { vdi_type: "vhd", import_task: call.task }, location: db.newUuid(), managed: true, missing: false,
      });
      ids.set(o.id, ref);
      created.push({ cls: "VDI", ref });
    }
    const network = db.table("network").keys().next().value;
    for (const o of byClass("network")) {
      const match = [...db.table("network")].find(([, n]) => n.name_label === o.snapshot.name_label)?.[0] ?? network;
      if (match) ids.set(o.id, match);
    }
    for (const o of byClass("VM")) {
      const f = fieldsOf("VM", o, ids);
      const ref = db.create("VM", {
        ...f, power_state: "Halted", suspend_VDI: NULL_REF, snapshot_of: NULL_REF, parent: NULL_REF, is_a_snapshot: false,
        snapshot_schedule: NULL_REF, domid: -1, other_config: { ...(f.other_config as Record<string, string>), import_task: call.task },
        current_operations: { [call.task]: "import" },
      });
      ids.set(o.id, ref);
      created.push({ cls: "VM", ref });
      vms.push(ref);
    }
    for (const o of byClass("VBD")) {
      const f = fieldsOf("VBD", o, ids);
      if (f.VM === NULL_REF) continue;
      if (f.type === "Disk" && f.VDI === NULL_REF) continue; // a disk whose VDI was not exported
      created.push({ cls: "VBD", ref: db.create("VBD", { ...f, device: "", currently_attached: false, empty: f.VDI === NULL_REF }) });
      const vdi = ids.get(String(o.snapshot.VDI));
      if (f.type !== "CD" && vdi && !disks.some((d) => d.vdi === vdi)) {
        disks.push({ id: String(o.snapshot.VDI), vdi, size: Number(db.require("VDI", vdi).virtual_size), covered: 0, allocated: 0 });
      }
    }
    for (const o of byClass("VIF")) {
      const f = fieldsOf("VIF", o, ids);
      if (f.VM === NULL_REF) continue;
      created.push({ cls: "VIF", ref: db.create("VIF", { ...f, MAC: "", currently_attached: false }) });
    }
    disks.sort((a, b) => compareDiskIds(a.id, b.id));
    const taskRec = db.get("task", call.task);
    if (taskRec) db.set("task", call.task, "other_config", { ...(taskRec.other_config as Record<string, string>), object_creation: "complete" });
  };

  const total = (): number => disks.reduce((sum, d) => sum + d.size, 0);
  const onChunk = (chunk: XvaChunk): void => {
    while (current < disks.length && disks[current]!.covered >= disks[current]!.size) current++;
    if (current >= disks.length) return; // xapi stops reading once every disk is covered
    const disk = disks[current]!;
    if (chunk.disk !== disk.id) {
      throw new XapiFailure("IMPORT_ERROR", [`Invalid XVA file: expected a chunk of ${disk.id} (${disk.covered} of ${disk.size} bytes received), got one of ${chunk.disk}`]);
    }
    if (chunk.data.length === 0) return; // keep-alive
    const index = chunk.offset / CHUNK;
    if (!isAllZero(chunk.data)) {
      if (!thick) {
        // Thin SRs allocate as data lands: running out is SM's "insufficient space".
        const pending = disks.reduce((sum, d) => sum + d.allocated, 0);
        if (freeSpace(db.require("SR", sr)) - pending < chunk.data.length) throw srBackendFailure(44, "There is insufficient space");
        disk.allocated += chunk.data.length;
      }
      sim.disks.write(disk.vdi, index, chunk.data);
    }
    streamedBytes += chunk.offset + chunk.data.length - disk.covered;
    disk.covered = chunk.offset + chunk.data.length;
    const now = Date.now();
    if (now - lastProgress > 1000) {
      lastProgress = now;
      setTaskProgress(sim, call.task, Math.min(0.99, streamedBytes / Math.max(1, total())));
      if (sim.cancelRequests.has(call.task)) throw new XapiFailure("TASK_CANCELLED", [call.task]);
    }
  };

  try {
    await readXva(body, { onOva, onChunk });
    const short = disks.find((d) => d.covered < d.size);
    if (short) throw new XapiFailure("IMPORT_ERROR_PREMATURE_EOF", []);
  } catch (e) {
    undo(sim, created);
    throw importFailure(e);
  }
  for (const d of disks) {
    if (thick || d.allocated === 0) continue;
    db.set("VDI", d.vdi, "physical_utilisation", d.allocated);
    db.update("SR", sr, { physical_utilisation: (db.require("SR", sr).physical_utilisation as number) + d.allocated });
  }
  for (const vm of vms) {
    db.set("VM", vm, "current_operations", {});
    updateAllowedOperations(sim, vm);
  }
  // Snapshots are left out of the result unless every imported VM is one (import.ml).
  const plain = vms.filter((vm) => db.require("VM", vm).is_a_snapshot !== true);
  return plain.length > 0 ? plain : vms;
}

/** Undo newest first, as xapi's cleanup closures run; each step's failure is ignored. */
function undo(sim: Simulator, created: readonly { cls: string; ref: string }[]): void {
  for (const { cls, ref } of [...created].reverse()) {
    try {
      if (cls === "VDI") removeVdi(sim, ref);
      else if (cls === "VM" && sim.db.exists("VM", ref)) {
        sim.db.set("VM", ref, "current_operations", {});
        destroyVm(sim, ref);
      } else if (sim.db.exists(cls, ref)) sim.db.delete(cls, ref);
    } catch {
      // best effort, like xapi's cleanup (importexport.ml `cleanup`)
    }
  }
}
