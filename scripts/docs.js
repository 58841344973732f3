#!/usr/bin/env node
"use strict";
// `npm run docs`: docs/resources/*.md from src/schema (the Terraform registry's layout) and
// docs/commands/*.md from the commander program of src/cli (its usage, arguments, options, and the
// examples of src/cli/help-text.ts, which `xsnap CMD --help` prints too).
// `node scripts/docs.js --out DIR` writes into DIR/resources and DIR/commands instead (the freshness
// test compares that with docs/). Reads the TypeScript directly (transpiled in memory): no build needed.
const fs = require("fs");
const path = require("path");

require("./require-ts");

const root = path.resolve(__dirname, "..");
const outFlag = process.argv.indexOf("--out");
const out = outFlag >= 0 ? path.resolve(process.argv[outFlag + 1]) : path.join(root, "docs");

const { renderDocs } = require(path.join(root, "src/schema/docs.ts"));
const { renderCommandDocs } = require(path.join(root, "src/cli/docs.ts"));

function writeFolder(dir, pages) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of pages) fs.writeFileSync(path.join(dir, name), text);
  return pages.size;
}

const resources = writeFolder(path.join(out, "resources"), renderDocs());
const commands = writeFolder(path.join(out, "commands"), renderCommandDocs());
console.log(`wrote ${resources} pages in ${path.relative(process.cwd(), path.join(out, "resources")) || "."} and ${commands} in ${path.relative(process.cwd(), path.join(out, "commands")) || "."}`);
