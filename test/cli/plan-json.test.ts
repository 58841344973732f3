// DESIGN §4: `plan --format json` and `show PLANFILE --format json` are `terraform show -json`
// documents that existing consumers accept. The consumer here is @ahmadnassri/terraform-unidiff
// (npm), which validates the document ("invalid Terraform Plan JSON data" otherwise) and counts
// Terraform's actions into its own summary: that summary must be xsnap's summary line.
import { join } from "node:path";
import { startSim, stackDir, writeStack, xsnap, type Resources, type Sim } from "./harness";

interface Unidiff { (plan: unknown): { summary: { create: number; update: number; delete: number }; patches: string[] } }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const unidiff = require("@ahmadnassri/terraform-unidiff") as Unidiff;

/** The consumer's summary, in its own words (its CLI prints this line without the final period). */
const consumerLine = (doc: unknown): string => {
  const { summary } = unidiff(doc);
  return `Plan: ${summary.create} to add, ${summary.update} to change, ${summary.delete} to destroy.`;
};
const xsnapLine = (text: string): string => /^Plan: .*$/m.exec(text)?.[0] ?? "(no summary line)";

interface PlanJson {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly resource_changes: readonly { readonly address: string; readonly provider_name: string; readonly change: { readonly actions: readonly string[] }; readonly xsnap_action: string }[];
  readonly [key: string]: unknown;
}

describe("plan JSON read by a terraform show -json consumer", () => {
  let sim: Sim;
  let dir: string;
  let config = "";
  const write = (resources: Resources): void => { config = writeStack(dir, { url: sim.url, stack: "json", resources }); };
  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("json");
    write({
      xapi_snapshot: { web: { vm: "web-01", name_label: "web-01 nightly" }, old: { vm: "web-01", name_label: "old" } },
      xapi_checkpoint: { db: { vm: "db-01", name_label: "db-01 checkpoint", retake_token: "1" } },
    });
    const applied = await xsnap(["apply", "--config", config, "--auto-approve"]);
    if (applied.code !== 0) throw new Error(applied.stdout + applied.stderr);
    // Now one of each: a rename (update), a retake (replace), a removal (destroy), a new snapshot (create).
    write({
      xapi_snapshot: { web: { vm: "web-01", name_label: "web-01 renamed" }, fresh: { vm: "batch-01", name_label: "batch-01 new" } },
      xapi_checkpoint: { db: { vm: "db-01", name_label: "db-01 checkpoint", retake_token: "2" } },
    });
  });
  afterAll(async () => { await sim.stop(); });

  it("plan --format json is accepted and summarised exactly as xsnap's summary line", async () => {
    const text = await xsnap(["plan", "--config", config]);
    expect(xsnapLine(text.stdout)).toBe("Plan: 2 to add, 1 to change, 2 to destroy.");
    const json = await xsnap(["plan", "--config", config, "--format", "json"]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as PlanJson;
    expect(consumerLine(doc)).toBe(xsnapLine(text.stdout));
    expect(unidiff(doc).patches.length).toBe(4);
  });

  it("show PLANFILE --format json is accepted and summarised the same", async () => {
    const planFile = join(dir, "plan.xsnap");
    const saved = await xsnap(["plan", "--config", config, "--out", planFile]);
    const shown = await xsnap(["show", planFile, "--format", "json"]);
    expect(shown.code).toBe(0);
    expect(consumerLine(JSON.parse(shown.stdout))).toBe(xsnapLine(saved.stdout));
  });

  it("carries Terraform's keys, the full provider address and Terraform's actions, with no null optional key", async () => {
    const doc = JSON.parse((await xsnap(["plan", "--config", config, "--format", "json"])).stdout) as PlanJson;
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(["format_version", "terraform_version", "planned_values", "prior_state", "configuration", "resource_changes", "resource_drift"]));
    expect(doc.terraform_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(doc.resource_changes.map((c) => [c.address, c.provider_name, c.change.actions, c.xsnap_action]).sort()).toEqual([
      ["xapi_checkpoint.db", "registry.terraform.io/xsnap/xapi", ["create", "delete"], "replace"],
      ["xapi_snapshot.fresh", "registry.terraform.io/xsnap/xapi", ["create"], "create"],
      ["xapi_snapshot.old", "registry.terraform.io/xsnap/xapi", ["delete"], "destroy"],
      ["xapi_snapshot.web", "registry.terraform.io/xsnap/xapi", ["update"], "update"],
    ]);
    const nulls: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (v === null && !/\.change\.(before|after)$/.test(at)) nulls.push(at);
      if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    walk(doc, "$");
    expect(nulls).toEqual([]);
  });
});

