/**
 * Builds pool content with realistic records: fixtures and tests describe hosts, SRs, VMs with disks,
 * snapshots and schedules; the builder fills in everything a real XCP-ng 8.3 pool would show (control
 * domains, metrics, VIFs, platform flags, guest metrics, PBDs …). Snapshots go through the same code
 * as VM.snapshot / VM.checkpoint, so their records are exactly what the API would produce.
 */
import { type DbValue, NULL_REF } from "./schema";
import type { Simulator } from "./simulator";
import { createVdi, GiB, MiB } from "./storage";
import { cloneVm, diskVdis } from "./vm-clone";
import { updateAllowedOperations } from "./vm-lifecycle";
import { setPowerState } from "./vm-methods";
import { guestMetricsFor, hostFields, vmFields, type GuestOs } from "./pool-records";

export interface SrSpec {
  readonly name_label: string;
  /** SM type: lvm (thick), ext / nfs (thin), iso … */
  readonly type: string;
  readonly size: number;
  /** Bytes already used by data outside the VMs built here (a hidden VDI holds them). */
  readonly used?: number;
  readonly shared?: boolean;
  /** Host whose local SR this is (unset: shared, plugged on every host). */
  readonly host?: string;
}

export interface DiskSpec {
  readonly name_label?: string;
  readonly size: number;
  readonly sr: string;
  /** Bytes allocated (thin SRs); thick SRs always allocate the full size. */
  readonly used?: number;
  readonly sm_config?: Record<string, string>;
  readonly on_boot?: "reset" | "persist";
  readonly sharable?: boolean;
  /** VHD chain length of the disk, itself included (1 = no parent); 30 makes the next snapshot fail. */
  readonly chainDepth?: number;
}

export interface VmSpec {
  readonly name_label: string;
  readonly name_description?: string;
  readonly power_state?: "Halted" | "Running" | "Paused" | "Suspended";
  readonly memory: number;
  readonly vcpus?: number;
  readonly os?: GuestOs;
  readonly disks?: readonly DiskSpec[];
  /** An ISO VDI to put in the CD drive (a CD VBD is always present, empty otherwise). */
  readonly cd?: string;
  readonly network?: string;
  readonly other_config?: Record<string, string>;
  readonly tags?: readonly string[];
  readonly blocked_operations?: Record<string, string>;
  readonly suspend_SR?: string;
  readonly host?: string;
  readonly template?: boolean;
}

export class PoolBuilder {
  constructor(readonly sim: Simulator) {}

  private get db() {
    return this.sim.db;
  }

  pool(name_label: string, fields: Record<string, DbValue> = {}): string {
    return this.db.create("pool", {
      name_label, name_description: "", master: NULL_REF, default_SR: NULL_REF, suspend_image_SR: NULL_REF,
      crash_dump_SR: NULL_REF, other_config: { "memory-ratio-hvm": "0.25", "memory-ratio-pv": "0.25" },
      restrictions: { restrict_vmss: "false", restrict_checkpoint: "false", restrict_vss: "false", restrict_pool_size: "false" },
      cpu_info: { cpu_count: "32", socket_count: "2", vendor: "GenuineIntel" }, uefi_certificates: "", ...fields,
    });
  }

  /** A host with its control domain; the first host becomes the pool master. */
  host(name_label: string, address: string): string {
    const db = this.db;
    const pool = this.sim.poolRef();
    const ref = db.create("host", hostFields(name_label, address, this.sim.config.xapiVersion));
    const dom0 = this.vm({ name_label: `Control domain on host: ${name_label}`, memory: 4 * GiB, vcpus: 8, power_state: "Running", host: ref, os: "dom0" });
    db.update("VM", dom0, { is_control_domain: true, is_a_template: false, domid: 0, other_config: { storage_driver_domain: dom0, is_system_domain: "true", perfmon: "" } });
    db.update("host", ref, { control_domain: dom0 });
    if (db.require("pool", pool).master === NULL_REF) db.set("pool", pool, "master", ref);
    updateAllowedOperations(this.sim, dom0);
    return ref;
  }

