/**
 * Builds PoolViews by hand for pure unit tests of kinds and the planner. It keeps XAPI's invariants
 * that the engine relies on (xapi.md §3.1): a snapshot is a template and a snapshot, inherits the
 * VM's other_config, its disk VBDs carry `owner`, and its VDIs are VDI snapshots of the VM's disks.
 */
import type { HostRecord, PoolClass, PoolView, PowerState, SrRecord, VbdRecord, VdiRecord, VmRecord, VmssRecord, PoolRecord } from "../../src/xapi/records";
import { NULL_REF, type OpaqueRef, type Uuid } from "../../src/xapi/types";

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

export interface DiskSpec {
  readonly name_label: string;
  readonly sr: SrRecord;
  readonly virtual_size?: number;
  readonly physical_utilisation?: number;
  readonly sm_config?: Record<string, string>;
  readonly sharable?: boolean;
  readonly on_boot?: "reset" | "persist";
}

export class PoolBuilder {
  private n = 0;
  readonly vms = new Map<OpaqueRef, Mutable<VmRecord>>();
  readonly vdis = new Map<OpaqueRef, Mutable<VdiRecord>>();
  readonly vbds = new Map<OpaqueRef, Mutable<VbdRecord>>();
  readonly srs = new Map<OpaqueRef, Mutable<SrRecord>>();
  readonly vmss = new Map<OpaqueRef, Mutable<VmssRecord>>();
  readonly host: Mutable<HostRecord>;
  readonly pool: Mutable<PoolRecord>;
  xapiVersion = "26.1.16";
  private clock = Date.parse("2026-11-01T00:00:00Z");

  constructor() {
    this.host = { ref: this.ref("host"), uuid: this.uuid(), name_label: "xcp-host-1", address: "10.0.0.1", software_version: { xapi: "26.1.16" }, API_version_major: 2, API_version_minor: 21 };
    this.pool = { ref: this.ref("pool"), uuid: this.uuid(), name_label: "test-pool", master: this.host.ref, default_SR: NULL_REF, suspend_image_SR: NULL_REF, other_config: {}, restrictions: {} };
  }

  private ref(kind: string): OpaqueRef { return `OpaqueRef:${kind}-${++this.n}` as OpaqueRef; }
  private uuid(): Uuid { const h = (++this.n).toString(16).padStart(12, "0"); return `00000000-0000-4000-8000-${h}` as Uuid; }

  sr(args: { name_label: string; type?: string; physical_size?: number; physical_utilisation?: number }): SrRecord {
    const sr: Mutable<SrRecord> = {
      ref: this.ref("SR"), uuid: this.uuid(), name_label: args.name_label, type: args.type ?? "nfs", content_type: "user", shared: true,
      physical_size: args.physical_size ?? 2048 * GiB, physical_utilisation: args.physical_utilisation ?? 0, virtual_allocation: 0,
      sm_config: {}, other_config: {},
    };
    this.srs.set(sr.ref, sr);
    if (this.pool.default_SR === NULL_REF) this.pool.default_SR = sr.ref;
    if (this.pool.suspend_image_SR === NULL_REF) this.pool.suspend_image_SR = sr.ref;
    return sr;
  }

  vm(args: { name_label: string; power_state?: PowerState; memory?: number; disks?: readonly DiskSpec[]; other_config?: Record<string, string>;
    blocked_operations?: Record<string, string>; platform?: Record<string, string>; suspend_SR?: OpaqueRef; tags?: string[];
    is_control_domain?: boolean; is_a_template?: boolean }): VmRecord {
    const vm = this.vmRecord({ name_label: args.name_label, power_state: args.power_state ?? "Running", memory_static_max: args.memory ?? 2 * GiB,
      other_config: args.other_config ?? {}, blocked_operations: args.blocked_operations ?? {}, platform: args.platform ?? {},
      suspend_SR: args.suspend_SR ?? NULL_REF, tags: args.tags ?? [], is_control_domain: args.is_control_domain ?? false, is_a_template: args.is_a_template ?? false });
    for (const d of args.disks ?? []) this.attachDisk(vm, d);
    return vm;
  }

