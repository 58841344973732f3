// Quickstart: the stack `xsnap demo` plans and applies against the simulator's `demo` pool.
// A disk snapshot of web-01 and a checkpoint (disks + memory) of db-01, both kept until removed here.
import { App, Checkpoint, Construct, Snapshot, TerraformStack, XapiProvider } from "xsnap";

export class QuickstartStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // url and username come from XAPI_URL / XAPI_USERNAME, the password from XAPI_PASSWORD.
    new XapiProvider(this, "xapi", {});
    new Snapshot(this, "web_before_upgrade", {
      vm: "web-01",
      nameLabel: "web-01 before upgrade",
    });
    new Checkpoint(this, "db_before_upgrade", {
      vm: "db-01",
      nameLabel: "db-01 before upgrade",
      nameDescription: "disks and memory, taken by xsnap",
    });
  }
}

// Run as an app (`xsnap synth`/`plan`), not when a test imports the stack class.
if (require.main === module) {
  const app = new App();
  new QuickstartStack(app, "quickstart");
  app.synth();
}
