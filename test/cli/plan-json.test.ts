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
