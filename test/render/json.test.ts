import { renderPlanJson } from "../../src/render/json";
import { createWeb, plan, removeOld, retakeApp } from "./plans";

describe("renderPlanJson", () => {
  it("is shaped like terraform show -json: actions, before/after without unknowns, after_unknown", () => {
    const doc = JSON.parse(renderPlanJson(plan([createWeb, removeOld, retakeApp])));
    expect(doc).toMatchObject({
      format_version: "1.0", tool: { name: "xsnap", version: "0.1.0" }, stack: "quickstart",
      applyable: true, complete: true, errored: false,
      summary: { add: 2, change: 0, destroy: 2, revert: 0, destructive: ["xapi_snapshot.old", "xapi_checkpoint.app"] },
    });
    expect(doc.resource_changes).toEqual([
      {
        address: "xapi_snapshot.web", mode: "managed", type: "xapi_snapshot", name: "web", provider_name: "default",
        change: {
          actions: ["create"], destructive: false, before: null,
          after: { vm: "web-01", name_label: "web-01 before upgrade", on_destroy: "uninstall" },
          after_unknown: { uuid: true, snapshot_time: true }, before_sensitive: {}, after_sensitive: {}, replace_paths: [],
        },
        action_reason: null, notes: ["captures web-01's state at apply time"], depends_on: [],
      },
      expect.objectContaining({ address: "xapi_snapshot.old", action_reason: "delete_because_no_resource_config",
        change: expect.objectContaining({ actions: ["delete"], destructive: true, after: null }) }),
      expect.objectContaining({ address: "xapi_checkpoint.app", action_reason: "retake_token_changed",
        change: expect.objectContaining({ actions: ["create", "delete"], after_unknown: { uuid: true } }) }),
    ]);
  });

  it("says an empty plan is not applyable", () => {
    expect(JSON.parse(renderPlanJson(plan([])))).toMatchObject({ applyable: false, resource_changes: [], diagnostics: [] });
  });
});
