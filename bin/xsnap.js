#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled TypeScript in dist/ (built by `npm install` in a clone, shipped in the package).
const path = require("path");
const main = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
if (!require("fs").existsSync(main)) {
  console.error("xsnap is not built: run `npm run build` in " + path.dirname(__dirname));
  process.exitCode = 1;
} else {
  require(main).main(process.argv).then(
    (code) => { process.exitCode = code; },
    (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
  );
}
