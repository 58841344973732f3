// Every example is a real cdktf app: it synthesizes, and what it synthesizes loads with no diagnostic.
import * as path from "path";
import { App, Testing, type TerraformStack } from "../../src/cdktf";
import { buildDesiredStack, loadStack, type DesiredStack } from "../../src/config";
import { DisasterRecoveryStack } from "../../examples/disaster-recovery/main";
import { GoldenTemplateStack } from "../../examples/golden-template/main";
import { MultiPoolStack } from "../../examples/multi-pool/main";
import { PreUpgradeStack } from "../../examples/pre-upgrade/main";
import { QuickstartStack } from "../../examples/quickstart/main";
import { SchedulesStack } from "../../examples/schedules/main";

type StackClass = new (scope: App, id: string) => TerraformStack;

function synthesize(Stack: StackClass, name: string): DesiredStack {
  const stack = new Stack(Testing.app(), name);
  const result = buildDesiredStack(JSON.parse(Testing.synth(stack)), name);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.address}: ${d.summary}`).join("\n"));
  expect(result.warnings).toEqual([]);
  return result.value;
}

const summary = (s: DesiredStack): string[] =>
  s.resources.map((r) => `${r.address} @${r.provider} <- [${r.dependsOn.join(", ")}]`);

describe("examples", () => {
  it("quickstart snapshots web-01 and checkpoints db-01 (the demo pool's VMs)", () => {
    const s = synthesize(QuickstartStack, "quickstart");
    expect(summary(s)).toEqual([
      "xapi_checkpoint.db_before_upgrade @default <- []",
      "xapi_snapshot.web_before_upgrade @default <- []",
    ]);
    expect(s.resources.map((r) => r.attrs.vm)).toEqual(["db-01", "web-01"]);
  });

  it("pre-upgrade reverts db-01 to its checkpoint once per token", () => {
    const s = synthesize(PreUpgradeStack, "pre-upgrade");
    expect(summary(s)).toEqual([
      "xapi_checkpoint.db_before_upgrade @default <- []",
      "xapi_vm_revert.db_rollback @default <- [xapi_checkpoint.db_before_upgrade]",
    ]);
    expect(s.resources[1].attrs).toMatchObject({
      snapshot: { ref: { address: "xapi_checkpoint.db_before_upgrade", attribute: "uuid" } },
      revert_token: "rollback-1",
      safety_snapshot: true,
    });
  });

  it("golden-template makes a template and an export from one snapshot", () => {
    expect(summary(synthesize(GoldenTemplateStack, "golden-template"))).toEqual([
      "xapi_snapshot.web_golden @default <- []",
      "xapi_snapshot_export.web_golden_xva @default <- [xapi_snapshot.web_golden]",
      "xapi_template.web_template @default <- [xapi_snapshot.web_golden]",
    ]);
  });

  it("schedules snapshot the VMs a data source finds by tag, and normalise the timetable", () => {
    const s = synthesize(SchedulesStack, "schedules");
    expect(summary(s)).toEqual([
      "data.xapi_vms.nightly_vms @default <- []",
      "xapi_snapshot_schedule.db_weekly @default <- []",
      "xapi_snapshot_schedule.nightly @default <- [data.xapi_vms.nightly_vms]",
    ]);
    const nightly = s.resources[2].attrs;
    expect(nightly.vms).toEqual({ ref: { address: "data.xapi_vms.nightly_vms", attribute: "uuids" } });
    expect(nightly.schedule).toEqual({ hour: 2, min: 30 });
    expect(s.resources[1].attrs.schedule).toEqual({ hour: 4, min: 0, days: ["Wednesday", "Saturday"] });
  });

  it("multi-pool sends each resource to its provider alias", () => {
    const s = synthesize(MultiPoolStack, "multi-pool");
    expect(Object.keys(s.providers).sort()).toEqual(["dr", "primary"]);
    expect(s.providers.dr).toMatchObject({ alias: "dr", password_env: "XAPI_DR_PASSWORD" });
    expect(summary(s)).toEqual([
      "xapi_snapshot.web_copy @primary <- []",
      "xapi_snapshot_export.web_copy_xva @primary <- [xapi_snapshot.web_copy]",
      "xapi_xva_import.web_copy_on_dr @dr <- [xapi_snapshot_export.web_copy_xva]",
    ]);
  });

  it("disaster-recovery orders snapshot → export on the primary pool → import on the DR pool", () => {
    expect(summary(synthesize(DisasterRecoveryStack, "disaster-recovery"))).toEqual([
      "xapi_snapshot.nightly @primary <- []",
      "xapi_snapshot_export.nightly_xva @primary <- [xapi_snapshot.nightly]",
      "xapi_xva_import.nightly_on_dr @dr <- [xapi_snapshot_export.nightly_xva]",
    ]);
  });

  // Runs the app the way `xsnap plan` and `cdktf synth` do: cdktf.json's `npx ts-node main.ts`.
  it("quickstart runs from its cdktf.json without a build of the example", async () => {
    const result = await loadStack({ cwd: path.join(__dirname, "../../examples/quickstart") });
    expect(result.ok && result.value.stack).toBe("quickstart");
    expect(result.ok && result.value.resources.map((r) => r.address)).toEqual([
      "xapi_checkpoint.db_before_upgrade",
      "xapi_snapshot.web_before_upgrade",
    ]);
  });
});