  sr(spec: SrSpec): string {
    const db = this.db;
    const iso = spec.type === "iso";
    const ref = db.create("SR", {
      name_label: spec.name_label, name_description: iso ? "ISO images" : "", type: spec.type, content_type: iso ? "iso" : "user",
      shared: spec.shared ?? spec.host === undefined, physical_size: spec.size, physical_utilisation: 0, virtual_allocation: 0,
      sm_config: spec.type === "lvm" ? { allocation: "thick", use_vhd: "true", devserial: `scsi-${db.rng.hex(16)}` } : { allocation: "thin" },
      other_config: iso ? { auto_scan: "true" } : {}, allowed_operations: ["vdi_create", "vdi_destroy", "vdi_clone", "vdi_snapshot", "scan", "update"],
      is_tools_sr: false, clustered: false,
    });
    const hosts = spec.host ? [spec.host] : [...db.table("host").keys()];
    for (const host of hosts) {
      db.create("PBD", { host, SR: ref, currently_attached: true, device_config: iso ? { location: "nfs:/srv/iso" } : spec.type === "nfs" ? { server: "10.0.0.5", serverpath: `/export/${db.rng.hex(6)}` } : { device: "/dev/sdb" } });
    }
    if (spec.used) {
      createVdi(this.sim, { name_label: "", name_description: "", SR: ref, virtual_size: spec.used, physical_utilisation: spec.used, type: "user", managed: false, sm_config: { vdi_type: "vhd" }, location: db.newUuid() });
    }
    return ref;
  }

  network(name_label: string, bridge: string): string {
    return this.db.create("network", { name_label, bridge, MTU: 1500, other_config: {}, managed: true });
  }

  /** A plain VDI (e.g. an ISO image) not attached to anything. */
  vdi(fields: { readonly name_label: string; readonly sr: string; readonly size: number; readonly type?: string; readonly used?: number }): string {
    return createVdi(this.sim, {
      name_label: fields.name_label, SR: fields.sr, virtual_size: fields.size, physical_utilisation: fields.used ?? fields.size,
      type: fields.type ?? "user", read_only: fields.type === "iso", location: fields.name_label, sm_config: {},
    });
  }

  vm(spec: VmSpec): string {
    const db = this.db;
    const metrics = db.create("VM_metrics", { memory_actual: spec.memory, VCPUs_number: spec.vcpus ?? 2, start_time: new Date(Date.UTC(2026, 0, 5, 8)), install_time: new Date(Date.UTC(2025, 5, 1, 12)), last_updated: new Date(0), hvm: spec.os !== "dom0", current_domain_type: spec.os === "dom0" ? "pv" : "hvm", VCPUs_CPU: {}, VCPUs_params: {}, VCPUs_flags: {}, state: [] });
    const gm = spec.os === undefined ? NULL_REF : db.create("VM_guest_metrics", guestMetricsFor(spec.os, db.rng));
    const ref = db.create("VM", { ...vmFields(spec, db.rng), metrics, guest_metrics: gm });
    let device = 0;
    for (const disk of spec.disks ?? []) {
      const vdi = this.disk(disk, spec.name_label, device);
      db.create("VBD", { VM: ref, VDI: vdi, userdevice: String(device), device: `xvd${String.fromCharCode(97 + device)}`, bootable: device === 0, mode: "RW", type: "Disk", unpluggable: false, empty: false, other_config: { owner: "" }, qos_algorithm_params: {} });
      device++;
    }
    if (spec.os !== "dom0") {
      db.create("VBD", { VM: ref, VDI: spec.cd ?? NULL_REF, userdevice: "3", device: "xvdd", bootable: false, mode: "RO", type: "CD", unpluggable: true, empty: spec.cd === undefined, other_config: {}, qos_algorithm_params: {} });
      if (spec.network) db.create("VIF", { VM: ref, network: spec.network, device: "0", MAC: db.rng.mac(), MTU: 1500, MAC_autogenerated: true, other_config: {}, qos_algorithm_params: {}, locking_mode: "network_default" });
    }
    const power = spec.power_state ?? "Halted";
    if (power === "Suspended") {
      const image = this.vdi({ name_label: "Suspend image", sr: spec.suspend_SR ?? (db.require("pool", this.sim.poolRef()).suspend_image_SR as string), size: Math.ceil(spec.memory * 1.26) + 100 * MiB, type: "suspend" });
      db.set("VM", ref, "suspend_VDI", image);
    }
    setPowerState(this.sim, ref, power);
    if (spec.host && power !== "Halted" && power !== "Suspended") db.set("VM", ref, "resident_on", spec.host);
    return ref;
  }

