#!/usr/bin/env node
/**
 * Renders the plan-scale figures (bench/results/plan-scale.json, written by `npm run bench plan-scale`)
 * as SVG charts for docs/benchmarks.md, with Vega-Lite compiled to Vega and rendered headless (no
 * browser, no canvas: Vega's SVG renderer is plain string output).
 * usage: node bench/plot.js [results.json] [out-dir]   (defaults: bench/results/plan-scale.json, docs/)
 */
"use strict";
const fs = require("fs");
const path = require("path");
const vega = require("vega");
const vegaLite = require("vega-lite");

const root = path.resolve(__dirname, "..");
const input = process.argv[2] ?? path.join(root, "bench", "results", "plan-scale.json");
const outDir = process.argv[3] ?? path.join(root, "docs");
const doc = JSON.parse(fs.readFileSync(input, "utf8"));

const rows = [];
for (const r of doc.results) {
  rows.push({ vms: r.vms, what: "xsnap plan (login + read + plan)", seconds: r.planS, mb: r.planPeakRssMb });
  // A failed fetch (xen-api at 10,000 VMs) has no point on the time chart.
  if (!r.peerError && r.peerS !== null) rows.push({ vms: r.vms, what: "xen-api raw fetch (best transport)", seconds: r.peerS, mb: r.peerPeakRssMb });
  // Results from before the floor was measured have none.
  if (typeof r.floorS === "number") rows.push({ vms: r.vms, what: "receive only, nothing parsed (the floor)", seconds: r.floorS });
}

const axisX = { field: "vms", type: "quantitative", title: "VMs in the pool (× 10 snapshots each)", scale: { type: "log" }, axis: { values: doc.results.map((r) => r.vms), format: "," } };
const color = { field: "what", type: "nominal", title: null, legend: { orient: "top", direction: "vertical" } };

async function render(name, spec) {
  const compiled = vegaLite.compile({ $schema: "https://vega.github.io/schema/vega-lite/v5.json", width: 520, height: 260, ...spec }).spec;
  const svg = await new vega.View(vega.parse(compiled), { renderer: "none" }).toSVG();
  const file = path.join(outDir, name);
  fs.writeFileSync(file, `${svg}\n`);
  console.log(`wrote ${path.relative(root, file)}`);
}

/** The Markdown table of docs/benchmarks.md, printed for pasting. */
function table() {
  const f = (n, d = 1) => Number(n).toFixed(d);
  const lines = [
    "| VMs (VM records) | sim build s / peak MB | XAPI calls | plan s (read + plan) | plan CPU s | plan peak RSS MB | xen-api best fetch s (transport) | xen-api peak RSS MB | ratio | receive-only floor s (ratio) | load (1 min) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of doc.results) {
    const peer = r.peerError ? `failed: ${r.peerError}` : `${f(r.peerS, 2)} (${r.peerTransport})`;
    const ratio = r.peerError || r.ratio === null ? "—" : f(r.ratio, 2);
    const floor = typeof r.floorS !== "number" ? "—" : `${f(r.floorS, 2)} (${r.peerError || r.floorRatio === null ? "—" : f(r.floorRatio, 2)})`;
    lines.push(
      `| ${r.vms.toLocaleString("en")} (${r.vmRecords.toLocaleString("en")}) | ${f(r.simBuildS)} / ${f(r.simPeakRssMb, 0)} | ${r.calls} | ${f(r.planS, 2)} (${f(r.readS, 2)} + ${f(r.planOnlyMs / 1000, 2)}) | ${f(r.planCpuS, 2)} | ${f(r.planPeakRssMb, 0)} | ` +
        `${peer} | ${r.peerError ? "—" : f(r.peerPeakRssMb, 0)} | **${ratio}** | ${floor} | ${r.load.map((l) => f(l, 1)).join(" → ")} |`,
    );
  }
  console.log(lines.join("\n"));
}

async function main() {
  table();
  const subtitle = `${doc.cores} cores, node ${doc.node}, ${doc.date.slice(0, 10)}; best of ${doc.rounds} rounds`;
  await render("benchmarks-plan-time.svg", {
    title: { text: "Plan wall time vs a raw fetch by xen-api", subtitle },
    data: { values: rows },
    layer: [
      { mark: { type: "line", point: true }, encoding: { x: axisX, y: { field: "seconds", type: "quantitative", title: "seconds", scale: { type: "log" } }, color } },
    ],
  });
  await render("benchmarks-plan-memory.svg", {
    title: { text: "Peak RSS of the plan process (bar: 400 MB)", subtitle },
    data: { values: rows.filter((r) => r.what.startsWith("xsnap")) },
    layer: [
      { mark: { type: "line", point: true }, encoding: { x: axisX, y: { field: "mb", type: "quantitative", title: "MB" }, color } },
      { data: { values: [{ mb: 400 }] }, mark: { type: "rule", strokeDash: [4, 4], color: "firebrick" }, encoding: { y: { field: "mb", type: "quantitative" } } },
    ],
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
