#!/usr/bin/env node
"use strict";
// `npm run generate`: src/schema → the cdktf bindings and docs/resources (one page per type).
// Its settings are cdktf's own keys in the top-level cdktf.json, as `cdktf get` reads them:
// `codeMakerOutput` (where the bindings go: src/constructs) and `terraformProviders` (the provider's
// source and version, which src/schema/provider.ts reads from the same file).
// Reads the TypeScript schema directly (transpiled in memory), so it needs no prior build.
const fs = require("fs");
const path = require("path");

require("./require-ts");

const root = path.resolve(__dirname, "..");
const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
if (typeof cdktfJson.codeMakerOutput !== "string" || cdktfJson.codeMakerOutput === "") {
  console.error("cdktf.json must name the bindings folder in codeMakerOutput (src/constructs)");
  process.exit(1);
}
const { generateConstructs } = require(path.join(root, "src/schema/codegen.ts"));
const { renderDocs } = require(path.join(root, "src/schema/docs.ts"));

async function main() {
  const started = Date.now();
  const files = await generateConstructs(path.join(root, cdktfJson.codeMakerOutput));
  const docsDir = path.join(root, "docs/resources");
  fs.rmSync(docsDir, { recursive: true, force: true });
  fs.mkdirSync(docsDir, { recursive: true });
  const pages = renderDocs();
  for (const [name, text] of pages) fs.writeFileSync(path.join(docsDir, name), text);
  console.log(`generated ${files.length} files in ${cdktfJson.codeMakerOutput} and ${pages.size} pages in docs/resources in ${Date.now() - started} ms`);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exitCode = 1;
});
