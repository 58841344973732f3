// A hand-built PoolView for inventory rendering tests: only the fields the inventory reads matter,
// the rest carry XAPI's defaults.
import type { PoolView, VmRecord, VmssRecord } from "../../src/xapi/records";
import { NULL_REF, asRef, asUuid, type OpaqueRef } from "../../src/xapi/types";

export function vm(name: string, uuid: string, extra: Partial<VmRecord> = {}): VmRecord {
  return {
    ref: asRef(`OpaqueRef:${uuid}`), uuid: asUuid(uuid), name_label: name, name_description: "", power_state: "Running",
    is_a_template: false, is_default_template: false, is_a_snapshot: false, is_control_domain: false, is_vmss_snapshot: false,
    snapshot_of: NULL_REF, snapshot_time: new Date(0), snapshot_info: {}, parent: NULL_REF,
    snapshot_schedule: NULL_REF, other_config: {}, tags: [], blocked_operations: {}, allowed_operations: [],
    VBDs: [], suspend_VDI: NULL_REF, suspend_SR: NULL_REF, memory_static_max: 2 ** 31, platform: {},
    ...extra,
  };
}

export function snapshotOf(source: VmRecord, name: string, uuid: string, extra: Partial<VmRecord> = {}): VmRecord {
  return vm(name, uuid, { is_a_snapshot: true, is_a_template: true, snapshot_of: source.ref, power_state: "Halted",
    snapshot_time: new Date("2026-11-25T10:00:00Z"), ...extra });
}

export function poolView(vms: readonly VmRecord[], vmss: readonly VmssRecord[] = [], poolOtherConfig: Record<string, string> = {}): PoolView {
  const snapshotsOf = new Map<OpaqueRef, OpaqueRef[]>();
  for (const v of vms) if (v.is_a_snapshot) snapshotsOf.set(v.snapshot_of, [...(snapshotsOf.get(v.snapshot_of) ?? []), v.ref]);
  return {
    pool: { ref: asRef("OpaqueRef:pool"), uuid: asUuid("3f1c2e7a-0000-4000-8000-000000000001"), name_label: "demo-pool", master: NULL_REF,
      default_SR: NULL_REF, suspend_image_SR: NULL_REF, other_config: poolOtherConfig, restrictions: {} },
    hosts: new Map(), vdis: new Map(), vbds: new Map(), srs: new Map(),
    vms: new Map(vms.map((v) => [v.ref, v])),
    vmss: new Map(vmss.map((s) => [s.ref, s])),
    byUuid: new Map(), vmsByName: new Map(), snapshotsOf, xapiVersion: "26.1.16", readAt: new Date(0),
  };
}
