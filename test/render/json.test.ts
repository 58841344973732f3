import { renderPlanJson, stackDocument } from "../../src/render/json";
import { UNKNOWN } from "../../src/model";
import { change, createWeb, plan, removeOld, retakeApp, revertWeb } from "./plans";

const FQPN = "registry.terraform.io/xsnap/xapi";

describe("renderPlanJson", () => {
  it("is shaped like terraform show -json: actions, before/after without unknowns, after_unknown", () => {
    const doc = JSON.parse(renderPlanJson(plan([createWeb, removeOld, retakeApp])));
    expect(doc).toMatchObject({
      format_version: "1.1", terraform_version: "0.1.0", tool: { name: "xsnap", version: "0.1.0" }, stack: "quickstart",
      applyable: true, complete: true, errored: false,
      summary: { add: 2, change: 0, destroy: 2, revert: 0, destructive: ["xapi_snapshot.old", "xapi_checkpoint.app"] },
    });
    expect(doc.resource_changes).toEqual([
      {
        address: "xapi_snapshot.web", mode: "managed", type: "xapi_snapshot", name: "web", provider_name: FQPN,
        change: {
          actions: ["create"], before: null,
          after: { vm: "web-01", name_label: "web-01 before upgrade", on_destroy: "uninstall" },
          after_unknown: { uuid: true, snapshot_time: true }, before_sensitive: {}, after_sensitive: {}, destructive: false,
        },
        xsnap_action: "create", notes: ["captures web-01's state at apply time"], depends_on: [],
      },
      expect.objectContaining({ address: "xapi_snapshot.old", action_reason: "delete_because_no_resource_config", xsnap_action: "destroy",
        change: expect.objectContaining({ actions: ["delete"], destructive: true, after: null }) }),
      expect.objectContaining({ address: "xapi_checkpoint.app", action_reason: "retake_token_changed", xsnap_action: "replace",
        change: expect.objectContaining({ actions: ["create", "delete"], after_unknown: { uuid: true }, replace_paths: [] }) }),
    ]);
  });

  it("fills planned_values, prior_state and configuration from the changes", () => {
    const doc = JSON.parse(renderPlanJson(plan([createWeb, removeOld])));
    expect(doc.planned_values).toEqual({ root_module: { resources: [{
      address: "xapi_snapshot.web", mode: "managed", type: "xapi_snapshot", name: "web", provider_name: FQPN, schema_version: 0,
      values: { vm: "web-01", name_label: "web-01 before upgrade", on_destroy: "uninstall" }, sensitive_values: {},
    }] } });
    expect(doc.prior_state.values.root_module.resources.map((r: { address: string }) => r.address)).toEqual(["xapi_snapshot.old"]);
    expect(doc.prior_state).toMatchObject({ format_version: "1.1", terraform_version: "0.1.0" });
    expect(doc.configuration).toEqual({
      provider_config: { xapi: { name: "xapi", full_name: FQPN } },
      root_module: { resources: [{
        address: "xapi_snapshot.web", mode: "managed", type: "xapi_snapshot", name: "web", provider_config_key: "xapi", schema_version: 0,
        expressions: { vm: { constant_value: "web-01" }, name_label: { constant_value: "web-01 before upgrade" }, on_destroy: { constant_value: "uninstall" } },
      }] },
    });
  });

  it("writes a revert as Terraform's update, with xsnap's action beside it", () => {
    const [entry] = JSON.parse(renderPlanJson(plan([revertWeb]))).resource_changes;
    expect(entry).toMatchObject({ change: { actions: ["update"], destructive: true }, xsnap_action: "revert", action_reason: "revert_token_changed" });
  });

  it("lists the attributes that force a replace in replace_paths, and none for a replace by request alone", () => {
    const template = change({
      action: "replace", type: "xapi_template", name: "golden", reason: "replace_because_cannot_update", replacePaths: ["source"],
      before: { source: "5a0e0000-1111-4222-8333-444455556666", name_label: "golden", uuid: "7e00aaaa-1111-4222-8333-444455556666" },
      after: { source: UNKNOWN, name_label: "golden", uuid: UNKNOWN },
    });
    const requested = change({ ...retakeApp, reason: "replace_by_request", replacePaths: [] });
    const both = change({ ...retakeApp, name: "both", replacePaths: ["vm", "retake_token"] });
    const [t, r, b] = JSON.parse(renderPlanJson(plan([template, requested, both]))).resource_changes;
    expect(t).toMatchObject({ action_reason: "replace_because_cannot_update", change: { actions: ["create", "delete"], replace_paths: [["source"]], after_unknown: { source: true, uuid: true } } });
    expect(r).toMatchObject({ action_reason: "replace_by_request", change: { replace_paths: [] } });
    expect(b).toMatchObject({ action_reason: "retake_token_changed", change: { replace_paths: [["vm"], ["retake_token"]] } });
    // Only a replace has the key.
    expect(JSON.parse(renderPlanJson(plan([createWeb, removeOld]))).resource_changes.map((c: { change: object }) => "replace_paths" in c.change)).toEqual([false, false]);
  });

  it("says an empty plan is not applyable, and leaves optional keys out instead of null", () => {
    const doc = JSON.parse(renderPlanJson(plan([createWeb])));
    expect(doc.resource_changes[0]).not.toHaveProperty("action_reason");
    expect(JSON.parse(renderPlanJson(plan([])))).toMatchObject({ applyable: false, resource_changes: [], diagnostics: [] });
  });

  it("makes one document of a stack's pools, keyed by provider alias", () => {
    const dr = change({ action: "create", name: "copy", provider: "dr", after: { vm: "web-01", name_label: "copy" } });
    const doc = stackDocument([plan([createWeb]), plan([dr], { provider: "dr" })]) as Record<string, unknown> & { pools: unknown[] };
    expect((doc.resource_changes as { address: string; provider_alias?: string }[]).map((c) => [c.address, c.provider_alias])).toEqual([
      ["xapi_snapshot.web", undefined], ["xapi_snapshot.copy", "dr"],
    ]);
    expect(doc.configuration).toMatchObject({ provider_config: { xapi: { name: "xapi" }, "xapi.dr": { name: "xapi", alias: "dr", full_name: FQPN } } });
    expect(doc.summary).toEqual({ add: 2, change: 0, destroy: 0, revert: 0, destructive: [] });
    expect(doc.pools).toHaveLength(2);
  });
});
