/**
 * xsnap's own version, read once from its package.json, so plans, `--version` and the JSON output
 * never drift from the release. Walks up because the file runs from src/ (tests) and dist/src/ (CLI).
 */
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";

function readVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    if (pkg.name === "xsnap" && typeof pkg.version === "string") return pkg.version;
  }
  throw new Error("xsnap's package.json was not found above " + __dirname);
}

export const VERSION: string = readVersion();
