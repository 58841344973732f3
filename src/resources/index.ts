/** The kinds this version of xsnap supports. A factory, not a global: callers pass the registry on. */
import { checkpoint } from "./checkpoint";
import { dataSnapshot } from "./data-snapshot";
import { dataVm } from "./data-vm";
import { dataVms } from "./data-vms";
import { kindRegistry, type KindRegistry } from "./kind";
import { snapshot } from "./snapshot";
import { snapshotExport } from "./snapshot-export";
import { snapshotSchedule } from "./schedule";
import { template } from "./template";
import { vmRevert } from "./vm-revert";
import { xvaImport } from "./xva-import";

export function builtinKinds(): KindRegistry {
  return kindRegistry({ managed: [snapshot, checkpoint, vmRevert, template, snapshotSchedule, snapshotExport, xvaImport], data: [dataVm, dataVms, dataSnapshot] });
}

export type { KindRegistry, ResourceKind, DataSourceKind, Live, DiffArgs, DiffResult, ApplyContext } from "./kind";
