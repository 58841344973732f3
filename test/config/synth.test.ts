// Running a user's cdktf app the way `xsnap synth`/`plan` do: TypeScript without a build, "xsnap"
// resolved to the running package, several stacks. Needs dist/ (the preload is compiled JavaScript).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { loadStack, synthApp } from "../../src/config";
import { formatDiagnostic } from "../../src/model";

describe("synthApp and loadStack on a TypeScript app", () => {
  const app = mkdtempSync(path.join(tmpdir(), "xsnap-app-"));
  afterAll(() => rmSync(app, { recursive: true, force: true }));
  mkdirSync(path.join(app, "lib"));
  writeFileSync(path.join(app, "cdktf.json"), JSON.stringify({ language: "typescript", app: "node main.ts" }));
  // A local TypeScript module with a type annotation: it must be transpiled, not just required.
  writeFileSync(path.join(app, "lib", "names.ts"), "export const label = (vm: string): string => `${vm} nightly`;\n");
  writeFileSync(path.join(app, "main.ts"), [
    'import { App, Snapshot, TerraformStack, XapiProvider } from "xsnap";',
    'import { label } from "./lib/names";',
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

  it("loads the stack --stack names, with the app's TypeScript helpers transpiled", async () => {
    const result = await loadStack({ cwd: app, stack: "pool-b" });
    expect(result.ok && result.value.providers.default).toEqual({ alias: "default", url: "https://pool-b" });
    expect(result.ok && result.value.resources.map((r) => r.attrs.name_label)).toEqual(["web-01 nightly"]);
  });

  it("keeps the app's output for the caller and reuses transpiled files while main.ts is unchanged", async () => {
    const first = await synthApp({ cwd: app });
    expect(first.ok && first.value.output).toBe("hello from the app\n");
    const cache = path.join(app, "cdktf.out", ".xsnap-ts-cache");
    const cached = readdirSync(cache).sort();
    expect(cached).toHaveLength(2); // main.ts and lib/names.ts
    await synthApp({ cwd: app });
    expect(readdirSync(cache).sort()).toEqual(cached);
  });
});
