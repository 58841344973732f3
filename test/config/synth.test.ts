// Running a user's cdktf app the way `xsnap synth`/`plan` do, which is the way `cdktf synth` does:
// cdktf.json's app command in its folder with CDKTF_OUTDIR set, and nothing of xsnap's own preloaded
// into the app's process. The app brings its runner, as after `cdktf init`: here ts-node and tsx
// (devDependencies of this repository) and plain node. "xsnap" resolves like an installed package,
// through node_modules/xsnap (a link to this repository, whose package.json points at dist/).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { loadStack, synthApp } from "../../src/config";
import { formatDiagnostic } from "../../src/model";

const ROOT = path.join(__dirname, "../..");

/** A folder with node_modules/xsnap and the runners' bins linked from this repository. */
function appFolder(prefix: string): string {
  const app = mkdtempSync(path.join(tmpdir(), prefix));
  mkdirSync(path.join(app, "node_modules", ".bin"), { recursive: true });
  symlinkSync(ROOT, path.join(app, "node_modules", "xsnap"), "dir");
  for (const bin of ["ts-node", "tsx"]) symlinkSync(path.join(ROOT, "node_modules", ".bin", bin), path.join(app, "node_modules", ".bin", bin));
  return app;
}

/** The process the app sees: what an app prints about its own environment. */
const reportEnvironment = [
  "const fs = require('fs');",
  "fs.writeFileSync('seen.json', JSON.stringify({",
  "  nodeOptions: process.env.NODE_OPTIONS ?? null, outdir: process.env.CDKTF_OUTDIR, cwd: process.cwd(),",
  "  context: JSON.parse(process.env.CDKTF_CONTEXT_JSON ?? 'null'), preloaded: process.execArgv,",
  "}));",
].join("\n");

describe("synthApp and loadStack on a TypeScript app (npx ts-node main.ts)", () => {
  const app = appFolder("xsnap-app-");
  afterAll(() => rmSync(app, { recursive: true, force: true }));
  mkdirSync(path.join(app, "lib"));
  writeFileSync(path.join(app, "cdktf.json"), JSON.stringify({ language: "typescript", app: "npx ts-node main.ts", context: { team: "ops" } }));
  // Type errors are tsc's business; the app runs transpile-only, as the examples do.
  writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", strict: true, esModuleInterop: true, skipLibCheck: true }, "ts-node": { transpileOnly: true } }));
  // A local TypeScript module with a type annotation: it must be transpiled, not just required.
  writeFileSync(path.join(app, "lib", "names.ts"), "export const label = (vm: string): string => `${vm} nightly`;\n");
  writeFileSync(path.join(app, "main.ts"), [
    'import { App, Snapshot, TerraformStack, XapiProvider } from "xsnap";',
    'import { label } from "./lib/names";',
    reportEnvironment,
    "const app = new App();",
    'for (const pool of ["pool-a", "pool-b"]) {',
    "  const stack = new TerraformStack(app, pool);",
    '  new XapiProvider(stack, "xapi", { url: `https://${pool}` });',
    '  new Snapshot(stack, "web", { vm: "web-01", nameLabel: label("web-01") });',
    "}",
    'console.log("hello from the app");',
    "app.synth();",
  ].join("\n"));

  it("lists the stacks when the app makes several and --stack is missing", async () => {
    const result = await loadStack({ cwd: app });
    expect(result.ok ? [] : result.diagnostics.map(formatDiagnostic))
      .toEqual(["Error: the app synthesizes 2 stacks; choose one with --stack: pool-a, pool-b"]);
  });

  it("loads the stack --stack names, with the app's TypeScript helpers transpiled by the app's runner", async () => {
    const result = await loadStack({ cwd: app, stack: "pool-b" });
    expect(result.ok && result.value.providers.default).toEqual({ alias: "default", url: "https://pool-b" });
    expect(result.ok && result.value.resources.map((r) => r.attrs.name_label)).toEqual(["web-01 nightly"]);
  });

  it("runs the app as cdktf synth does: in its folder, CDKTF_OUTDIR and the context set, no preload of xsnap's", async () => {
    const first = await synthApp({ cwd: app });
    expect(first.ok && first.value.output).toBe("hello from the app\n");
    const seen = JSON.parse(readFileSync(path.join(app, "seen.json"), "utf8")) as Record<string, unknown>;
    expect(seen).toMatchObject({ outdir: path.join(app, "cdktf.out"), cwd: app, context: { team: "ops" } });
    expect(String(seen.nodeOptions)).not.toMatch(/--require|-r |--import|--loader/);
    expect(JSON.stringify(seen.preloaded)).not.toContain("xsnap");
  });
});

describe.each([
  ["npx tsx main.ts", "main.ts", 'import { App, Snapshot, TerraformStack, XapiProvider } from "xsnap";'],
  ["node main.js", "main.js", 'const { App, Snapshot, TerraformStack, XapiProvider } = require("xsnap");'],
])("an app run as `%s`", (command, file, importLine) => {
  const app = appFolder("xsnap-app-runner-");
  afterAll(() => rmSync(app, { recursive: true, force: true }));
  writeFileSync(path.join(app, "cdktf.json"), JSON.stringify({ language: "typescript", app: command, output: "out" }));
  writeFileSync(path.join(app, file), [
    importLine,
    "const app = new App();",
    'const stack = new TerraformStack(app, "runner");',
    'new XapiProvider(stack, "xapi", {});',
    'new Snapshot(stack, "web", { vm: "web-01", nameLabel: "web-01 nightly" });',
    "app.synth();",
  ].join("\n"));

  it("synthesizes into cdktf.json's output folder and loads", async () => {
    const result = await loadStack({ cwd: app });
    expect(result.ok ? result.value.resources.map((r) => r.address) : result.diagnostics.map(formatDiagnostic)).toEqual(["xapi_snapshot.web"]);
    expect(result.ok && result.value.stack).toBe("runner");
    expect(readFileSync(path.join(app, "out", "manifest.json"), "utf8")).toContain('"runner"');
  });
});