  attachDisk(vm: VmRecord, d: DiskSpec, owner = true): VdiRecord {
    const vdi: Mutable<VdiRecord> = {
      ref: this.ref("VDI"), uuid: this.uuid(), name_label: d.name_label, name_description: "", SR: d.sr.ref,
      virtual_size: d.virtual_size ?? 10 * GiB, physical_utilisation: d.physical_utilisation ?? 4 * GiB, type: "user",
      sharable: d.sharable ?? false, managed: true, missing: false, is_a_snapshot: false, snapshot_of: NULL_REF,
      sm_config: d.sm_config ?? {}, on_boot: d.on_boot ?? "persist", other_config: {},
    };
    this.vdis.set(vdi.ref, vdi);
    this.plug(vm, vdi, owner);
    return vdi;
  }

  private plug(vm: VmRecord, vdi: Mutable<VdiRecord>, owner: boolean): void {
    const m = this.vms.get(vm.ref) as Mutable<VmRecord>;
    const vbd: Mutable<VbdRecord> = { ref: this.ref("VBD"), uuid: this.uuid(), VM: vm.ref, VDI: vdi.ref, type: "Disk", mode: "RW",
      empty: false, other_config: owner ? { owner: "" } : {} };
    this.vbds.set(vbd.ref, vbd);
    m.VBDs.push(vbd.ref);
  }

  /** A snapshot as VM.snapshot (or VM.checkpoint with `memory`) would leave it. */
  snapshot(vm: VmRecord, args: { name_label: string; time?: Date; memory?: boolean; other_config?: Record<string, string>; is_vmss_snapshot?: boolean }): VmRecord {
    const source = this.vms.get(vm.ref) as Mutable<VmRecord>;
    this.clock += 60_000;
    const snap = this.vmRecord({
      name_label: args.name_label, power_state: args.memory && source.power_state !== "Paused" ? "Suspended" : "Halted",
      memory_static_max: source.memory_static_max, other_config: { ...source.other_config, ...(args.other_config ?? {}) },
      blocked_operations: {}, platform: { ...source.platform }, suspend_SR: NULL_REF, tags: [...source.tags],
      is_control_domain: false, is_a_template: true,
    });
    const m = this.vms.get(snap.ref) as Mutable<VmRecord>;
    m.is_a_snapshot = true;
    m.snapshot_of = vm.ref;
    m.snapshot_time = args.time ?? new Date(this.clock);
    m.is_vmss_snapshot = args.is_vmss_snapshot ?? false;
    // What XAPI allows on a Halted snapshot (reference/xapi.md §7); a checkpoint adds hard_shutdown below.
    m.allowed_operations = ["clone", "copy", "destroy", "export", "metadata_export", "revert"];
    for (const vbdRef of source.VBDs) {
      const vbd = this.vbds.get(vbdRef);
      const disk = vbd ? this.vdis.get(vbd.VDI) : undefined;
      if (!vbd || !disk || vbd.type !== "Disk") continue;
      const copy: Mutable<VdiRecord> = { ...disk, ref: this.ref("VDI"), uuid: this.uuid(), is_a_snapshot: true, snapshot_of: disk.ref, physical_utilisation: 0 };
      this.vdis.set(copy.ref, copy);
      this.plug(snap, copy, true);
    }
    if (args.memory && source.power_state === "Running") {
      const sr = this.srs.get(this.pool.suspend_image_SR);
      if (sr) {
        const image: Mutable<VdiRecord> = { ref: this.ref("VDI"), uuid: this.uuid(), name_label: "Suspend image", name_description: "", SR: sr.ref,
          virtual_size: source.memory_static_max, physical_utilisation: source.memory_static_max, type: "suspend", sharable: false,
          managed: true, missing: false, is_a_snapshot: true, snapshot_of: NULL_REF, sm_config: {}, on_boot: "persist", other_config: {} };
        this.vdis.set(image.ref, image);
        m.suspend_VDI = image.ref;
      }
    }
    return snap;
  }

