#!/usr/bin/env node
"use strict";
// `npm run generate`: src/schema → src/constructs (cdktf bindings) and docs/resources (one page per type).
// Reads the TypeScript schema directly (transpiled in memory), so it needs no prior build.
const fs = require("fs");
const path = require("path");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const root = path.resolve(__dirname, "..");
const { generateConstructs } = require(path.join(root, "src/schema/codegen.ts"));
const { renderDocs } = require(path.join(root, "src/schema/docs.ts"));

async function main() {
  const started = Date.now();
  const files = await generateConstructs(path.join(root, "src/constructs"));
  const docsDir = path.join(root, "docs/resources");
  fs.rmSync(docsDir, { recursive: true, force: true });
  fs.mkdirSync(docsDir, { recursive: true });
  const pages = renderDocs();
  for (const [name, text] of pages) fs.writeFileSync(path.join(docsDir, name), text);
  console.log(`generated ${files.length} files in src/constructs and ${pages.size} pages in docs/resources in ${Date.now() - started} ms`);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exitCode = 1;
});
