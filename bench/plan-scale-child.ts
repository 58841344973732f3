/**
 * One measured plan, alone in its process (bench/plan-scale): connect, the one batched read, plan a
 * stack read from a JSON file; prints `{ms, readMs, planMs, calls, maxRssMb, …}`. Peak RSS is the
 * process's own (getrusage), so nothing the bench did before (seeding, earlier sizes) counts.
 * usage: node dist/bench/plan-scale-child.js URL STACK.json
 */
import { readFileSync } from "fs";
import { planStack } from "../src/engine/planner";
import { connect } from "../src/xapi";
import type { DesiredStack } from "../src/model";

async function main(): Promise<void> {
  const [url = "", stackFile = ""] = process.argv.slice(2);
  const stack = JSON.parse(readFileSync(stackFile, "utf8")) as DesiredStack;
  let calls = 0;
  const log = (line: string): void => {
    if (line.startsWith("→")) calls++;
  };
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const client = await connect({ url, username: "root", password: "xsnap", callTimeoutMs: 900_000, log });
  const view = await client.readPoolView();
  const read = process.hrtime.bigint();
  const plan = planStack({
    stack, provider: "default", view,
    pool: { uuid: view.pool.uuid, name_label: view.pool.name_label, url, xapi_version: view.xapiVersion, insecure: false },
  });
  const done = process.hrtime.bigint();
  await client.close();
  const cpu = process.cpuUsage(cpu0);
  const actions = plan.changes.reduce<Record<string, number>>((m, c) => ({ ...m, [c.action]: (m[c.action] ?? 0) + 1 }), {});
  const errors = plan.diagnostics.filter((d) => d.severity === "error").length;
  process.stdout.write(`${JSON.stringify({
    ms: Number(done - started) / 1e6, readMs: Number(read - started) / 1e6, planMs: Number(done - read) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000, calls, maxRssMb: process.resourceUsage().maxRSS / 1024,
    vmRecords: view.vms.size, actions, errors,
  })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