// Terraform's `change.replace_paths`: the attributes that force a replace. `--replace ADDR` alone
// names none (action_reason replace_by_request); what it makes unknown downstream (a template's and an
// export's `source`) does (replace_because_cannot_update), as does a changed immutable attribute.
describe("replace_paths in plan --format json, on the simulator", () => {
  interface Entry { readonly address: string; readonly action_reason?: string; readonly xsnap_action: string; readonly change: { readonly replace_paths?: readonly (readonly string[])[] } }
  let sim: Sim;
  let dir: string;
  let config = "";
  const stack = (snapshot: Record<string, unknown>, compress: boolean): Resources => ({
    xapi_snapshot: { web_golden: { vm: "web-01", name_label: "web-01 golden", ...snapshot } },
    xapi_template: { web_template: { source: "${xapi_snapshot.web_golden.uuid}", name_label: "web golden template" } },
    xapi_snapshot_export: { web_xva: { source: "${xapi_snapshot.web_golden.uuid}", path: join(dir, "web-golden.xva"), compress } },
  });
  const write = (resources: Resources): void => { config = writeStack(dir, { url: sim.url, stack: "replace-paths", resources }); };
  const planJson = async (extra: readonly string[] = []): Promise<Map<string, Entry>> => {
    const run = await xsnap(["plan", "--config", config, "--format", "json", ...extra]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { resource_changes: Entry[] };
    return new Map(doc.resource_changes.map((c) => [c.address, c]));
  };
  const shape = (c: Entry | undefined): unknown => c && ({ xsnap_action: c.xsnap_action, action_reason: c.action_reason, replace_paths: c.change.replace_paths });

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("replace-paths");
    write(stack({}, false));
    const applied = await xsnap(["apply", "--config", config, "--auto-approve"]);
    if (applied.code !== 0) throw new Error(applied.stdout + applied.stderr);
  });
  afterAll(async () => { await sim.stop(); });

  it("--replace of the snapshot: no path for it, [[\"source\"]] for the template and the export it replaces", async () => {
    const changes = await planJson(["--replace", "xapi_snapshot.web_golden"]);
    expect(shape(changes.get("xapi_snapshot.web_golden"))).toEqual({ xsnap_action: "replace", action_reason: "replace_by_request", replace_paths: [] });
    expect(shape(changes.get("xapi_template.web_template"))).toEqual({ xsnap_action: "replace", action_reason: "replace_because_cannot_update", replace_paths: [["source"]] });
    expect(shape(changes.get("xapi_snapshot_export.web_xva"))).toEqual({ xsnap_action: "replace", action_reason: "replace_because_cannot_update", replace_paths: [["source"]] });
    // A saved plan keeps them.
    const planFile = join(dir, "replace.xsnap");
    expect((await xsnap(["plan", "--config", config, "--replace", "xapi_snapshot.web_golden", "--out", planFile])).code).toBe(0);
    const shown = JSON.parse((await xsnap(["show", planFile, "--format", "json"])).stdout) as { resource_changes: Entry[] };
    expect(shown.resource_changes.map((c) => [c.address, c.change.replace_paths]).sort()).toEqual([
      ["xapi_snapshot.web_golden", []], ["xapi_snapshot_export.web_xva", [["source"]]], ["xapi_template.web_template", [["source"]]],
    ]);
  });

  it("a changed immutable attribute is named: vm with a new retake_token, an export's compress", async () => {
    write(stack({ vm: "batch-01", retake_token: "2" }, true));
    const changes = await planJson();
    expect(shape(changes.get("xapi_snapshot.web_golden"))).toEqual({ xsnap_action: "replace", action_reason: "retake_token_changed", replace_paths: [["vm"], ["retake_token"]] });
    expect(shape(changes.get("xapi_snapshot_export.web_xva"))).toEqual({ xsnap_action: "replace", action_reason: "replace_because_cannot_update", replace_paths: [["source"], ["compress"]] });
    const text = await xsnap(["plan", "--config", config]);
    expect(text.stdout).toMatch(/^ {6}[~+] vm +=.*# forces replacement$/m);
    expect(text.stdout).toMatch(/^ {6}~ compress +=.*# forces replacement$/m);
  });
});
