#!/usr/bin/env node
/**
 * `npm run bench [-- NAME...]`: runs every benchmark, each in its own node process so heaps and
 * JIT state do not leak between them. A benchmark is `bench/NAME.bench.js`, or `bench/NAME.bench.ts`
 * compiled by `npm run build` to `dist/bench/NAME.bench.js`. Each prints its own numbers and ratios.
 * Exit code: 1 if any benchmark fails (a bench fails when a quality bar it checks is missed).
 */
"use strict";
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const dirs = [path.join(root, "bench"), path.join(root, "dist", "bench")];

function discover() {
  const found = new Map();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).sort()) {
      if (file.endsWith(".bench.js")) found.set(file.slice(0, -".bench.js".length), path.join(dir, file));
    }
  }
  return found;
}

const all = discover();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.has(name));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(", ")} (have: ${[...all.keys()].join(", ")})`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : [...all.keys()];
let failed = 0;
for (const name of names) {
  console.log(`\n=== bench ${name} ===`);
  const started = Date.now();
  // --expose-gc lets benches settle the heap between measurements. Default heap limit: a larger
  // one would let V8 defer collection and inflate the peak RSS the benches report.
  const result = spawnSync(process.execPath, ["--expose-gc", all.get(name)], {
    stdio: "inherit",
    cwd: root,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    failed++;
    console.log(`--- ${name}: FAILED (exit ${result.status ?? result.signal}) after ${seconds}s`);
  } else {
    console.log(`--- ${name}: ok in ${seconds}s`);
  }
}
process.exit(failed > 0 ? 1 : 0);
