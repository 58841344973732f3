#!/usr/bin/env node
"use strict";
// `npm run generate`: src/schema → the cdktf bindings and docs/resources (one page per type).
// Its settings are cdktf's own keys in the top-level cdktf.json, as `cdktf get` reads them:
// `codeMakerOutput` (where the bindings go: src/constructs) and `terraformProviders` (the provider's
// source and version, which src/schema/provider.ts reads from the same file).
// Also examples/quickstart as cdktf synthesizes it (src/cli/demo-quickstart.json), for `xsnap demo`
// in an installed package, which has neither examples/ nor ts-node to run the app.
// Reads the TypeScript sources directly (transpiled in memory), so it needs no prior build.
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
  fs.writeFileSync(path.join(root, DEMO_STACK), `${JSON.stringify(synthesizedQuickstart(), null, 2)}\n`);
  console.log(`generated ${files.length} files in ${cdktfJson.codeMakerOutput}, ${pages.size} pages in docs/resources and ${DEMO_STACK} in ${Date.now() - started} ms`);
}

const DEMO_STACK = "src/cli/demo-quickstart.json";

/** The quickstart stack's cdk.tf.json, without the local backend cdktf adds (an absolute path; xsnap keeps no state). */
function synthesizedQuickstart() {
  const { App } = require("cdktf");
  const { QuickstartStack } = require(path.join(root, "examples/quickstart/main.ts"));
  const outdir = fs.mkdtempSync(path.join(require("os").tmpdir(), "xsnap-quickstart-"));
  try {
    const app = new App({ outdir });
    new QuickstartStack(app, "quickstart");
    app.synth();
    const doc = JSON.parse(fs.readFileSync(path.join(outdir, "stacks/quickstart/cdk.tf.json"), "utf8"));
    delete doc.terraform.backend;
    return doc;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exitCode = 1;
});
