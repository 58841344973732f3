// Snapshot schedules (VMSS) run by the pool itself: every VM tagged "nightly" is snapshotted at 02:30
// (pool time) and keeps 7 snapshots; db-01 also gets a weekly checkpoint on Saturday and Wednesday.
import { App, Construct, DataXapiVms, SnapshotSchedule, TerraformStack, XapiProvider } from "xsnap";

export class SchedulesStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new XapiProvider(this, "xapi", {});
    const nightlyVms = new DataXapiVms(this, "nightly_vms", { tags: ["nightly"] });
    new SnapshotSchedule(this, "nightly", {
      nameLabel: "nightly",
      type: "snapshot",
      frequency: "daily",
      schedule: { hour: 2, min: 30 },
      retainedSnapshots: 7,
      vms: nightlyVms.uuids, // a VM belongs to one schedule at most: keep db-01 untagged
    });
    new SnapshotSchedule(this, "db_weekly", {
      nameLabel: "db weekly checkpoint",
      type: "checkpoint",
      frequency: "weekly",
      schedule: { hour: 4, min: 0, days: ["Wednesday", "Saturday"] },
      retainedSnapshots: 4,
      vms: ["db-01"],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new SchedulesStack(app, "schedules");
  app.synth();
}
