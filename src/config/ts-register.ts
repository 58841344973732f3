/**
 * Preloaded (`node --require`) into the cdktf app that `xsnap synth` runs, so that an app written in
 * TypeScript runs without a build step (`"app": "node main.ts"` in cdktf.json):
 * - `.ts` files are transpiled in memory with TypeScript's transpileModule (no type-check: `tsc`
 *   or the editor does that; this keeps start-up short);
 * - `import ... from "xsnap"` resolves to the xsnap that runs the app, so the constructs and the
 *   loader always agree on the schema, also inside this repository where no node_modules/xsnap exists.
 * Transpiled output is cached by content in the output folder: loading TypeScript itself costs about
 * as much as the rest of a synth, and `xsnap plan` usually runs on an unchanged main.ts.
 * Self-contained on purpose: it runs inside the user's process.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import Module = require("module");
import type * as TypeScript from "typescript";

const packageRoot = path.resolve(__dirname, "..", "..", "..");
const packageMain = path.join(packageRoot, "dist", "src", "index.js");

interface ResolvableModule {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _extensions: Record<string, (module: { _compile(code: string, filename: string): void }, filename: string) => void>;
}
const internals = Module as unknown as ResolvableModule;

// Inside the app's own output folder, never a shared temp folder: another user could plant code there.
const outdir = process.env.CDKTF_OUTDIR;
const cacheDir = outdir ? path.join(outdir, ".xsnap-ts-cache") : undefined;

let ts: typeof TypeScript | undefined;
function transpile(source: string, filename: string): string {
  // Loaded on first use: apps written in JavaScript, and cache hits, never pay for it.
  ts ??= require("typescript") as typeof TypeScript;
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  }).outputText;
}

function cached(source: string, filename: string): string {
  if (cacheDir === undefined) return transpile(source, filename);
  const key = createHash("sha256").update(`v1\0${filename}\0${source}`).digest("hex");
  const file = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    const output = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${file}.${process.pid}.partial`;
      fs.writeFileSync(partial, output);
      fs.renameSync(partial, file); // atomic: a concurrent synth never reads half a file
    } catch {
      // A read-only temp folder only costs speed.
    }
    return output;
  }
}

internals._extensions[".ts"] = (module, filename) => {
  module._compile(cached(fs.readFileSync(filename, "utf8"), filename), filename);
};

const resolve = internals._resolveFilename.bind(Module);
internals._resolveFilename = (request, parent, isMain, options) =>
  request === "xsnap" ? packageMain : resolve(request, parent, isMain, options);
