/** Data sources of provider `xapi` (DESIGN §3): read from the PoolView at plan time, never written. */
import { computed, optional, optionalComputed, POWER_STATES, required } from "./attribute-builders";
import type { ResourceSchema } from "./types";

export const dataSnapshot: ResourceSchema = {
  type: "xapi_snapshot",
  mode: "data",
  description: "Finds a snapshot or checkpoint of a VM, e.g. the latest one a schedule took, so that an `xapi_vm_revert` can target it. Nothing matching, or several without `most_recent`, is a plan-time error.",
  example: `const latest = new DataXapiSnapshot(this, "latest_nightly", { vm: "web-01", schedule: "nightly" });
new VmRevert(this, "web_rollback", { vm: "web-01", snapshot: latest.uuid, revertToken: "rollback-1" });`,
  attributes: [
    required("vm", "string", "The VM: its uuid or its exact `name_label`.", { nonEmpty: true }),
    optional("name_regex", "string", "Only snapshots whose name_label matches this regular expression.", { regex: true }),
    optional("schedule", "string", "Only snapshots taken by the snapshot schedule (VMSS) with this name_label.", { nonEmpty: true }),
    optional("managed", "bool", "true: only snapshots xsnap manages; false: only the others; unset: both."),
    optional("most_recent", "bool", "When several match, take the newest (by snapshot_time) instead of failing.", { default: true }),
    computed("uuid", "string", "UUID of the snapshot found."),
    computed("name_label", "string", "Its name_label."),
    computed("snapshot_time", "string", "When it was taken (ISO 8601, UTC)."),
    computed("power_state", "string", "Power state it captured: Halted for a disk snapshot, Suspended for a checkpoint."),
  ],
  blocks: [],
};

export const dataVm: ResourceSchema = {
  type: "xapi_vm",
  mode: "data",
  description: "Looks up one VM by `name_label` or `uuid` (exactly one of them). Control domains, templates and snapshots never match; a name matching several VMs is an error listing them.",
  exactlyOneOf: [["name_label", "uuid"]],
  example: `const web = new DataXapiVm(this, "web", { nameLabel: "web-01" });
new Snapshot(this, "web_snapshot", { vm: web.uuid, nameLabel: "web-01 snapshot" });`,
  attributes: [
    optionalComputed("name_label", "string", "Exact name_label of the VM.", { nonEmpty: true }),
    optionalComputed("uuid", "string", "UUID of the VM.", { nonEmpty: true }),
    computed("power_state", "string", "Current power state (Halted, Paused, Running, Suspended)."),
    computed("memory_bytes", "number", "memory_static_max in bytes."),
    computed("disk_uuids", "list(string)", "UUIDs of the VM's disks (VDIs)."),
    computed("tags", "list(string)", "The VM's tags."),
  ],
  blocks: [],
};

export const dataVms: ResourceSchema = {
  type: "xapi_vms",
  mode: "data",
  description: "Lists the VMs matching every given filter (control domains, templates and snapshots excluded), e.g. all VMs tagged `nightly` for a snapshot schedule.",
  example: `const tagged = new DataXapiVms(this, "nightly_vms", { tags: ["nightly"], powerState: "Running" });`,
  attributes: [
    optional("tags", "list(string)", "Only VMs carrying all of these tags."),
    optional("power_state", "string", "Only VMs in this power state.", { enum: POWER_STATES }),
    optional("name_regex", "string", "Only VMs whose name_label matches this regular expression.", { regex: true }),
    computed("uuids", "list(string)", "UUIDs of the matching VMs, sorted."),
  ],
  blocks: [],
};

export const dataSources: readonly ResourceSchema[] = [dataSnapshot, dataVm, dataVms];
