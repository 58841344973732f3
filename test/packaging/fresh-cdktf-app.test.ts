// The published package in a cdktf app made the way `cdktf init --template typescript` makes it: its
// own cdktf, a newer constructs 10.x than xsnap builds with, ts-node and typescript, `npx ts-node
// main.ts`, and the template's tsconfig (copied from cdktf-cli's own template). Everything installs
// offline from the npm cache the repository's `npm ci` filled (offline-lockfile.ts), so the test
// needs no network. The steps are one user's session, in order.
//
// The real `cdktf synth` is cdktf-cli 0.21.0 from this repository's devDependencies, run in the app's
// folder: installing cdktf-cli into the app as well (478 packages, ~425 MB) made `npm ci --offline`
// take 36 s on an idle machine and 105 s on a loaded one, for the same binary.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, assertBuilt, baseEnv, startSim, type Run, type Sim } from "../cli/harness";
import { composeAppLock } from "./offline-lockfile";

const CDKTF_CLI = join(ROOT, "node_modules/cdktf-cli/bundle/bin/cdktf");
const TEMPLATE = join(ROOT, "node_modules/cdktf-cli/bundle/templates/typescript");
const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";
const repoPackage = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
/** The newer constructs the app brings: the version behind the repository's `constructs-next` alias. */
const NEWER_CONSTRUCTS = (repoPackage.devDependencies["constructs-next"] ?? "").replace(/^npm:constructs@/, "");

