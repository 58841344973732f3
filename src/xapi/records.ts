/**
 * Typed, frozen records of the classes xsnap reads, and the PoolView that indexes them.
 * Field names keep XAPI's spelling so a grep against the datamodel finds them. int64 fields are
 * numbers (bytes fit in 2^53), datetimes are Dates. Records are plain data: no methods, no client.
 * `snapshot_metadata` is deliberately absent: it is several KiB per snapshot and nobody needs it.
 */
import type { OpaqueRef, Uuid } from "./types";

export type PowerState = "Halted" | "Paused" | "Running" | "Suspended";
export type StringMap = Readonly<Record<string, string>>;

export interface VmRecord {
  readonly ref: OpaqueRef;
  readonly uuid: Uuid;
  readonly name_label: string;
  readonly name_description: string;
  readonly power_state: PowerState;
  readonly is_a_template: boolean;
  readonly is_default_template: boolean;
  readonly is_a_snapshot: boolean;
  readonly is_control_domain: boolean;
  readonly is_vmss_snapshot: boolean;
  readonly snapshot_of: OpaqueRef;
  readonly snapshot_time: Date;
  readonly snapshot_info: StringMap;
  readonly parent: OpaqueRef;
  readonly snapshot_schedule: OpaqueRef;
  readonly other_config: StringMap;
  readonly tags: readonly string[];
  readonly blocked_operations: StringMap;
  readonly allowed_operations: readonly string[];
  readonly VBDs: readonly OpaqueRef[];
  readonly suspend_VDI: OpaqueRef;
  readonly suspend_SR: OpaqueRef;
  readonly memory_static_max: number;
  readonly platform: StringMap;
}

export interface VdiRecord {
  readonly ref: OpaqueRef;
  readonly uuid: Uuid;
  readonly name_label: string;
  readonly name_description: string;
  readonly SR: OpaqueRef;
  readonly virtual_size: number;
  readonly physical_utilisation: number;
  readonly type: string;
  readonly sharable: boolean;
  readonly managed: boolean;
  readonly missing: boolean;
  readonly is_a_snapshot: boolean;
  readonly snapshot_of: OpaqueRef;
  readonly sm_config: StringMap;
  readonly on_boot: "reset" | "persist";
  readonly other_config: StringMap;
}

export interface VbdRecord {
  readonly ref: OpaqueRef;
  readonly uuid: Uuid;
  readonly VM: OpaqueRef;
  readonly VDI: OpaqueRef;
  readonly type: "Disk" | "CD" | "Floppy";
  readonly mode: "RO" | "RW";
  readonly empty: boolean;
  readonly other_config: StringMap;
}

export interface SrRecord {
  readonly ref: OpaqueRef;
  readonly uuid: Uuid;
  readonly name_label: string;
  readonly type: string;
  readonly content_type: string;
  readonly shared: boolean;
  readonly physical_size: number;
  readonly physical_utilisation: number;
  readonly virtual_allocation: number;
  readonly sm_config: StringMap;
  readonly other_config: StringMap;
}

export interface VmssRecord {
  readonly ref: OpaqueRef;
  readonly uuid: Uuid;
  readonly name_label: string;
  readonly name_description: string;
  readonly enabled: boolean;
  readonly type: "snapshot" | "checkpoint" | "snapshot_with_quiesce";
  readonly retained_snapshots: number;
  readonly frequency: "hourly" | "daily" | "weekly";
  readonly schedule: StringMap;
  readonly last_run_time: Date;
  readonly VMs: readonly OpaqueRef[];
}

export interface PoolRecord {
  readonly ref: OpaqueRef;
  readonly uuid: Uuid;
  readonly name_label: string;
  readonly master: OpaqueRef;
  readonly default_SR: OpaqueRef;
  readonly suspend_image_SR: OpaqueRef;
  readonly other_config: StringMap;
  readonly restrictions: StringMap;
}

export interface HostRecord {
  readonly ref: OpaqueRef;
  readonly uuid: Uuid;
  readonly name_label: string;
  readonly address: string;
  readonly software_version: StringMap;
  readonly API_version_major: number;
  readonly API_version_minor: number;
}

/**
 * One consistent read of the pool (DESIGN §2: one batched read per plan). Immutable.
 * Maps are keyed by OpaqueRef; `byUuid` covers every class.
 */
export interface PoolView {
  readonly pool: PoolRecord;
  readonly hosts: ReadonlyMap<OpaqueRef, HostRecord>;
  readonly vms: ReadonlyMap<OpaqueRef, VmRecord>;
  readonly vdis: ReadonlyMap<OpaqueRef, VdiRecord>;
  readonly vbds: ReadonlyMap<OpaqueRef, VbdRecord>;
  readonly srs: ReadonlyMap<OpaqueRef, SrRecord>;
  readonly vmss: ReadonlyMap<OpaqueRef, VmssRecord>;
  /** Any record by uuid (VM, VDI, VBD, SR, VMSS, host, pool). */
  readonly byUuid: ReadonlyMap<Uuid, { readonly class: PoolClass; readonly ref: OpaqueRef }>;
  /** VMs (including snapshots and templates) by exact name_label. */
  readonly vmsByName: ReadonlyMap<string, readonly OpaqueRef[]>;
  /** Snapshot refs by the ref of the VM they were taken of. */
  readonly snapshotsOf: ReadonlyMap<OpaqueRef, readonly OpaqueRef[]>;
  /** XAPI version string of the master (software_version.xapi), e.g. "26.1.16". */
  readonly xapiVersion: string;
  readonly readAt: Date;
}

export type PoolClass = "VM" | "VDI" | "VBD" | "SR" | "VMSS" | "host" | "pool";
