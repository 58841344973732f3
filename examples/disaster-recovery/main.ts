// Disaster recovery: every night, snapshot a VM on the primary pool, export the snapshot as an XVA
// file, and import that file into the disaster-recovery pool (it arrives there as a template, ready
// to become a VM). One stack, two pools: the import waits for the export that writes its file.
//
// The app reads its environment when it is synthesized, so the same committed stack points at
// simulators in CI and at the real pools in production, with no edit:
//   XAPI_PRIMARY_URL / XAPI_DR_URL   the pools (defaults: the production hosts below)
//   XAPI_DR_TLS_FINGERPRINT          pins the DR pool's self-signed certificate (production)
//   XAPI_PASSWORD / XAPI_DR_PASSWORD the passwords (read by xsnap, never written into the config)
//   DR_VM, DR_SR                     what to protect and where it lands (defaults: web-01, Local storage)
//   XSNAP_EXPORT_DIR                 where the XVA files go (default: ./exports, which must exist)
//   DR_RUN                           the night's token: a new value takes a new snapshot (default: today's date)
import { App, Construct, Snapshot, SnapshotExport, TerraformStack, XapiProvider, XvaImport } from "xsnap";

const env = process.env;

export class DisasterRecoveryStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const vm = env.DR_VM ?? "web-01";
    const night = env.DR_RUN ?? new Date().toISOString().slice(0, 10);
    const primary = new XapiProvider(this, "primary", {
      alias: "primary",
      url: env.XAPI_PRIMARY_URL ?? "https://xcp-primary.example.com",
      username: env.XAPI_USERNAME ?? "root",
      // password from XAPI_PASSWORD
    });
    const dr = new XapiProvider(this, "dr", {
      alias: "dr",
      url: env.XAPI_DR_URL ?? "https://xcp-dr.example.com",
      username: env.XAPI_USERNAME ?? "root",
      passwordEnv: "XAPI_DR_PASSWORD",
      ...(env.XAPI_DR_TLS_FINGERPRINT ? { tlsFingerprint: env.XAPI_DR_TLS_FINGERPRINT } : {}),
    });
    const nightly = new Snapshot(this, "nightly", {
      provider: primary,
      vm,
      nameLabel: `${vm} nightly`,
      retakeToken: night, // a new night: a new snapshot replaces the old one (and the export, and the DR copy)
    });
    const xva = new SnapshotExport(this, "nightly_xva", {
      provider: primary,
      source: nightly.uuid,
      path: `${env.XSNAP_EXPORT_DIR ?? "exports"}/${vm}-nightly.xva`,
      compress: true,
    });
    new XvaImport(this, "nightly_on_dr", {
      provider: dr,
      path: xva.path, // known at plan time; the reference orders the import after the export
      sha256: xva.sha256, // checked before anything is uploaded
      sr: env.DR_SR ?? "Local storage",
      nameLabel: `${vm} (DR copy)`,
    });
  }
}

if (require.main === module) {
  const app = new App();
  new DisasterRecoveryStack(app, "disaster-recovery");
  app.synth();
}
