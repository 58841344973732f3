/**
 * Public surface of the xsnap package: the generated constructs (one per resource and data source of
 * provider `xapi`) and cdktf's App/TerraformStack/Testing/... through the one internal cdktf module,
 * so an app imports everything from "xsnap".
 */
export * from "./cdktf";
export { XapiProvider, type XapiProviderConfig } from "./constructs/provider";
export { Snapshot, type SnapshotConfig } from "./constructs/snapshot";
export { Checkpoint, type CheckpointConfig } from "./constructs/checkpoint";
export { Template, type TemplateConfig } from "./constructs/template";
export { SnapshotExport, type SnapshotExportConfig } from "./constructs/snapshot-export";
export { SnapshotSchedule, type SnapshotScheduleConfig, type SnapshotScheduleSchedule } from "./constructs/snapshot-schedule";
export { VmRevert, type VmRevertConfig } from "./constructs/vm-revert";
export { XvaImport, type XvaImportConfig } from "./constructs/xva-import";
export { DataXapiSnapshot, type DataXapiSnapshotConfig } from "./constructs/data-xapi-snapshot";
export { DataXapiVm, type DataXapiVmConfig } from "./constructs/data-xapi-vm";
export { DataXapiVms, type DataXapiVmsConfig } from "./constructs/data-xapi-vms";
