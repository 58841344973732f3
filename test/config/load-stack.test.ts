// loadStack / buildDesiredStack: references, ordering, defaults, stack selection and naming.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { buildDesiredStack, loadStack, type DesiredStack } from "../../src/config";
import { formatDiagnostic } from "../../src/model";

const snap = (extra: Record<string, unknown> = {}) => ({ vm: "web-01", name_label: "s", ...extra });

function build(doc: unknown): DesiredStack {
  const result = buildDesiredStack(doc, "test");
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  return result.value;
}

function problems(doc: unknown): string[] {
  const result = buildDesiredStack(doc, "test");
  return result.ok ? [] : result.diagnostics.map(formatDiagnostic);
}

const byAddress = (s: DesiredStack, address: string) => {
  const found = s.resources.find((r) => r.address === address);
  if (!found) throw new Error(`no ${address}`);
  return found;
};

describe("reference resolution", () => {
  it("turns a whole-value reference into an AttrRef and a dependency", () => {
    const s = build({ resource: { xapi_snapshot: { web: snap() }, xapi_template: { t: { source: "${xapi_snapshot.web.uuid}", name_label: "t" } } } });
    const t = byAddress(s, "xapi_template.t");
    expect(t.attrs.source).toEqual({ ref: { address: "xapi_snapshot.web", attribute: "uuid" } });
    expect(t.dependsOn).toEqual(["xapi_snapshot.web"]);
  });

  it("resolves data source references and references inside lists, keeping literals beside them", () => {
    const s = build({
      data: { xapi_vm: { web: { name_label: "web-01" } } },
      resource: { xapi_snapshot_schedule: { n: { name_label: "n", type: "snapshot", frequency: "hourly", vms: ["${data.xapi_vm.web.uuid}", "db-01"] } } },
    });
    const n = byAddress(s, "xapi_snapshot_schedule.n");
    expect(n.attrs.vms).toEqual([{ ref: { address: "data.xapi_vm.web", attribute: "uuid" } }, "db-01"]);
    expect(n.dependsOn).toEqual(["data.xapi_vm.web"]);
  });

  it("accepts a reference to a list attribute as a whole list", () => {
    const s = build({
      data: { xapi_vms: { tagged: { tags: ["nightly"] } } },
      resource: { xapi_snapshot_schedule: { n: { name_label: "n", type: "snapshot", frequency: "hourly", vms: "${data.xapi_vms.tagged.uuids}" } } },
    });
    expect(byAddress(s, "xapi_snapshot_schedule.n").attrs.vms).toEqual({ ref: { address: "data.xapi_vms.tagged", attribute: "uuids" } });
  });

  it("adds depends_on entries to the dependencies", () => {
    const s = build({ resource: { xapi_snapshot: { a: snap(), b: snap({ depends_on: ["xapi_snapshot.a"] }) } } });
    expect(byAddress(s, "xapi_snapshot.b").dependsOn).toEqual(["xapi_snapshot.a"]);
  });

  it("orders resources after everything they depend on, ties by address", () => {
    const s = build({
      resource: {
        xapi_snapshot_export: { a_export: { source: "${xapi_template.m_template.uuid}", path: "x.xva" } },
        xapi_template: { m_template: { source: "${xapi_snapshot.z_snap.uuid}", name_label: "t" } },
        xapi_snapshot: { z_snap: snap(), b_snap: snap() },
      },
    });
    expect(s.resources.map((r) => r.address)).toEqual([
      "xapi_snapshot.b_snap", "xapi_snapshot.z_snap", "xapi_template.m_template", "xapi_snapshot_export.a_export",
    ]);
  });

  it("reports a cycle through three resources with its whole path", () => {
    expect(problems({
      resource: {
        xapi_snapshot: { a: snap({ depends_on: ["xapi_snapshot_export.c"] }) },
        xapi_template: { b: { source: "${xapi_snapshot.a.uuid}", name_label: "b" } },
        xapi_snapshot_export: { c: { source: "${xapi_template.b.uuid}", path: "c.xva" } },
      },
    })).toEqual(["Error: xapi_snapshot.a: dependency cycle: xapi_snapshot.a → xapi_snapshot_export.c → xapi_template.b → xapi_snapshot.a"]);
  });

  it("reads $${ as a literal ${, not as a reference", () => {
    const s = build({ resource: { xapi_snapshot: { web: snap({ name_label: "costs $${HOME}" }) } } });
    expect(byAddress(s, "xapi_snapshot.web").attrs.name_label).toBe("costs ${HOME}");
  });

  it("reports an unknown reference in a list element with its index", () => {
    expect(problems({ resource: { xapi_snapshot_schedule: { n: { name_label: "n", type: "snapshot", frequency: "hourly", vms: ["db-01", "${data.xapi_vm.nope.uuid}"] } } } }))
      .toEqual(["Error: xapi_snapshot_schedule.n: vms[1]: reference to undeclared resource data.xapi_vm.nope"]);
  });
});

