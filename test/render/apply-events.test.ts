import { asAddress, type ApplyEvent } from "../../src/model";
import { renderApplyEvent, renderApplyEventJson, renderApplyReport, renderApplyReportJson } from "../../src/render/apply-events";

const web = asAddress("xapi_snapshot.web");
const old = asAddress("xapi_snapshot.old");
const db = asAddress("xapi_checkpoint.db");

describe("renderApplyEvent", () => {
  it.each<[string, ApplyEvent, string]>([
    ["a create starts", { type: "start", address: web, action: "create", task: "OpaqueRef:ab12" }, "xapi_snapshot.web: Creating... [task=OpaqueRef:ab12]"],
    ["a long create reports every 10s", { type: "progress", address: web, action: "create", elapsedSeconds: 10 }, "xapi_snapshot.web: Still creating... [10s elapsed]"],
    ["progress shows the task's fraction", { type: "progress", address: db, action: "create", elapsedSeconds: 20, fraction: 0.456 }, "xapi_checkpoint.db: Still creating... [20s elapsed, 46%]"],
    ["a transfer shows the bytes moved so far", { type: "progress", address: web, action: "create", elapsedSeconds: 30, bytes: 3 * 1024 ** 3 + 300 * 1024 ** 2 }, "xapi_snapshot.web: Still creating... [30s elapsed, 3.3 GiB]"],
    ["and its percentage when the total is known", { type: "progress", address: db, action: "create", elapsedSeconds: 30, fraction: 0.5, bytes: 1024 }, "xapi_checkpoint.db: Still creating... [30s elapsed, 50%, 1.0 KiB]"],
    ["a create completes with the uuid", { type: "complete", address: web, action: "create", elapsedSeconds: 3.2, uuid: "9b0e" }, "xapi_snapshot.web: Creation complete after 3s [uuid=9b0e]"],
    ["a destroy starts", { type: "start", address: old, action: "destroy" }, "xapi_snapshot.old: Destroying..."],
    ["a destroy completes", { type: "complete", address: old, action: "destroy", elapsedSeconds: 1 }, "xapi_snapshot.old: Destruction complete after 1s"],
    ["a rename completes", { type: "complete", address: web, action: "update", elapsedSeconds: 0 }, "xapi_snapshot.web: Modifications complete after 0s"],
    ["a revert starts", { type: "start", address: web, action: "revert" }, "xapi_snapshot.web: Reverting..."],
    ["a retry names the code", { type: "retry", address: web, attempt: 2, max: 3, code: "TOO_MANY_PENDING_TASKS", delaySeconds: 1.5 }, "xapi_snapshot.web: TOO_MANY_PENDING_TASKS, retrying in 1.5s (attempt 2 of 3)..."],
    ["an error names the action", { type: "errored", address: db, action: "create", message: "VM_BAD_POWER_STATE(Halted)" }, "xapi_checkpoint.db: Creation failed: VM_BAD_POWER_STATE(Halted)"],
    ["a skip says why", { type: "skipped", address: old, because: "an earlier change failed" }, "xapi_snapshot.old: Skipped (an earlier change failed)"],
  ])("%s", (_why, event, line) => {
    expect(renderApplyEvent(event)).toBe(line);
  });
});

describe("renderApplyReport", () => {
  it("ends a full apply with Terraform's line", () => {
    expect(renderApplyReport({ applied: [{ address: web, action: "create" }, { address: db, action: "replace" }], failed: [], skipped: [] }))
      .toBe("Apply complete! Resources: 2 added, 0 changed, 1 destroyed.\n");
  });
  it("ends a destroy with Destroy complete", () => {
    expect(renderApplyReport({ applied: [{ address: old, action: "destroy" }], failed: [], skipped: [] }, { destroy: true }))
      .toBe("Destroy complete! Resources: 1 destroyed.\n");
  });
  it("lists failed, skipped and applied addresses after a partial apply", () => {
    expect(renderApplyReport({
      applied: [{ address: web, action: "create" }],
      failed: [{ address: db, message: "SR_FULL" }],
      skipped: [{ address: old, because: "an earlier change failed" }],
    })).toBe(`\
Apply incomplete! Resources: 1 added, 0 changed, 0 destroyed; 1 failed, 1 skipped.

Failed:
  - xapi_checkpoint.db: SR_FULL

Skipped:
  - xapi_snapshot.old: an earlier change failed

Applied:
  - xapi_snapshot.web (create)

Run \`xsnap plan\` to see what remains; the next apply continues from here.
`);
  });
  it("names the plan command as the user would type it where they stand", () => {
    const report = { applied: [], failed: [{ address: db, message: "SR_FULL" }], skipped: [] };
    expect(renderApplyReport(report, { planCommand: "xsnap plan --config 'my app/cdktf.out'" }))
      .toContain("Run `xsnap plan --config 'my app/cdktf.out'` to see what remains;");
  });
});

describe("renderApplyEventJson", () => {
  it("writes one JSON object per event with Terraform's common keys", () => {
    const line = renderApplyEventJson({ type: "complete", address: web, action: "create", elapsedSeconds: 3, uuid: "9b0e" }, "2026-11-25T23:00:00.000Z");
    expect(JSON.parse(line)).toEqual({
      "@level": "info", "@message": "xapi_snapshot.web: Creation complete after 3s [uuid=9b0e]", "@module": "xsnap.ui",
      "@timestamp": "2026-11-25T23:00:00.000Z", type: "apply_complete",
      hook: { resource: "xapi_snapshot.web", action: "create", elapsedSeconds: 3, uuid: "9b0e" },
    });
  });
  it("closes with a change_summary", () => {
    const line = renderApplyReportJson({ applied: [{ address: web, action: "create" }], failed: [], skipped: [] }, "t");
    expect(JSON.parse(line)).toMatchObject({ type: "change_summary", "@message": "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
      changes: { add: 1, change: 0, remove: 0, operation: "apply" } });
  });
});
