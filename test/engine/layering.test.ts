/** Runtime imports point down (STYLE "Imports point down"): engine never imports cli/render/config at runtime, resources never import engine. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const runtimeImports = (dir: string): { file: string; from: string }[] =>
  readdirSync(join(__dirname, "../../src", dir)).filter((f) => f.endsWith(".ts")).flatMap((file) => {
    const text = readFileSync(join(__dirname, "../../src", dir, file), "utf8");
    return [...text.matchAll(/^import (?!type )[^;]*? from "([^"]+)";/gms)].map((m) => ({ file: `${dir}/${file}`, from: m[1] ?? "" }));
  });

describe("import layering", () => {
  it.each([
    ["engine", ["../cli", "../render", "../config"]],
    ["resources", ["../engine", "../cli", "../render", "../config"]],
  ])("src/%s imports nothing above it at runtime", (dir, forbidden) => {
    const bad = runtimeImports(dir as string).filter((i) => (forbidden as string[]).some((f) => i.from === f || i.from.startsWith(`${f}/`)));
    expect(bad).toEqual([]);
  });
});
