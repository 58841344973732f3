// Pre-upgrade safety net: a checkpoint (disks + memory) of db-01 before an upgrade, and the revert
// that rolls back to it. The revert is an action: it runs on the apply after `revertToken` gets a
// value it has not had before, once, and never again until the token changes.
// A first token is new too: applied as it stands, this example takes the checkpoint and at once
// reverts db-01 to it, to show both ends. On a real pool, add the VmRevert only once the upgrade went
// wrong (or keep it and apply the checkpoint alone first with `xsnap apply --target xapi_checkpoint.db_before_upgrade`).
import { App, Checkpoint, Construct, TerraformStack, VmRevert, XapiProvider } from "xsnap";

/** Change this (e.g. to "rollback-2") to revert db-01 to the checkpoint again. */
const ROLLBACK_TOKEN = "rollback-1";

export class PreUpgradeStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new XapiProvider(this, "xapi", {});
    const beforeUpgrade = new Checkpoint(this, "db_before_upgrade", {
      vm: "db-01",
      nameLabel: "db-01 before upgrade",
      protect: true, // a plan that would delete the rollback point is refused
    });
    new VmRevert(this, "db_rollback", {
      vm: "db-01",
      snapshot: beforeUpgrade.uuid,
      revertToken: ROLLBACK_TOKEN,
      safetySnapshot: true,     // keep the state being thrown away, just in case
      restorePowerState: true,  // the checkpoint was taken Running: resume the VM after the revert
    });
  }
}

if (require.main === module) {
  const app = new App();
  new PreUpgradeStack(app, "pre-upgrade");
  app.synth();
}