describe("desired attributes", () => {
  it("fills schema defaults and keeps configured values", () => {
    const s = build({ resource: { xapi_snapshot: { web: snap({ on_destroy: "keep_disks" }) } } });
    expect(byAddress(s, "xapi_snapshot.web").attrs).toEqual({
      vm: "web-01", name_label: "s", name_description: "", on_destroy: "keep_disks", protect: false, quiesce: false,
    });
  });

  it.each([
    ["a required attribute set to null is missing", { vm: null }, ['Error: xapi_snapshot.web: missing required attribute "vm"']],
    ["null inside a list is refused, not dropped", { ignore_disks: ["a", null] }, ["Error: xapi_snapshot.web: ignore_disks[1] must not be null"]],
  ])("%s", (_why, extra, expected) => {
    expect(problems({ resource: { xapi_snapshot: { web: snap(extra) } } })).toEqual(expected);
  });

  it("treats null like an attribute that is not set", () => {
    const s = build({ resource: { xapi_snapshot: { web: snap({ name_description: null }) } } });
    expect(byAddress(s, "xapi_snapshot.web").attrs.name_description).toBe("");
  });

  it.each([
    ["an hourly schedule without block gets min 0", { frequency: "hourly" }, { min: 0 }],
    ["a daily schedule gets hour and min defaults", { frequency: "daily", schedule: { min: 45 } }, { hour: 0, min: 45 }],
    ["weekly days are capitalised as XAPI stores them", { frequency: "weekly", schedule: { hour: 1, days: ["monday", "FRIDAY"] } }, { hour: 1, min: 0, days: ["Monday", "Friday"] }],
    ["a one-element list block (hand-written Terraform JSON) is read as the block", { frequency: "daily", schedule: [{ hour: 6 }] }, { hour: 6, min: 0 }],
  ])("%s", (_why, extra, expected) => {
    const s = build({ resource: { xapi_snapshot_schedule: { n: { name_label: "n", type: "snapshot", ...extra } } } });
    const n = byAddress(s, "xapi_snapshot_schedule.n");
    expect(n.attrs.schedule).toEqual(expected);
    expect(n.attrs).toMatchObject({ retained_snapshots: 7, enabled: true });
  });

  it("keeps provider blocks as configured, adding an empty default pool for resources without a block", () => {
    expect(build({ resource: { xapi_snapshot: { web: snap() } } }).providers).toEqual({ default: { alias: "default" } });
    expect(build({ provider: { xapi: [{ url: "https://pool-a", insecure: true }] }, resource: { xapi_snapshot: { web: snap() } } }).providers)
      .toEqual({ default: { alias: "default", url: "https://pool-a", insecure: true } });
  });
});

describe("warnings", () => {
  it("warns that insecure overrides a pinned certificate, and still loads", () => {
    const result = buildDesiredStack({
      provider: { xapi: [{ url: "https://a", insecure: true, tls_fingerprint: "ab".repeat(32) }] },
      resource: { xapi_snapshot: { web: snap() } },
    }, "test");
    expect(result.ok && result.warnings.map(formatDiagnostic)).toEqual([
      "Warning: provider.xapi: insecure = true turns off the TLS verification that ca_file / tls_fingerprint set up",
    ]);
  });
});

