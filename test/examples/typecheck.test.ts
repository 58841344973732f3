// The examples are what users copy: they must compile under the project's strict tsconfig, importing
// "xsnap" as an installed package (examples/node_modules/xsnap stands in for it inside the repo).
import { existsSync, readdirSync } from "fs";
import * as path from "path";
import * as ts from "typescript";

describe("examples type-check", () => {
  it("has no TypeScript error in any example", () => {
    const repo = path.join(__dirname, "../..");
    const examples = path.join(repo, "examples");
    const roots = readdirSync(examples).map((d) => path.join(examples, d, "main.ts")).filter((f) => existsSync(f));
    const config = ts.getParsedCommandLineOfConfigFile(path.join(repo, "tsconfig.json"), {}, {
      ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); },
    });
    if (!config) throw new Error("tsconfig.json could not be read");
    const program = ts.createProgram(roots, { ...config.options, noEmit: true });
    const problems = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName.includes("/examples/"))
      .map((d) => `${d.file?.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    // Every example folder is checked (the walk is not vacuous).
    expect(roots.map((r) => path.basename(path.dirname(r))).sort()).toEqual(["disaster-recovery", "golden-template", "multi-pool", "pre-upgrade", "quickstart", "schedules"]);
    expect(problems).toEqual([]);
  });
});
