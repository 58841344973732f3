// src/constructs is generated, committed and never edited: regenerating must reproduce it exactly.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
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
