/**
 * Managed resource types of provider `xapi` (DESIGN §3). Names, defaults and ranges here are the
 * contract; descriptions become docs/resources/<type>.md and the constructs' TSDoc.
 */
import { computed, optional, required } from "./attribute-builders";
import type { AttributeSchema, ResourceSchema } from "./types";

const VM_INPUT = "The VM: its uuid or its exact `name_label`. A name that matches no VM or several VMs is a plan-time error listing the candidates; control domains, templates and snapshots never match.";
const NAME_DESCRIPTION = optional("name_description", "string", "Description shown in XenCenter / Xen Orchestra; updates in place.", { default: "" });
const PROTECT = optional("protect", "bool", "When true, a plan that would destroy or replace this object is refused.", { default: false });
const RETAKE_TOKEN = optional("retake_token", "string", "Any string. Changing it replaces the object with a new one taken at apply time; it is also what allows a change of an immutable attribute.", { immutable: true });
const ON_DESTROY = optional("on_destroy", "string", "`uninstall` (default) destroys the object and the disks it owns, like `xe snapshot-uninstall`; `keep_disks` destroys only the metadata, like `xe snapshot-destroy`.", { enum: ["uninstall", "keep_disks"], default: "uninstall" });
const UUID = computed("uuid", "string", "UUID of the object in the pool.");
const SOURCE = required("source", "string", "The snapshot or checkpoint: its uuid or a reference such as `${xapi_snapshot.web.uuid}`.", { immutable: true, nonEmpty: true });

/** Attributes shared by snapshots and checkpoints: both capture a VM at one point in time. */
const pointInTimeCommon = (what: string): readonly AttributeSchema[] => [
  required("vm", "string", VM_INPUT, { immutable: true, nonEmpty: true }),
  required("name_label", "string", `Name of the ${what}; updates in place.`, { nonEmpty: true }),
  NAME_DESCRIPTION,
  ON_DESTROY,
  RETAKE_TOKEN,
  PROTECT,
  UUID,
  computed("vm_uuid", "string", "UUID of the VM the object was taken of."),
  computed("snapshot_time", "string", "When the VM state was captured (ISO 8601, UTC)."),
  computed("disk_uuids", "list(string)", "UUIDs of the disk snapshots (VDIs) that belong to the object."),
];

export const snapshot: ResourceSchema = {
  type: "xapi_snapshot",
  mode: "managed",
  description: "A disk-only snapshot of a VM (`VM.snapshot`, or `VM.snapshot_with_quiesce` when `quiesce` is set). It captures the VM's disks at apply time; only `name_label` and `name_description` update in place.",
  pointInTime: true,
  example: `new Snapshot(this, "web_before_upgrade", {
  vm: "web-01",
  nameLabel: "web-01 before upgrade",
  retakeToken: "2026-11", // change to capture the VM again (replace, create before destroy)
});`,
  attributes: [
    ...pointInTimeCommon("snapshot"),
    optional("quiesce", "bool", "Quiesce the guest through VSS first. Removed on Citrix Hypervisor 8.1+ / XCP-ng 8.x (plan-time error there: use `xapi_checkpoint`); elsewhere Windows guests only.", { immutable: true, default: false }),
    optional("ignore_disks", "list(string)", "Disks (VDI uuids or name_labels) to leave out of the snapshot; passed as `ignore_vdis` only when set.", { immutable: true }),
  ],
  blocks: [],
};

export const checkpoint: ResourceSchema = {
  type: "xapi_checkpoint",
  mode: "managed",
  description: "A checkpoint: a snapshot of a VM's disks and memory (`VM.checkpoint`). The VM must be Running, Paused or Suspended and pauses briefly; the plan shows the space the memory image needs on the suspend SR.",
  pointInTime: true,
  example: `new Checkpoint(this, "db_before_upgrade", {
  vm: "db-01",
  nameLabel: "db-01 before upgrade",
  protect: true,
});`,
  attributes: [
    ...pointInTimeCommon("checkpoint"),
    computed("power_state", "string", "Power state captured with the checkpoint (the VM's state after a revert)."),
    computed("memory_bytes", "number", "Memory of the VM (memory_static_max) in bytes."),
    computed("estimated_bytes", "number", "Space estimate: memory image (≈ 1.26 × memory_static_max + 100 MiB) plus per-disk snapshot cost."),
  ],
  blocks: [],
};

export const template: ResourceSchema = {
  type: "xapi_template",
  mode: "managed",
  description: "A template made from a snapshot or checkpoint (`VM.clone`, or `VM.copy` into `sr`), never with memory state.",
  example: `const golden = new Snapshot(this, "web_golden", { vm: "web-01", nameLabel: "web-01 golden" });
new Template(this, "web_template", { source: golden.uuid, nameLabel: "web golden template", sr: "NFS store" });`,
  attributes: [
    SOURCE,
    required("name_label", "string", "Name of the template; updates in place.", { nonEmpty: true }),
    NAME_DESCRIPTION,
    optional("sr", "string", "SR (uuid or name_label) to copy the disks into; unset means a fast clone on the source's SRs.", { immutable: true, nonEmpty: true }),
    PROTECT,
    UUID,
  ],
  blocks: [],
};

