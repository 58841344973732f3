/** `xapi_snapshot`: a disk-only snapshot (VM.snapshot, or VM.snapshot_with_quiesce when `quiesce`). */
import type { ResourceKind } from "./kind";
import { pointInTimeKind } from "./point-in-time";

export const snapshot = pointInTimeKind({
  type: "xapi_snapshot",
  noun: "snapshot",
  withMemory: false,
  immutable: ["vm", "quiesce", "ignore_disks"],
  computed: ["uuid", "snapshot_time", "disk_uuids"],
}) satisfies ResourceKind;
