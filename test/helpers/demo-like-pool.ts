/** A hand-built pool shaped like the simulator's `demo` fixture (DESIGN §7), for pure unit tests. */
import { GiB, PoolBuilder } from "./pool-view";

export function demoLikePool(): { b: PoolBuilder; vms: ReturnType<typeof makeVms> } {
  const b = new PoolBuilder();
  const local = b.sr({ name_label: "Local storage", type: "lvm", physical_size: 500 * GiB, physical_utilisation: 100 * GiB });
  const nfs = b.sr({ name_label: "NFS store", type: "nfs", physical_size: 2048 * GiB, physical_utilisation: 200 * GiB });
  const almostFull = b.sr({ name_label: "Almost full", type: "ext", physical_size: 100 * GiB, physical_utilisation: 99 * GiB });
  b.pool.default_SR = local.ref;
  b.pool.suspend_image_SR = nfs.ref;
  b.vm({ name_label: "Control domain on host: xcp-host-1", is_control_domain: true });
  b.vm({ name_label: "web-template", is_a_template: true, power_state: "Halted" });
  return { b, vms: makeVms(b, { local, nfs, almostFull }) };
}

function makeVms(b: PoolBuilder, sr: { local: ReturnType<PoolBuilder["sr"]>; nfs: ReturnType<PoolBuilder["sr"]>; almostFull: ReturnType<PoolBuilder["sr"]> }) {
  const web = b.vm({ name_label: "web-01", memory: 2 * GiB, disks: [{ name_label: "web-01 root", sr: sr.nfs }] });
  const db = b.vm({ name_label: "db-01", memory: 8 * GiB, disks: [{ name_label: "db-01 root", sr: sr.local }, { name_label: "db-01 data", sr: sr.local }] });
  const win = b.vm({ name_label: "win-app-01", platform: { viridian: "true" },
    disks: [{ name_label: "C", sr: sr.nfs }, { name_label: "D", sr: sr.nfs }, { name_label: "E", sr: sr.nfs }] });
  const batch = b.vm({ name_label: "batch-01", power_state: "Halted", disks: [{ name_label: "batch root", sr: sr.nfs }] });
  const raw = b.vm({ name_label: "legacy-raw", power_state: "Halted",
    disks: [{ name_label: "raw disk", sr: sr.local, sm_config: { type: "raw", vdi_type: "aio" } }, { name_label: "legacy root", sr: sr.nfs }] });
  const paused = b.vm({ name_label: "paused-01", power_state: "Paused", disks: [{ name_label: "paused root", sr: sr.nfs }] });
  const bigmem = b.vm({ name_label: "bigmem-01", memory: 64 * GiB, suspend_SR: sr.almostFull.ref, disks: [{ name_label: "bigmem root", sr: sr.nfs }] });
  const app1 = b.vm({ name_label: "app", disks: [{ name_label: "app root", sr: sr.nfs }] });
  const app2 = b.vm({ name_label: "app", disks: [{ name_label: "app root", sr: sr.nfs }] });
  const manual = b.snapshot(web, { name_label: "web-01 manual" });
  return { web, db, win, batch, raw, paused, bigmem, app1, app2, manual };
}