function run(command: string, args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  const child = spawn(command, args, { cwd, env: baseEnv({ CHECKPOINT_DISABLE: "1", ...env }), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
  return new Promise((done) => child.once("close", (code) => done({ code: code ?? -1, stdout, stderr })));
}

const timings: string[] = [];
async function timed(what: string, body: () => Promise<Run>): Promise<Run> {
  const started = Date.now();
  const result = await body();
  timings.push(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.code !== 0 && !/plan/.test(what)) throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

describe("the packed xsnap in a fresh cdktf app", () => {
  const dir = mkdtempSync(join(tmpdir(), "xsnap-fresh-app-"));
  const app = join(dir, "fresh-app");
  let sim: Sim;
  let tarball = "";
  const xsnapBin = (): string => join(app, "node_modules/xsnap/bin/xsnap.js");
  const xsnap = (args: readonly string[]): Promise<Run> => run(process.execPath, [xsnapBin(), ...args], app, { XAPI_URL: sim.url, XAPI_USERNAME: "root", NO_COLOR: "1" });

  beforeAll(async () => {
    assertBuilt();
    sim = await startSim();
  });
  afterAll(async () => {
    await sim?.stop();
    // eslint-disable-next-line no-console
    console.log(`fresh cdktf app timings:\n  ${timings.join("\n  ")}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it("packs built code and the bin, without sources or tests", async () => {
    // dist/ is fresh from `npm test`'s pretest; `npm pack` alone rebuilds it (prepack cleans, prepare builds).
    const packed = await timed("npm pack", () => run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT));
    const [info] = JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[];
    const files = (info?.files ?? []).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["bin/xsnap.js", "dist/src/index.js", "dist/src/index.d.ts", "dist/src/cli/main.js", "package.json", "README.md"]));
    expect(files.filter((f) => !/^(bin\/|dist\/src\/)|^(package\.json|README\.md|dist\/cdktf\.json)$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    timings.push(`tarball: ${((info?.size ?? 0) / 1024).toFixed(0)} KiB, ${files.length} files`);
    tarball = join(dir, info?.filename ?? "missing.tgz");
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    expect(manifest.scripts?.prepare).toBe("npm run build");          // npm pack: prepack (clean dist/), then prepare
    expect(manifest.scripts?.prepack).toContain("rmSync('dist'");
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain("cdktf");
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain("constructs");
    expect(manifest.peerDependencies).toEqual({ cdktf: expect.stringMatching(/0\.21/), constructs: expect.stringMatching(/^\^10\./) });
  });

  it("installs offline into an app laid out as `cdktf init --template typescript` writes it", async () => {
    expect(NEWER_CONSTRUCTS).toMatch(/^10\.\d+\.\d+$/);
    mkdirSync(app);
    copyFileSync(join(TEMPLATE, "tsconfig.json"), join(app, "tsconfig.json"));
    const template = JSON.parse(readFileSync(join(TEMPLATE, "package.json"), "utf8")) as Record<string, unknown>;
    const cdktfJsonTemplate = readFileSync(join(TEMPLATE, "cdktf.json"), "utf8");
    expect(cdktfJsonTemplate).toContain('"app": "npx ts-node main.ts"');
    writeFileSync(join(app, "cdktf.json"), `${JSON.stringify({
      language: "typescript", app: "npx ts-node main.ts", projectId: "00000000-0000-4000-8000-000000000000",
      sendCrashReports: "false", terraformProviders: [], terraformModules: [], context: {},
    }, null, 2)}\n`);
    writeFileSync(join(app, "main.ts"), [
      'import { Construct } from "constructs";',
      'import { App, TerraformStack } from "cdktf";',
      'import { Checkpoint, Snapshot, XapiProvider } from "xsnap";',
      "",
      "class MyStack extends TerraformStack {",
      "  constructor(scope: Construct, id: string) {",
      "    super(scope, id);",
      '    new XapiProvider(this, "xapi", {});',
      '    new Snapshot(this, "web_nightly", { vm: "web-01", nameLabel: "web-01 nightly" });',
      '    new Checkpoint(this, "db_before_upgrade", { vm: "db-01", nameLabel: "db-01 before upgrade" });',
      "  }",
      "}",
      "",
      "const app = new App();",
      'new MyStack(app, "fresh-app");',
      "app.synth();",
      "",
    ].join("\n"));
    const spec = `file:${tarball.split("/").pop()}`;
    copyFileSync(tarball, join(app, tarball.split("/").pop() ?? ""));
    const dependencies = { cdktf: "0.21.0", constructs: NEWER_CONSTRUCTS };
    const devDependencies = { "@types/node": repoPackage.devDependencies["@types/node"] ?? "", "ts-node": repoPackage.devDependencies["ts-node"] ?? "", typescript: repoPackage.devDependencies.typescript ?? "" };
    writeFileSync(join(app, "package.json"), `${JSON.stringify({
      ...template, name: "fresh-app", dependencies: { ...dependencies, xsnap: spec }, devDependencies,
    }, null, 2)}\n`);
    const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(app, "package-lock.json"), `${JSON.stringify(composeAppLock({
      repo: ROOT, name: "fresh-app", dependencies, devDependencies, constructsFrom: "node_modules/constructs-next",
      tarball: { spec, integrity, manifest },
    }), null, 2)}\n`);
    await timed("npm ci --offline", () => run("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], app));
    // One copy of each: the app's, which xsnap's constructs share as peer dependencies.
    const copies = (name: string): string[] => readdirSync(join(app, "node_modules")).includes(name) ? [JSON.parse(readFileSync(join(app, "node_modules", name, "package.json"), "utf8")).version as string] : [];
    expect(copies("constructs")).toEqual([NEWER_CONSTRUCTS]);
    expect(readdirSync(join(app, "node_modules/xsnap"))).not.toContain("node_modules");
  }, 300_000);

  it("type-checks with the app's own constructs", async () => {
    await timed("tsc --noEmit", () => run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "--noEmit"], app));
  });

  it("synthesizes the stack with the real cdktf synth", async () => {
    const synth = await timed("cdktf synth", () => run(process.execPath, [CDKTF_CLI, "synth"], app));
    expect(synth.stdout).toContain("Generated Terraform code for the stacks: fresh-app");
    const doc = JSON.parse(readFileSync(join(app, "cdktf.out/stacks/fresh-app/cdk.tf.json"), "utf8")) as { resource: Record<string, unknown> };
    expect(Object.keys(doc.resource).sort()).toEqual(["xapi_checkpoint", "xapi_snapshot"]);
  }, 180_000);

  it("plans with no --config, applies the saved plan with no --config, and then has nothing to do", async () => {
    const plan = await timed("xsnap plan --out p", () => xsnap(["plan", "--out", "p"]));
    expect(plan.stderr).toBe("");
    expect(plan.stdout).toContain('Stack "fresh-app"');
    expect(plan.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    const applied = await timed("xsnap apply p", () => xsnap(["apply", "p"]));
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    const again = await timed("xsnap plan (again)", () => xsnap(["plan", "--detailed-exitcode"]));
    expect({ code: again.code, stdout: again.stdout }).toEqual({ code: 0, stdout: expect.stringContaining(NO_CHANGES) });
  }, 180_000);

  it("runs xsnap demo from the installed package, which ships no examples/", async () => {
    const demo = await timed("xsnap demo", () => run(process.execPath, [xsnapBin(), "demo"], app, { NO_COLOR: "1" }));
    expect(demo.stderr).toBe("");
    expect(demo.stdout).toContain("The stack is xsnap's examples/quickstart/main.ts (as synthesized when this package was built)");
    expect(demo.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    expect(demo.stdout).toContain(NO_CHANGES);
    expect(demo.stdout).toContain("in your cdktf app's folder");
    expect(readdirSync(join(app, "node_modules/xsnap"))).not.toContain("examples");
  }, 180_000);
});
