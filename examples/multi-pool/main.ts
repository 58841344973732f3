// Two pools in one stack: snapshot web-01 on the primary pool, export it, and import the XVA into
// the disaster-recovery pool. Each provider alias is one pool: planned concurrently, locked apart.
// The app reads XAPI_PRIMARY_URL / XAPI_DR_URL / XSNAP_EXPORT_DIR when it is synthesized, so the same
// stack runs against simulators in CI and the real pools in production without an edit.
import { App, Construct, Snapshot, SnapshotExport, TerraformStack, XapiProvider, XvaImport } from "xsnap";

export class MultiPoolStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const primary = new XapiProvider(this, "primary", {
      alias: "primary",
      url: process.env.XAPI_PRIMARY_URL ?? "https://xcp-primary.example.com",
      username: "root",
      // password from XAPI_PASSWORD
    });
    const dr = new XapiProvider(this, "dr", {
      alias: "dr",
      url: process.env.XAPI_DR_URL ?? "https://xcp-dr.example.com",
      username: "root",
      passwordEnv: "XAPI_DR_PASSWORD",
      // Pins the DR pool's self-signed certificate; a simulator in CI (XAPI_DR_URL=http://…) needs none.
      ...(process.env.XAPI_DR_URL ? {} : { tlsFingerprint: "3F:A1:0C:55:9B:2E:71:D4:08:6A:C3:EE:41:90:5B:7D:12:F8:66:0A:B9:24:CD:83:57:E0:1B:9C:4F:72:A6:D5" }),
    });
    const snapshot = new Snapshot(this, "web_copy", {
      provider: primary,
      vm: "web-01",
      nameLabel: "web-01 for DR",
    });
    const xva = new SnapshotExport(this, "web_copy_xva", {
      provider: primary,
      source: snapshot.uuid,
      path: `${process.env.XSNAP_EXPORT_DIR ?? "exports"}/web-01-dr.xva`,
    });
    new XvaImport(this, "web_copy_on_dr", {
      provider: dr,
      path: xva.path,
      sha256: xva.sha256, // verified before upload
      sr: "Local storage",
      nameLabel: "web-01 (from primary)",
    });
  }
}

if (require.main === module) {
  const app = new App();
  new MultiPoolStack(app, "multi-pool");
  app.synth();
}
