// Golden image: snapshot web-01, turn the snapshot into a template on shared storage, and keep an
// XVA export of the snapshot as an off-pool backup of the same point in time.
import { App, Construct, Snapshot, SnapshotExport, Template, TerraformStack, XapiProvider } from "xsnap";

export class GoldenTemplateStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new XapiProvider(this, "xapi", {});
    const golden = new Snapshot(this, "web_golden", {
      vm: "web-01",
      nameLabel: "web-01 golden",
      retakeToken: "2026-11", // change it to capture web-01 again (the old snapshot is replaced)
    });
    new Template(this, "web_template", {
      source: golden.uuid,
      nameLabel: "web golden template",
      sr: "NFS store", // a full copy on shared storage; leave out for a fast clone
    });
    new SnapshotExport(this, "web_golden_xva", {
      source: golden.uuid,
      path: `${process.env.XSNAP_EXPORT_DIR ?? "exports"}/web-01-golden.xva`, // the folder must exist
      compress: true,
    });
  }
}

if (require.main === module) {
  const app = new App();
  new GoldenTemplateStack(app, "golden-template");
  app.synth();
}
