// src/constructs is generated, committed and never edited: regenerating must reproduce it exactly.
import { execFileSync } from "child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { PROVIDER_FQPN, PROVIDER_VERSION } from "../../src/schema";
import { generateConstructs } from "../../src/schema/codegen";

function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(path.join(dir, name)).isDirectory() ? filesUnder(path.join(dir, name), rel) : [rel];
  });
}

describe("npm run generate", () => {
  const committed = path.join(__dirname, "../../src/constructs");
  const scratch = mkdtempSync(path.join(tmpdir(), "xsnap-constructs-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("reproduces src/constructs byte for byte from the schema", async () => {
    // Generated into a folder beside nothing: the relative cdktf import depth is the same as under src/.
    const out = path.join(scratch, "constructs");
    const written = await generateConstructs(out);
    expect(filesUnder(committed)).toEqual(filesUnder(out));
    expect(written.length).toBe(filesUnder(out).length);
    for (const rel of written) {
      expect({ rel, text: readFileSync(path.join(out, rel), "utf8") }).toEqual({ rel, text: readFileSync(path.join(committed, rel), "utf8") });
    }
  });

  it("routes the constructs' cdktf import through src/cdktf.ts", () => {
    const snapshot = readFileSync(path.join(committed, "snapshot/index.ts"), "utf8");
    expect(snapshot).toContain("import * as cdktf from '../../cdktf';");
    expect(snapshot).not.toContain("from 'cdktf'");
  });
});

describe("npm run generate on a copy of the checkout", () => {
  const root = path.join(__dirname, "../..");
  const copy = mkdtempSync(path.join(tmpdir(), "xsnap-checkout-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("reads its settings from cdktf.json and changes no committed file", () => {
    // What generation reads and writes; node_modules is shared (it is not part of a checkout).
    for (const entry of ["cdktf.json", "package.json", "scripts", "src", "docs", "examples/quickstart/main.ts", "examples/node_modules/xsnap"]) cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
    const output = execFileSync("npm", ["run", "--silent", "generate"], { cwd: copy, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
    expect(output).toMatch(/^generated \d+ files in src\/constructs, \d+ pages in docs\/resources and src\/cli\/demo-quickstart.json/);
    // The quickstart as xsnap demo plans it where examples/ is not installed: the app's synth, to the byte.
    expect(readFileSync(path.join(copy, "src/cli/demo-quickstart.json"), "utf8")).toBe(readFileSync(path.join(root, "src/cli/demo-quickstart.json"), "utf8"));
    for (const dir of ["src/constructs", "docs/resources"]) {
      expect(filesUnder(path.join(copy, dir))).toEqual(filesUnder(path.join(root, dir)));
      for (const rel of filesUnder(path.join(root, dir))) {
        expect({ rel, text: readFileSync(path.join(copy, dir, rel), "utf8") }).toEqual({ rel, text: readFileSync(path.join(root, dir, rel), "utf8") });
      }
    }
  });

  it("names the provider as cdktf.json's terraformProviders does, in the construct and the schema", () => {
    const cdktfJson = JSON.parse(readFileSync(path.join(root, "cdktf.json"), "utf8")) as { codeMakerOutput: string; terraformProviders: { name: string; source: string; version: string }[] };
    expect(cdktfJson.codeMakerOutput).toBe("src/constructs");
    expect(cdktfJson.terraformProviders).toEqual([{ name: "xapi", source: PROVIDER_FQPN, version: PROVIDER_VERSION }]);
    const provider = readFileSync(path.join(root, "src/constructs/provider/index.ts"), "utf8");
    expect(provider).toContain(`terraformProviderSource: '${PROVIDER_FQPN}'`);
    expect(provider).toContain(`providerVersion: '${PROVIDER_VERSION}'`);
  });
});
