import { asAddress } from "../../src/model";
import { dataSnapshot } from "../../src/resources/data-snapshot";
import { dataVm } from "../../src/resources/data-vm";
import { dataVms } from "../../src/resources/data-vms";
import { markerValues } from "../../src/resources/markers";
import type { Uuid } from "../../src/xapi/types";
import { demoLikePool } from "../helpers/demo-like-pool";
import { GiB } from "../helpers/pool-view";

const address = asAddress("data.xapi_x.q");

describe("data.xapi_vm", () => {
  it("finds one VM by name and exposes what references need", () => {
    const { b, vms } = demoLikePool();
    const r = dataVm.read({ address, spec: { name_label: "db-01" }, view: b.build() });
    expect(r.attrs).toMatchObject({ uuid: vms.db.uuid, power_state: "Running", memory_bytes: 8 * GiB });
    expect((r.attrs?.disk_uuids as string[]).length).toBe(2);
  });

  it("finds one VM by uuid", () => {
    const { b, vms } = demoLikePool();
    expect(dataVm.read({ address, spec: { uuid: vms.batch.uuid }, view: b.build() }).attrs?.name_label).toBe("batch-01");
  });

  it("refuses an ambiguous name, listing the candidates", () => {
    const r = dataVm.read({ address, spec: { name_label: "app" }, view: demoLikePool().b.build() });
    expect(r.attrs).toBeUndefined();
    expect(r.diagnostics[0]?.summary).toContain("matches 2 VMs");
  });
});

describe("data.xapi_vms", () => {
  it.each([
    ["power_state filters", { power_state: "Halted" }, ["batch-01", "legacy-raw"]],
    ["name_regex filters", { name_regex: "^(web|db)-" }, ["db-01", "web-01"]],
    ["tags must all be present", { tags: ["prod", "nightly"] }, ["web-01"]],
  ])("%s", (_why, spec, names) => {
    const { b, vms } = demoLikePool();
    b.edit(vms.web, { tags: ["prod", "nightly"] });
    b.edit(vms.db, { tags: ["prod"] });
    const view = b.build();
    const uuids = dataVms.read({ address, spec, view }).attrs?.uuids as string[];
    expect(uuids.map((u) => view.vms.get(view.byUuid.get(u as Uuid)?.ref as never)?.name_label).sort()).toEqual(names);
  });

  it("never lists control domains, templates or snapshots", () => {
    const view = demoLikePool().b.build();
    const uuids = dataVms.read({ address, spec: {}, view }).attrs?.uuids as string[];
    expect(uuids).toHaveLength(9);
  });
});

describe("data.xapi_snapshot", () => {
  it("takes the most recent matching snapshot by default", () => {
    const { b, vms } = demoLikePool();
    b.snapshot(vms.web, { name_label: "nightly 1" });
    const newest = b.snapshot(vms.web, { name_label: "nightly 2" });
    const r = dataSnapshot.read({ address, spec: { vm: "web-01", name_regex: "^nightly", most_recent: true }, view: b.build() });
    expect(r.attrs).toMatchObject({ uuid: newest.uuid, name_label: "nightly 2", power_state: "Halted" });
  });

  it("refuses several matches without most_recent", () => {
    const { b, vms } = demoLikePool();
    b.snapshot(vms.web, { name_label: "nightly 1" });
    b.snapshot(vms.web, { name_label: "nightly 2" });
    expect(dataSnapshot.read({ address, spec: { vm: "web-01", name_regex: "^nightly", most_recent: false }, view: b.build() }).diagnostics[0]?.summary)
      .toContain("2 snapshots of VM \"web-01\" match");
  });

  it("filters managed snapshots by their own markers", () => {
    const { b, vms } = demoLikePool();
    const managed = b.snapshot(vms.web, { name_label: "managed" });
    b.edit(managed, { other_config: markerValues({ stack: "s", address: asAddress("xapi_snapshot.m"), spec: "{}", self: managed.uuid as Uuid }) });
    const view = b.build();
    expect(dataSnapshot.read({ address, spec: { vm: "web-01", managed: true }, view }).attrs?.uuid).toBe(managed.uuid);
    expect(dataSnapshot.read({ address, spec: { vm: "web-01", managed: false }, view }).attrs?.name_label).toBe("web-01 manual");
  });

  it("errors when nothing matches", () => {
    expect(dataSnapshot.read({ address, spec: { vm: "db-01" }, view: demoLikePool().b.build() }).diagnostics[0]?.summary).toContain("no snapshot of VM \"db-01\"");
  });
});
