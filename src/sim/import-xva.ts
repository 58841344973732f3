/**
 * `PUT /import?sr_id=`: read and verify an XVA (checksums, chunk order) and create its VM, VDIs, VBDs and
 * VIFs on the target SR. Objects get new uuids; `is_a_template` is kept, so an exported snapshot comes
 * back as a template. A corrupt archive fails the task with IMPORT_ERROR and leaves nothing behind.
 */
import type { IncomingMessage } from "node:http";
import { srBackendFailure, XapiFailure } from "./errors";
import type { HttpCall } from "./export-import";
import { classSchema, type DbValue, type FieldType, NULL_REF } from "./schema";
import type { Simulator } from "./simulator";
import { createVdi, freeSpace, isThick, removeVdi } from "./storage";
import { setTaskProgress } from "./tasks";
import { updateAllowedOperations } from "./vm-lifecycle";
import { destroyVm } from "./vm-methods";
import { isXvaFormatError, type OvaObject, type ParsedOva, readXva } from "./xva";

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

export async function importXva(sim: Simulator, req: IncomingMessage, call: HttpCall): Promise<string[]> {
  const db = sim.db;
  const srParam = call.query.get("sr_id") ?? "";
  const sr = db.exists("SR", srParam) ? srParam : (db.require("pool", sim.poolRef()).default_SR as string);
  const srRec = db.require("SR", sr);
  if (srRec.content_type === "iso") throw new XapiFailure("OPERATION_NOT_ALLOWED", ["Cannot import a VM's disks to an ISO SR"]);
  const created: { cls: string; ref: string }[] = [];
  const ids = new Map<string, string>();
  const covered = new Map<string, number>();
  const vms: string[] = [];
  const onOva = (ova: ParsedOva): void => {
    const byClass = (cls: string): OvaObject[] => ova.objects.filter((o) => o.class === cls);
    const vdis = byClass("VDI");
    const need = vdis.reduce((sum, o) => sum + (isThick(srRec) ? Number(o.snapshot.virtual_size ?? 0) : 0), 0);
    if (freeSpace(db.require("SR", sr)) < need) throw srBackendFailure(44, "There is insufficient space");
    for (const o of vdis) {
      const f = fieldsOf("VDI", o, ids);
      const ref = createVdi(sim, { ...f, SR: sr, is_a_snapshot: false, snapshot_of: NULL_REF, physical_utilisation: isThick(srRec) ? Number(f.virtual_size ?? 0) : 0, sm_config: { vdi_type: "vhd" }, location: db.newUuid(), managed: true, missing: false });
      ids.set(o.id, ref);
      created.push({ cls: "VDI", ref });
    }
    const network = db.table("network").keys().next().value;
    for (const o of byClass("network")) {
      const match = [...db.table("network")].find(([, n]) => n.name_label === o.snapshot.name_label)?.[0] ?? network;
      if (match) ids.set(o.id, match);
    }
    for (const o of byClass("VM")) {
      const ref = db.create("VM", { ...fieldsOf("VM", o, ids), power_state: "Halted", suspend_VDI: NULL_REF, snapshot_of: NULL_REF, parent: NULL_REF, is_a_snapshot: false, snapshot_schedule: NULL_REF, domid: -1 });
      ids.set(o.id, ref);
      created.push({ cls: "VM", ref });
      vms.push(ref);
    }
    for (const o of byClass("VBD")) {
      const f = fieldsOf("VBD", o, ids);
      if (f.VM === NULL_REF) continue;
      created.push({ cls: "VBD", ref: db.create("VBD", { ...f, currently_attached: false, empty: f.VDI === NULL_REF }) });
    }
    for (const o of byClass("VIF")) {
      const f = fieldsOf("VIF", o, ids);
      if (f.VM === NULL_REF) continue;
      created.push({ cls: "VIF", ref: db.create("VIF", { ...f, currently_attached: false }) });
    }
  };
  try {
    await readXva(req, {
      onOva,
      onChunk: (chunk) => {
        covered.set(chunk.disk, Math.max(covered.get(chunk.disk) ?? 0, chunk.offset + chunk.data.length));
      },
      onProgress: () => setTaskProgress(sim, call.task, 0.5),
    });
  } catch (e) {
    for (const { cls, ref } of created.reverse()) {
      if (cls === "VDI") removeVdi(sim, ref);
      else if (cls === "VM" && db.exists("VM", ref)) destroyVm(sim, ref);
      else db.delete(cls, ref);
    }
    if (isXvaFormatError(e)) throw new XapiFailure("IMPORT_ERROR", [e.message]);
    throw e;
  }
  if (!isThick(srRec)) {
    for (const [id, bytes] of covered) {
      const vdi = ids.get(id);
      if (vdi && db.exists("VDI", vdi)) {
        db.set("VDI", vdi, "physical_utilisation", bytes);
        db.update("SR", sr, { physical_utilisation: (db.require("SR", sr).physical_utilisation as number) + bytes });
      }
    }
  }
  for (const vm of vms) updateAllowedOperations(sim, vm);
  return vms;
}
