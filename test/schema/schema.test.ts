// The schema is the contract of DESIGN §3: names, defaults, ranges and metadata the engine reads.
import {
  computedOnlyAttributes, defaults, immutableAttributes, providerSchemaDocument, resourceSchema, typeNames,
  PROVIDER_FQPN,
} from "../../src/schema";
import { renderDocs } from "../../src/schema/docs";
import { builtinKinds } from "../../src/resources";
import { readFileSync } from "fs";
import * as path from "path";

describe("provider schema", () => {
  it("declares every resource and data source of DESIGN §3", () => {
    expect(typeNames("managed")).toEqual([
      "xapi_snapshot", "xapi_checkpoint", "xapi_template", "xapi_snapshot_export",
      "xapi_snapshot_schedule", "xapi_vm_revert", "xapi_xva_import",
    ]);
    expect(typeNames("data")).toEqual(["xapi_snapshot", "xapi_vm", "xapi_vms"]);
  });

  it("is a providers-schema-json document under the xsnap/xapi FQPN", () => {
    const doc = providerSchemaDocument();
    const provider = doc.provider_schemas[PROVIDER_FQPN];
    expect(PROVIDER_FQPN).toBe("registry.terraform.io/xsnap/xapi");
    expect(Object.keys(provider.provider.block.attributes).sort()).toEqual(
      ["ca_file", "insecure", "password", "password_env", "tls_fingerprint", "url", "username"]);
    expect(provider.provider.block.attributes.password.sensitive).toBe(true);
    expect(provider.resource_schemas.xapi_snapshot_schedule.block.block_types.schedule).toMatchObject({ nesting_mode: "list", max_items: 1 });
    expect(provider.resource_schemas.xapi_snapshot.block.attributes.ignore_disks.type).toEqual(["list", "string"]);
  });

  it.each([
    ["snapshot: vm, quiesce and ignore_disks capture a point in time", "xapi_snapshot", ["vm", "retake_token", "quiesce", "ignore_disks"]],
    ["checkpoint: vm", "xapi_checkpoint", ["vm", "retake_token"]],
    ["template: source and sr", "xapi_template", ["source", "sr"]],
    ["schedule: every VMSS field has a setter", "xapi_snapshot_schedule", []],
  ])("marks immutable attributes (%s)", (_why, type, expected) => {
    const schema = resourceSchema(type);
    expect(schema && immutableAttributes(schema)).toEqual(expected);
  });

  it("marks the point-in-time kinds", () => {
    expect(resourceSchema("xapi_snapshot")?.pointInTime).toBe(true);
    expect(resourceSchema("xapi_checkpoint")?.pointInTime).toBe(true);
    expect(resourceSchema("xapi_template")?.pointInTime).toBeUndefined();
  });

  it("carries DESIGN's defaults", () => {
    const d = (type: string, mode: "managed" | "data" = "managed") => {
      const s = resourceSchema(type, mode);
      return s ? defaults(s) : undefined;
    };
    expect(d("xapi_snapshot")).toMatchObject({ on_destroy: "uninstall" });
    expect(d("xapi_snapshot_schedule")).toMatchObject({ retained_snapshots: 7, enabled: true });
    expect(d("xapi_snapshot", "data")).toEqual({ most_recent: true });
  });

  it("separates what only the pool knows", () => {
    const s = resourceSchema("xapi_checkpoint");
    expect(s && computedOnlyAttributes(s)).toEqual(["uuid", "vm_uuid", "snapshot_time", "disk_uuids", "power_state", "memory_bytes", "estimated_bytes"]);
    expect(resourceSchema("xapi_nope")).toBeUndefined();
    expect(resourceSchema("xapi_vms", "managed")).toBeUndefined();
  });

  it("declares every attribute a kind leaves to apply (the docs list them from here)", () => {
    for (const kind of builtinKinds().managed.values()) {
      const s = resourceSchema(kind.type);
      expect({ type: kind.type, missing: kind.computed.filter((a) => !(s ? computedOnlyAttributes(s) : []).includes(a)) }).toEqual({ type: kind.type, missing: [] });
    }
    const revert = resourceSchema("xapi_vm_revert");
    expect(revert && computedOnlyAttributes(revert)).toEqual(["vm_uuid", "reverted_at"]);
  });
});

describe("docs/resources", () => {
  it("has one committed page per type, as generated from the schema", () => {
    const dir = path.join(__dirname, "../../docs/resources");
    for (const [name, text] of renderDocs()) expect({ name, text: readFileSync(path.join(dir, name), "utf8") }).toEqual({ name, text });
  });

  it("never writes a heading or a list's introduction over an empty section", () => {
    for (const [name, text] of renderDocs()) {
      const lines = text.split("\n");
      let fenced = false;
      const empty: string[] = [];
      lines.forEach((line, i) => {
        if (line.startsWith("```")) fenced = !fenced;
        if (fenced || !(/^#+ /.test(line) || line.endsWith(":"))) return;
        const next = lines.slice(i + 1).find((l) => l.trim() !== "");
        const level = /^(#+) /.exec(line)?.[1]?.length ?? Infinity;
        const nextLevel = next === undefined ? 0 : /^(#+) /.exec(next)?.[1]?.length;
        if (nextLevel !== undefined && nextLevel <= level) empty.push(line);
      });
      expect({ name, empty }).toEqual({ name, empty: [] });
    }
  });

  it("documents ranges and defaults next to each attribute", () => {
    const page = renderDocs().get("xapi_snapshot_schedule.md") ?? "";
    expect(page).toContain("- `retained_snapshots` - (Optional, number) How many of its snapshots per VM the schedule keeps. (1–10; default `7`) Construct property: `retainedSnapshots`.");
  });
});