  private vmRecord(a: Pick<VmRecord, "name_label" | "power_state" | "memory_static_max" | "other_config" | "blocked_operations" | "platform" | "suspend_SR" | "tags" | "is_control_domain" | "is_a_template">): VmRecord {
    const vm: Mutable<VmRecord> = {
      ref: this.ref("VM"), uuid: this.uuid(), name_label: a.name_label, name_description: "", power_state: a.power_state,
      is_a_template: a.is_a_template, is_default_template: false, is_a_snapshot: false, is_control_domain: a.is_control_domain, is_vmss_snapshot: false,
      snapshot_of: NULL_REF, snapshot_time: new Date(0), snapshot_info: {}, parent: NULL_REF, snapshot_schedule: NULL_REF,
      other_config: a.other_config, tags: [...a.tags], blocked_operations: a.blocked_operations, allowed_operations: [],
      VBDs: [], suspend_VDI: NULL_REF, suspend_SR: a.suspend_SR, memory_static_max: a.memory_static_max,
      platform: a.platform,
    };
    this.vms.set(vm.ref, vm);
    return vm;
  }

  /** Changes a record in place (tests of drift and staleness). */
  edit<T extends { readonly ref: OpaqueRef }>(record: T, patch: Partial<T>): void {
    const target = [this.vms, this.vdis, this.vbds, this.srs, this.vmss].map((m) => (m as Map<OpaqueRef, object>).get(record.ref)).find((r) => r !== undefined);
    if (!target) throw new Error(`no record ${record.ref}`);
    Object.assign(target, patch);
  }

  remove(record: { readonly ref: OpaqueRef }): void {
    for (const m of [this.vms, this.vdis, this.vbds, this.srs, this.vmss]) (m as Map<OpaqueRef, unknown>).delete(record.ref);
  }

  get(ref: OpaqueRef): VmRecord {
    const vm = this.vms.get(ref);
    if (!vm) throw new Error(`no VM ${ref}`);
    return vm;
  }

  /** A frozen snapshot of the current records with the indexes a PoolView has. */
  build(): PoolView {
    const clone = <T>(m: Map<OpaqueRef, T>): Map<OpaqueRef, T> => new Map([...m].map(([k, v]) => [k, structuredClone(v)]));
    const vms = clone(this.vms), vdis = clone(this.vdis), vbds = clone(this.vbds), srs = clone(this.srs), vmss = clone(this.vmss);
    const byUuid = new Map<Uuid, { class: PoolClass; ref: OpaqueRef }>();
    const index = (cls: PoolClass, m: Map<OpaqueRef, { uuid: Uuid }>): void => { for (const [ref, r] of m) byUuid.set(r.uuid, { class: cls, ref }); };
    index("VM", vms); index("VDI", vdis); index("VBD", vbds); index("SR", srs); index("VMSS", vmss);
    byUuid.set(this.host.uuid, { class: "host", ref: this.host.ref });
    byUuid.set(this.pool.uuid, { class: "pool", ref: this.pool.ref });
    const vmsByName = new Map<string, OpaqueRef[]>();
    const snapshotsOf = new Map<OpaqueRef, OpaqueRef[]>();
    for (const vm of vms.values()) {
      vmsByName.set(vm.name_label, [...(vmsByName.get(vm.name_label) ?? []), vm.ref]);
      if (vm.is_a_snapshot && vm.snapshot_of !== NULL_REF) snapshotsOf.set(vm.snapshot_of, [...(snapshotsOf.get(vm.snapshot_of) ?? []), vm.ref]);
    }
    return {
      pool: structuredClone(this.pool), hosts: new Map([[this.host.ref, structuredClone(this.host)]]), vms, vdis, vbds, srs, vmss,
      byUuid, vmsByName, snapshotsOf, xapiVersion: this.xapiVersion, readAt: new Date(this.clock),
    };
  }
}