describe("configHash", () => {
  const doc = { provider: { xapi: [{ url: "https://a", username: "root" }] }, resource: { xapi_snapshot: { web: snap() } } };

  it("does not depend on key order", () => {
    const reordered = { resource: { xapi_snapshot: { web: { name_label: "s", vm: "web-01" } } }, provider: { xapi: [{ username: "root", url: "https://a" }] } };
    expect(build(reordered).configHash).toBe(build(doc).configHash);
    expect(build(doc).configHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("changes when an attribute changes", () => {
    const renamed = { ...doc, resource: { xapi_snapshot: { web: snap({ name_label: "other" }) } } };
    expect(build(renamed).configHash).not.toBe(build(doc).configHash);
  });
});

describe("loadStack", () => {
  const root = mkdtempSync(path.join(tmpdir(), "xsnap-load-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (rel: string, value: unknown): string => {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };
  const stackDoc = (name?: string) => ({ ...(name ? { "//": { metadata: { stackName: name } } } : {}), resource: { xapi_snapshot: { web: snap() } } });
  const manifest = (names: string[]) => ({
    version: "0.21.0",
    stacks: Object.fromEntries(names.map((n) => [n, { name: n, synthesizedStackPath: `stacks/${n}/cdk.tf.json` }])),
  });
  write("two/manifest.json", manifest(["pool-a", "pool-b"]));
  write("two/stacks/pool-a/cdk.tf.json", stackDoc("pool-a"));
  write("two/stacks/pool-b/cdk.tf.json", stackDoc("pool-b"));
  write("named.tf.json", stackDoc("from-metadata"));
  write("folder-name/cdk.tf.json", stackDoc());
  write("side-by-side/web.tf.json", stackDoc());
  write("side-by-side/db.json", stackDoc());
  write("broken.tf.json", "{ not json");
  write("failing-app/cdktf.json", { app: "node -e \"process.exit(3)\"" });
  write("silent-app/cdktf.json", { app: "node -e 0" });
  const load = async (config?: string, stack?: string) =>
    loadStack({ cwd: root, ...(config !== undefined ? { config } : {}), ...(stack !== undefined ? { stack } : {}) });
  const stackName = async (config: string, stack?: string) => {
    const r = await load(config, stack);
    return r.ok ? r.value.stack : r.diagnostics.map(formatDiagnostic).join("\n");
  };
  const errors = async (config: string | undefined, stack?: string, cwd = root) => {
    const r = await loadStack({ cwd, ...(config !== undefined ? { config } : {}), ...(stack !== undefined ? { stack } : {}) });
    return r.ok ? [] : r.diagnostics.map(formatDiagnostic);
  };

  it("names a single file's stack by --stack, else its metadata, else its folder", async () => {
    expect(await stackName("named.tf.json", "chosen")).toBe("chosen");
    expect(await stackName("named.tf.json")).toBe("from-metadata");
    expect(await stackName("folder-name/cdk.tf.json")).toBe("folder-name");
    expect(await stackName("folder-name")).toBe("folder-name");
  });

  it("names a file other than cdk.tf.json by its own name, so two configs side by side are two stacks", async () => {
    expect(await stackName("side-by-side/web.tf.json")).toBe("web");
    expect(await stackName("side-by-side/db.json")).toBe("db");
  });

  it("picks a stack of a cdktf.out folder with --stack", async () => {
    expect(await stackName("two", "pool-b")).toBe("pool-b");
  });

  it("refuses to guess between several stacks and lists them", async () => {
    expect(await errors("two")).toEqual(["Error: the app synthesizes 2 stacks; choose one with --stack: pool-a, pool-b"]);
    expect(await errors("two", "pool-c")).toEqual([`Error: stack "pool-c" is not in ${path.join(root, "two", "manifest.json")}; stacks: pool-a, pool-b`]);
  });

  it("reports missing and malformed files instead of throwing", async () => {
    expect(await errors("nope.tf.json")).toEqual([`Error: --config ${path.join(root, "nope.tf.json")} does not exist`]);
    expect((await errors("broken.tf.json"))[0]).toMatch(/^Error: .*broken\.tf\.json is not valid JSON: /);
  });

  it("explains what to do where there is no cdktf.json", async () => {
    expect(await errors(undefined)).toEqual([
      `Error: no cdktf.json in ${root}: run xsnap in a cdktf app folder, or pass --config with a cdk.tf.json file or a cdktf.out folder`,
    ]);
  });

  it("explains an app that runs but synthesizes nothing", async () => {
    const cwd = path.join(root, "silent-app");
    expect(await errors(undefined, undefined, cwd)).toEqual([
      `Error: the cdktf app ran but wrote no ${path.join(cwd, "cdktf.out", "manifest.json")}; it must call app.synth() and keep the default outdir (CDKTF_OUTDIR)`,
    ]);
  });

  it("reports an app that fails with its exit code", async () => {
    expect(await errors(undefined, undefined, path.join(root, "failing-app")))
      .toEqual(["Error: the cdktf app (node -e \"process.exit(3)\") failed with exit code 3"]);
  });
});
