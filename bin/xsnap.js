#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled TypeScript in dist/ (npm run build).
require("../dist/src/cli/main.js").main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exitCode = 1; },
);
