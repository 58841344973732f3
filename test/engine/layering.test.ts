/**
 * Imports point down (DESIGN §2): every import of every file of every layer, type-only imports and
 * `export … from` included, stays within what its layer may see. sim may read xapi's types only.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(__dirname, "../../src");

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : full.endsWith(".ts") ? [full] : [];
  });

interface Import { readonly file: string; readonly layer: string; readonly typeOnly: boolean }

/** Every module specifier of a file that points inside src/, with the layer it lands in. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const found = [...text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?"(\.[^"]+)";/gms)];
  return found.map((m) => {
    const target = relative(SRC, resolve(dirname(file), m[2] ?? ""));
    // The project's own settings (the top-level cdktf.json) sit outside src/: data, not a layer.
    const layer = target.startsWith("..") && target.endsWith(".json") ? "settings" : target.includes("/") ? target.split("/")[0] ?? "" : target;
    return { file: relative(SRC, file), layer, typeOnly: m[1] !== undefined };
  });
}

/** What each layer may import besides itself; `version` (the package version) and the project's settings file are readable by all. */
const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  xapi: ["model"],
  schema: ["model"],
  resources: ["model", "xapi"],
  engine: ["model", "xapi", "resources"],
  render: ["model", "engine", "schema"],
  config: ["model", "schema", "cdktf"],
};

describe("import layering", () => {
  it.each(Object.entries(ALLOWED))("src/%s imports only %j (and itself)", (layer, allowed) => {
    const bad = filesUnder(join(SRC, layer)).flatMap(importsOf)
      .filter((i) => i.layer !== layer && i.layer !== "version" && i.layer !== "settings" && !allowed.includes(i.layer));
    expect(bad).toEqual([]);
  });

  it("src/sim imports model/ and only the types of xapi/", () => {
    const bad = filesUnder(join(SRC, "sim")).flatMap(importsOf)
      .filter((i) => i.layer !== "sim" && i.layer !== "model" && !(i.layer === "xapi" && i.typeOnly));
    expect(bad).toEqual([]);
  });

  it("finds the imports it checks (the walk is not vacuous)", () => {
    const engine = filesUnder(join(SRC, "engine")).flatMap(importsOf);
    expect(engine.some((i) => i.layer === "resources")).toBe(true);
    expect(importsOf(join(SRC, "model/index.ts")).length).toBeGreaterThan(3);   // export … from
  });
});
