// cdktf is archived upstream; moving to its fork `cdktn` must be a one-file change (DESIGN §2).
import { readdirSync, readFileSync, statSync } from "fs";
import * as path from "path";

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules") return [];
    return statSync(full).isDirectory() ? tsFiles(full) : name.endsWith(".ts") ? [full] : [];
  });
}

describe("the cdktf dependency", () => {
  it("is imported only by src/cdktf.ts (constructs and examples go through it)", () => {
    const repo = path.join(__dirname, "../..");
    const importers = [...tsFiles(path.join(repo, "src")), ...tsFiles(path.join(repo, "examples"))]
      .filter((file) => /(from\s+|require\(|import\(\s*)["']cdktf(\/[^"']*)?["']/.test(readFileSync(file, "utf8")))
      .map((file) => path.relative(repo, file));
    expect(importers).toEqual(["src/cdktf.ts"]);
  });
});