  private disk(spec: DiskSpec, vmName: string, device: number): string {
    const db = this.db;
    const sr = db.require("SR", spec.sr);
    const thick = sr.type === "lvm";
    let parent: string | undefined;
    for (let i = 1; i < (spec.chainDepth ?? 1); i++) {
      const base = createVdi(this.sim, { name_label: "base copy", SR: spec.sr, virtual_size: spec.size, physical_utilisation: 64 * MiB, type: "user", managed: false, read_only: true, location: db.newUuid(), sm_config: parent ? { vdi_type: "vhd", "vhd-parent": parent } : { vdi_type: "vhd" } });
      parent = db.require("VDI", base).uuid as string;
    }
    const sm: Record<string, string> = { vdi_type: "vhd", ...(spec.sm_config ?? {}) };
    if (parent) sm["vhd-parent"] = parent;
    const ref = createVdi(this.sim, {
      name_label: spec.name_label ?? `${vmName} ${device === 0 ? "system" : `data ${device}`}`, name_description: device === 0 ? "Created by template provisioner" : "",
      SR: spec.sr, virtual_size: spec.size, physical_utilisation: thick ? spec.size + Math.ceil(spec.size / (2 * MiB)) * 4096 : spec.used ?? Math.floor(spec.size * 0.3),
      type: "user", sharable: spec.sharable ?? false, on_boot: spec.on_boot ?? "persist", location: db.newUuid(), sm_config: sm,
      other_config: {}, allow_caching: false,
    });
    // A few seeded non-zero chunks, generated when read: exports are non-trivial at no memory cost.
    this.sim.disks.seedFixture(ref, db.require("VDI", ref).uuid as string, spec.size);
    return ref;
  }

  /** A snapshot (or checkpoint) of `vm` taken now, exactly as VM.snapshot / VM.checkpoint records it. */
  snapshot(vm: string, name: string, opts: { readonly checkpoint?: boolean; readonly vmss?: boolean; readonly time?: Date } = {}): string {
    const source = this.db.require("VM", vm);
    const running = source.power_state === "Running";
    let suspendVdi: string | undefined;
    if (opts.checkpoint && running) {
      const sr = (source.suspend_SR !== NULL_REF ? source.suspend_SR : this.db.require("pool", this.sim.poolRef()).suspend_image_SR) as string;
      suspendVdi = this.vdi({ name_label: "Suspend image", sr, size: Math.ceil((source.memory_static_max as number) * 1.26) + 100 * MiB, type: "suspend" });
    }
    diskVdis(this.sim, vm); // validates the VM's VBDs exist
    const snap = cloneVm(this.sim, vm, {
      kind: opts.checkpoint ? "checkpoint" : "snapshot", newName: name, isVmssSnapshot: opts.vmss === true,
      powerState: opts.checkpoint && source.power_state !== "Paused" && source.power_state !== "Halted" ? "Suspended" : "Halted", suspendVdi,
      snapshotInfo: !opts.checkpoint || running ? { "disk-snapshot-type": "crash_consistent", "power-state-at-snapshot": String(source.power_state) } : {},
    });
    if (opts.time) this.db.set("VM", snap, "snapshot_time", opts.time);
    return snap;
  }

  vmss(fields: { readonly name_label: string; readonly type: string; readonly frequency: string; readonly schedule: Record<string, string>; readonly retained_snapshots?: number; readonly enabled?: boolean; readonly vms?: readonly string[] }): string {
    const ref = this.db.create("VMSS", {
      name_label: fields.name_label, name_description: "", type: fields.type, frequency: fields.frequency, schedule: fields.schedule,
      retained_snapshots: fields.retained_snapshots ?? 7, enabled: fields.enabled ?? true, last_run_time: new Date(0),
    });
    for (const vm of fields.vms ?? []) this.db.set("VM", vm, "snapshot_schedule", ref);
    return ref;
  }

  /** Recompute allowed_operations everywhere and start the event log afresh. */
  finish(): void {
    for (const vm of this.db.table("VM").keys()) updateAllowedOperations(this.sim, vm);
    this.db.compactLog();
  }
}
