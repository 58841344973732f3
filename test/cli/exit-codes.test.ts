import { applyExitCode } from "../../src/cli/applying";
import { planExitCode } from "../../src/cli/plan-output";
import { approvalText } from "../../src/cli/prompt";
import { asAddress, error, warning } from "../../src/model";
import { change, createWeb, plan } from "../render/plans";

const web = asAddress("xapi_snapshot.web");
const db = asAddress("xapi_snapshot.db");

describe("planExitCode", () => {
  const ambiguous = { id: "op1", address: web, type: "xapi_snapshot", op: "create" as const, started: "t", status: "ambiguous" as const, detail: "" };
  it.each([
    ["no changes is 0, detailed or not", [plan([])], true, 0],
    ["changes are 0 without --detailed-exitcode", [plan([createWeb])], false, 0],
    ["changes are 2 with --detailed-exitcode", [plan([createWeb])], true, 2],
    ["a no-op change is no change", [plan([change({ action: "no-op" })])], true, 0],
    ["warnings do not fail a plan", [plan([], { diagnostics: [warning("w", web)] })], true, 0],
    ["an error is 1 even with changes", [plan([createWeb], { diagnostics: [error("e", web)] })], true, 1],
    ["an ambiguous intent is 6", [plan([], { intents: [ambiguous] })], true, 6],
    ["an intent to settle counts as a change", [plan([], { intents: [{ ...ambiguous, status: "discard" as const }] })], true, 2],
    ["any pool with changes makes it 2", [plan([]), plan([createWeb])], true, 2],
  ])("%s", (_why, plans, detailed, code) => {
    expect(planExitCode(plans, detailed)).toBe(code);
  });
});

describe("applyExitCode", () => {
  const applied = [{ address: web, action: "create" as const }];
  const failed = [{ address: db, message: "SR_FULL" }];
  const skipped = [{ address: db, because: "an earlier change failed" }];
  it.each([
    ["everything applied is 0", { applied, failed: [], skipped: [] }, false, 0],
    ["something applied and something failed is 5", { applied, failed, skipped: [] }, false, 5],
    ["something applied and the rest skipped after Ctrl-C is 5", { applied, failed: [], skipped }, true, 5],
    ["interrupted before anything applied is 7", { applied: [], failed: [], skipped }, true, 7],
    ["the only change failed is 1", { applied: [], failed, skipped: [] }, false, 1],
    ["all held back by an ambiguous intent is 6", { applied: [], failed: [], skipped }, false, 6],
  ])("%s", (_why, report, interrupted, code) => {
    expect(applyExitCode(report, interrupted)).toBe(code);
  });
});

describe("approvalText", () => {
  it("repeats destructive addresses right above Terraform's 'Only yes' line", () => {
    expect(approvalText({ pool: "demo-pool", destroy: false, destructive: ["xapi_snapshot.old"] })).toBe(`\
Do you want to perform these actions on pool "demo-pool"?
  xsnap will perform the actions described above.
  These changes cannot be undone:
    xapi_snapshot.old
  Only 'yes' will be accepted to approve.`);
  });
  it("asks the destroy question in destroy mode", () => {
    expect(approvalText({ pool: "demo-pool", destroy: true, destructive: [] })).toBe(`\
Do you really want to destroy all resources of this stack on pool "demo-pool"?
  There is no undo. Only 'yes' will be accepted to confirm.`);
  });
});
