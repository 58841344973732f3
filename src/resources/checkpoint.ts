/** `xapi_checkpoint`: disks and memory (VM.checkpoint); the VM must not be Halted and pauses briefly. */
import type { ResourceKind } from "./kind";
import { pointInTimeKind } from "./point-in-time";

export const checkpoint = pointInTimeKind({
  type: "xapi_checkpoint",
  noun: "checkpoint",
  withMemory: true,
  immutable: ["vm"],
  computed: ["uuid", "snapshot_time", "disk_uuids", "power_state", "memory_bytes", "estimated_bytes"],
}) satisfies ResourceKind;
