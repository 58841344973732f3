/**
 * Preloaded (`node --require`) into the cdktf app that `xsnap synth` runs, so that an app written in
 * TypeScript runs without a build step (`"app": "node main.ts"` in cdktf.json):
 * - `.ts` files are transpiled in memory with TypeScript's transpileModule (no type-check: `tsc`
 *   or the editor does that; this keeps start-up short);
 * - `import ... from "xsnap"` resolves to the xsnap that runs the app, so the constructs and the
 *   loader always agree on the schema, also inside this repository where no node_modules/xsnap exists.
 * Self-contained on purpose: it runs inside the user's process.
 */
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

let ts: typeof TypeScript | undefined;
internals._extensions[".ts"] = (module, filename) => {
  // Loaded on first use: apps written in JavaScript never pay for it.
  ts ??= require("typescript") as typeof TypeScript;
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  });
  module._compile(outputText, filename);
};

const resolve = internals._resolveFilename.bind(Module);
internals._resolveFilename = (request, parent, isMain, options) =>
  request === "xsnap" ? packageMain : resolve(request, parent, isMain, options);
