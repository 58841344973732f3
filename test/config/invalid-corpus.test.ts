// Every file in test/config/invalid is a Terraform JSON document that breaks one rule. Its "//" block
// says why the rule exists and the exact diagnostics (one-line form) `xsnap validate` must print.
import { readdirSync, readFileSync } from "fs";
import * as path from "path";
import { loadStack } from "../../src/config";
import { formatDiagnostic } from "../../src/model";

const dir = path.join(__dirname, "invalid");
const cases = readdirSync(dir).filter((f) => f.endsWith(".tf.json")).sort().map((file) => {
  const doc = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { "//": { why: string; expect: string[] } };
  return { behaviour: file.replace(/\.tf\.json$/, ""), file, why: doc["//"].why, expected: doc["//"].expect };
});

describe("config validation of invalid configurations", () => {
  it("has a case for each of at least 25 rules", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)("$behaviour: $why", async ({ file, expected }) => {
    const result = await loadStack({ cwd: dir, config: file });
    expect(result.ok).toBe(false);
    const printed = result.ok ? [] : result.diagnostics.map(formatDiagnostic);
    expect(printed).toEqual(expected);
    // Every problem names where it is: a resource, data source, provider block or module address.
    for (const line of printed) expect(line).toMatch(/^Error: (data\.)?[a-z_]+\.[^:\s]+(\.[A-Za-z0-9_-]+)?: /);
  });

  it.each(["literal-password-in-provider.tf.json", "credentials-in-provider-url.tf.json"])("never repeats a literal password (%s)", async (file) => {
    const result = await loadStack({ cwd: dir, config: file });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });
});
