import { buildInventory } from "../../src/engine/inventory";
import { renderInventoryText } from "../../src/render/inventory";
import { asRef, asUuid } from "../../src/xapi/types";
import type { VmssRecord } from "../../src/xapi/records";
import { poolView, snapshotOf, vm } from "./pool-view";

const hourlyRef = asRef("OpaqueRef:vmss1");
const web = vm("web-01", "11111111-aaaa-4000-8000-000000000001");
const batch = vm("batch-01", "22222222-aaaa-4000-8000-000000000002", { power_state: "Halted", snapshot_schedule: hourlyRef });
const hourly: VmssRecord = {
  ref: hourlyRef, uuid: asUuid("99999999-aaaa-4000-8000-000000000009"), name_label: "legacy-hourly", name_description: "",
  enabled: true, type: "snapshot", retained_snapshots: 7, frequency: "hourly", schedule: { min: "0" }, last_run_time: new Date(0), VMs: [batch.ref],
};
const manual = snapshotOf(web, "web-01 manual", "33333333-aaaa-4000-8000-000000000003");
const managed = snapshotOf(web, "web-01 before upgrade", "44444444-aaaa-4000-8000-000000000004", {
  snapshot_time: new Date("2026-11-25T11:00:00Z"),
  other_config: { "xsnap.stack": "quickstart", "xsnap.address": "xapi_snapshot.web", "xsnap.self": "44444444-aaaa-4000-8000-000000000004" },
});
// A copy inherits its source's markers; without its own uuid in xsnap.self it is not managed.
const inheritedCopy = vm("golden", "55555555-aaaa-4000-8000-000000000005", { is_a_template: true,
  other_config: { "xsnap.stack": "quickstart", "xsnap.address": "xapi_snapshot.web", "xsnap.self": "44444444-aaaa-4000-8000-000000000004" } });
const scheduled = snapshotOf(batch, "batch-01-20261125", "66666666-aaaa-4000-8000-000000000006", { is_vmss_snapshot: true });
const view = poolView([web, batch, manual, managed, inheritedCopy, scheduled], [hourly]);

describe("renderInventoryText", () => {
  it("shows a tree per VM with managed, unmanaged and schedule-owned objects, then templates and schedules", () => {
    expect(renderInventoryText(buildInventory(view))).toBe(`\
Pool "demo-pool" (3f1c2e7a)

batch-01 (22222222) Halted  in schedule "legacy-hourly"
└── snapshot "batch-01-20261125" (66666666) 2026-11-25 10:00Z  schedule "legacy-hourly" (keeps 7)
web-01 (11111111) Running
├── snapshot "web-01 manual" (33333333) 2026-11-25 10:00Z  unmanaged
└── snapshot "web-01 before upgrade" (44444444) 2026-11-25 11:00Z  managed: quickstart xapi_snapshot.web

Templates
  template "golden" (55555555)  unmanaged

Schedules
  "legacy-hourly" (99999999) snapshot hourly at :00, keeps 7: batch-01  unmanaged
    └── batch-01: "batch-01-20261125" (66666666) 2026-11-25 10:00Z

4 objects: 1 managed, 2 unmanaged, 1 owned by schedules.
`);
  });

  it("narrows to one VM by name or uuid", () => {
    const text = renderInventoryText(buildInventory(view, { vm: "11111111-aaaa-4000-8000-000000000001" }));
    expect(text).toContain("web-01 (11111111) Running");
    expect(text).not.toContain("batch-01");
    expect(text).not.toContain("Templates");
  });

  it("reports a schedule registered by a stack as managed", () => {
    const registered = poolView([batch], [hourly], { "xsnap.vmss/ops/xapi_snapshot_schedule.hourly": JSON.stringify({ uuid: hourly.uuid }) });
    expect(buildInventory(registered).schedules[0]?.owner).toEqual({ kind: "managed", stack: "ops", address: "xapi_snapshot_schedule.hourly" });
  });
});
