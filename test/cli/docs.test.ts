// `npm run docs` output is committed: regenerating it must give the same bytes (freshness), every
// resource, data source and command has its page, and `xsnap CMD --help` shows the examples that
// the command's page shows (one table, src/cli/help-text.ts).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main";
import { COMMAND_EXAMPLES, commandPath } from "../../src/cli/help-text";
import { dataSources, managedResources } from "../../src/schema";
import { ROOT, xsnap } from "./harness";

const FOLDERS = ["resources", "commands"] as const;

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

describe("npm run docs", () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "xsnap-docs-"));
    execFileSync(process.execPath, [join(ROOT, "scripts/docs.js"), "--out", out], { cwd: ROOT, stdio: "pipe" });
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.each(FOLDERS)("docs/%s is what npm run docs generates, byte for byte (run `npm run docs` and commit)", (folder) => {
    const fresh = readdirSync(join(out, folder)).sort();
    const committed = readdirSync(join(ROOT, "docs", folder)).sort();
    expect(committed).toEqual(fresh);
    for (const name of fresh) {
      expect({ name, text: readFileSync(join(ROOT, "docs", folder, name), "utf8") })
        .toEqual({ name, text: readFileSync(join(out, folder, name), "utf8") });
    }
  });

  it("has a registry-layout page for every resource and data source", () => {
    for (const r of [...managedResources, ...dataSources]) {
      const page = readFileSync(join(out, "resources", r.mode === "data" ? `data-${r.type}.md` : `${r.type}.md`), "utf8");
      const sections = ["## Example Usage", "## Argument Reference", "## Attribute Reference", ...(r.mode === "managed" ? ["## Import"] : [])];
      for (const s of sections) expect({ type: r.type, has: page.includes(`\n${s}\n`) }).toEqual({ type: r.type, has: true });
    }
  });

  it("has a page, a summary and examples for every command, and no examples for a command that does not exist", () => {
    const paths = allCommands(buildProgram()).map(commandPath);
    expect(Object.keys(COMMAND_EXAMPLES).sort()).toEqual([...paths].sort());
    for (const p of paths.filter((x) => x !== "")) {
      expect(readdirSync(join(out, "commands"))).toContain(`${p.replace(/ /g, "-")}.md`);
    }
  });
});

describe("xsnap --help", () => {
  const cases = Object.entries(COMMAND_EXAMPLES).map(([path, examples]) => [path === "" ? "(program)" : path, path, examples] as const);
  it.each(cases)("%s --help shows the examples of its docs page", async (_label, path, examples) => {
    const r = await xsnap([...(path === "" ? [] : path.split(" ")), "--help"]);
    expect(r.code).toBe(0);
    const page = readFileSync(join(ROOT, "docs/commands", path === "" ? "README.md" : `${path.replace(/ /g, "-")}.md`), "utf8");
    for (const e of examples) {
      expect(r.stdout).toContain(e.command);
      expect(r.stdout).toContain(`# ${e.note}`);
      expect(page).toContain(`${e.command}   # ${e.note}`);
    }
  });

  it("xsnap --help lists the exit codes in one line", async () => {
    const r = await xsnap(["--help"]);
    expect(r.stdout).toMatch(/Exit codes: 0 ok · 1 error · 2 changes \(--detailed-exitcode\) · 3 lock held · 4 stale plan · 5 apply incomplete · 6 run xsnap recover · 7 cancelled/);
  });
});
