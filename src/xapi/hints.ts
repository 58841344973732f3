/**
 * Human hints for the XAPI error codes users meet (reference/xapi.md §4). Keyed by code; a hint
 * may read the params. Shown by the CLI after `CODE(params)`.
 */
type Hint = string | ((params: readonly string[]) => string);

const HINTS: Readonly<Record<string, Hint>> = {
  SESSION_AUTHENTICATION_FAILED: (p) => `the user name or password is wrong${p[0] ? ` for user "${p[0]}"` : ""}`,
  SESSION_INVALID: "the session expired or was logged out; reconnect",
  HOST_IS_SLAVE: (p) => `this host is a pool member; connect to the pool master${p[0] ? ` at ${p[0]}` : ""}`,
  RBAC_PERMISSION_DENIED: "the user's role does not allow this; use a pool-operator or pool-admin account",
  MESSAGE_METHOD_UNKNOWN: "this XAPI version does not have that call",
  MESSAGE_PARAMETER_COUNT_MISMATCH: "this XAPI version takes a different number of parameters (an older or newer pool?)",
  MESSAGE_REMOVED: "this XAPI version removed the call (quiesced snapshots are gone since Citrix Hypervisor 8.1 / XCP-ng 8; use a checkpoint)",
  HANDLE_INVALID: (p) => `the ${p[0] ?? "object"} no longer exists (deleted by someone else?)`,
  UUID_INVALID: (p) => `no ${p[0] ?? "object"} has uuid ${p[1] ?? "?"}`,
  VM_BAD_POWER_STATE: (p) => `the VM must be ${p[1] ?? "in another power state"} but is ${p[2] ?? "not"}`,
  OTHER_OPERATION_IN_PROGRESS: (p) => `another ${p[2] ?? "operation"} is running on this ${p[0] ?? "object"}; retry when it finishes`,
  OPERATION_BLOCKED: "the operation is listed in the object's blocked_operations",
  OPERATION_NOT_ALLOWED: (p) => `XAPI refuses the operation${p[0] ? `: ${p[0]}` : ""}`,
  VM_IS_TEMPLATE: "the target is a template",
  VM_IS_SNAPSHOT: "the target is a snapshot, not a VM",
  VDI_IN_USE: "the disk is attached to a VM; it can be destroyed once detached",
  VDI_IS_SHARABLE: "sharable disks cannot be snapshotted; exclude it with ignore_disks",
  VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION: "a disk has on_boot=reset; it cannot be snapshotted",
  UNIMPLEMENTED_IN_SM_BACKEND: "the storage backend cannot snapshot this disk (a raw VDI on LVM?)",
  SR_BACKEND_FAILURE_44: "the SR has not enough free space",
  SR_FULL: "the SR has not enough free space",
  SR_BACKEND_FAILURE_109: "the disk's snapshot chain is too long (≥ 30); let the SR coalesce or delete snapshots",
  SR_SUSPEND_SPACE_INSUFFICIENT: "the suspend SR has no room for the memory image of a checkpoint",
  VM_NO_SUSPEND_SR: "the VM has no usable suspend SR (set the pool's suspend_image_SR)",
  SR_OPERATION_NOT_SUPPORTED: "the SR does not support this operation (snapshots need a VHD-capable SR)",
  LICENCE_RESTRICTION: (p) => `the pool licence does not include ${p[0] ?? "this feature"}`,
  MAP_DUPLICATE_KEY: (p) => `key "${p[3] ?? "?"}" is already set in ${p[0] ?? "the object"}.${p[1] ?? "other_config"}`,
  TOO_MANY_PENDING_TASKS: "the pool is busy; retry later",
  TASK_CANCELLED: "the task was cancelled",
  VMSS_HAS_VM: "the schedule still has VMs; detach them first",
  INVALID_VALUE: (p) => `invalid value${p[1] !== undefined ? ` "${p[1]}"` : ""}${p[0] ? ` for ${p[0]}` : ""}`,
  VM_SNAPSHOT_WITH_QUIESCE_FAILED: "the guest could not quiesce (VSS); this may succeed on retry",
  VM_SNAPSHOT_WITH_QUIESCE_TIMEOUT: "the guest did not quiesce in time; this may succeed on retry",
  VM_SNAPSHOT_WITH_QUIESCE_NOT_SUPPORTED: "the guest has no quiesce (VSS) support",
  INTERNAL_ERROR: "XAPI hit an internal error; the pool's xensource.log has details",
  IMPORT_ERROR: "the XVA file is corrupt or not an XVA (a checksum, a chunk or its order is wrong); the pool kept nothing of it",
  IMPORT_ERROR_PREMATURE_EOF: "the XVA ended too early (a truncated file or a broken connection); the pool kept nothing of it",
  IMPORT_ERROR_UNEXPECTED_FILE: "the file is not an XVA (its first member must be ova.xml); the pool kept nothing of it",
  IMPORT_ERROR_CANNOT_HANDLE_CHUNKED: "XAPI needs the upload's length (Content-Length)",
  IMPORT_INCOMPATIBLE_VERSION: "the XVA comes from a newer XAPI than this pool's",
  DEFAULT_SR_NOT_FOUND: "the pool has no default SR; name one with --sr",
};

export function hintFor(code: string, params: readonly string[]): string | undefined {
  const hint = HINTS[code] ?? (code.startsWith("SR_BACKEND_FAILURE") ? "the storage backend failed" : undefined);
  return typeof hint === "function" ? hint(params) : hint;
}