export const snapshotExport: ResourceSchema = {
  type: "xapi_snapshot_export",
  mode: "managed",
  description: "An XVA export of a snapshot to a local file (HTTP `GET /export`), streamed to `<path>.partial`, synced, then renamed.",
  example: `new SnapshotExport(this, "web_golden_xva", { source: golden.uuid, path: "exports/web-01.xva", compress: true });`,
  attributes: [
    SOURCE,
    required("path", "string", "Local file to write the XVA to.", { immutable: true, nonEmpty: true }),
    optional("compress", "bool", "Ask the pool for a compressed XVA.", { immutable: true, default: false }),
    computed("sha256", "string", "SHA-256 of the written file."),
    computed("bytes", "number", "Size of the written file in bytes."),
  ],
  blocks: [],
};

export const snapshotSchedule: ResourceSchema = {
  type: "xapi_snapshot_schedule",
  mode: "managed",
  description: "A VM snapshot schedule (VMSS): the pool takes snapshots of its VMs on a timetable and keeps the newest `retained_snapshots`. A VM belongs to at most one schedule. Times are in the pool's time zone.",
  example: `const tagged = new DataXapiVms(this, "nightly_vms", { tags: ["nightly"] });
new SnapshotSchedule(this, "nightly", {
  nameLabel: "nightly", type: "snapshot", frequency: "daily",
  schedule: { hour: 2, min: 30 }, retainedSnapshots: 7, vms: tagged.uuids,
});`,
  attributes: [
    required("name_label", "string", "Name of the schedule.", { nonEmpty: true }),
    NAME_DESCRIPTION,
    required("type", "string", "What the schedule takes.", { enum: ["snapshot", "checkpoint", "snapshot_with_quiesce"] }),
    required("frequency", "string", "How often it runs; decides which `schedule` keys apply (`hourly`: min; `daily`: hour, min; `weekly`: hour, min, days).", { enum: ["hourly", "daily", "weekly"] }),
    optional("retained_snapshots", "number", "How many of its snapshots per VM the schedule keeps.", { range: { min: 1, max: 10 }, default: 7 }),
    optional("enabled", "bool", "Whether the schedule runs.", { default: true }),
    optional("vms", "list(string)", "VMs (uuids or exact name_labels) that the schedule snapshots."),
    UUID,
    computed("last_run_time", "string", "When the schedule last ran (ISO 8601, UTC)."),
  ],
  blocks: [{
    name: "schedule",
    description: "When the schedule runs. Keys not listed for the `frequency` are errors; missing ones take XAPI's defaults (min 0, hour 0, days Monday).",
    attributes: [
      optional("min", "number", "Minute of the hour: 0, 15, 30 or 45."),
      optional("hour", "number", "Hour of the day (daily and weekly).", { range: { min: 0, max: 23 } }),
      optional("days", "list(string)", "Weekday names, e.g. [\"Monday\", \"Thursday\"] (weekly only)."),
    ],
  }],
};

export const vmRevert: ResourceSchema = {
  type: "xapi_vm_revert",
  mode: "managed",
  description: "Reverts a VM to a snapshot or checkpoint (`VM.revert`). An action, not a state: it runs when `revert_token` differs from the token recorded for this address, and VM state written after the snapshot is lost.",
  example: `const before = new Checkpoint(this, "db_before_upgrade", { vm: "db-01", nameLabel: "db-01 before upgrade" });
new VmRevert(this, "db_rollback", {
  vm: "db-01", snapshot: before.uuid, revertToken: "rollback-1", safetySnapshot: true, restorePowerState: true,
});`,
  attributes: [
    required("vm", "string", VM_INPUT, { nonEmpty: true }),
    required("snapshot", "string", "The snapshot or checkpoint to revert to: its uuid or a reference such as `${xapi_checkpoint.pre_upgrade.uuid}`.", { nonEmpty: true }),
    required("revert_token", "string", "Any string. The revert runs once per new value; keep it unchanged to revert nothing.", { nonEmpty: true }),
    optional("safety_snapshot", "bool", "Take a snapshot of the VM before reverting, so the state being thrown away can be recovered.", { default: false }),
    optional("restore_power_state", "bool", "After the revert, start (or resume) the VM when the snapshot was taken while it was Running.", { default: false }),
    computed("vm_uuid", "string", "UUID of the VM that is reverted (`vm` resolved at plan time)."),
    computed("reverted_at", "string", "When the revert last ran (ISO 8601, UTC)."),
  ],
  blocks: [],
};

export const xvaImport: ResourceSchema = {
  type: "xapi_xva_import",
  mode: "managed",
  description: "Imports an XVA file into an SR (HTTP `PUT /import` with a task). An exported snapshot imports as a template; with a provider alias it can target another pool (backup copy, move).",
  example: `new XvaImport(this, "web_copy_on_dr", {
  provider: dr, // an XapiProvider with alias "dr"
  path: xva.path, sha256: xva.sha256, sr: "Local storage",
});`,
  attributes: [
    required("path", "string", "The XVA file, e.g. the `path` of an `xapi_snapshot_export`.", { immutable: true, nonEmpty: true }),
    required("sr", "string", "SR (uuid or name_label) to import into.", { immutable: true, nonEmpty: true }),
    optional("name_label", "string", "Rename the imported object to this; updates in place.", { nonEmpty: true }),
    optional("sha256", "string", "Expected SHA-256 of the file, verified before upload.", { immutable: true }),
    PROTECT,
    UUID,
  ],
  blocks: [],
};

export const managedResources: readonly ResourceSchema[] = [
  snapshot, checkpoint, template, snapshotExport, snapshotSchedule, vmRevert, xvaImport,
];
