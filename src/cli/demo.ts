/**
 * `xsnap demo` (`npm start`), the README's first command: the simulator with the `demo` pool runs
 * in-process, and the quickstart stack is planned, applied, planned again (no changes) and listed.
 * It drives the same code as the real commands; only the pool and the folder are chosen for you.
 */
import type { Command } from "commander";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { startSimulator } from "../sim";
import { applySaved } from "./apply";
import quickstart from "./demo-quickstart.json";
import { EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { processIo, type Io } from "./io";
import { runInventory } from "./inventory";
import { runPlan } from "./plan";

interface DemoOptions {
  readonly color: boolean;
  readonly taskMs: number;
}

export function register(program: Command, setExit: (code: number) => void): void {
  program.command("demo").description("plan and apply examples/quickstart against a built-in XAPI simulator (nothing leaves this machine)")
    .option("--no-color", "no colour in the output (also NO_COLOR, or when not a terminal)")
    .action(async (opts: Omit<DemoOptions, "taskMs">) => {
      const io = processIo(opts);
      // Tasks take a little time, as on a pool, so progress lines mean something.
      await runCommand(io, setExit, () => runDemo({ ...opts, taskMs: 1200 }, io));
    });
}

/** examples/quickstart in a checkout of the repository; undefined in an installed package, which ships no examples. */
function quickstartApp(): string | undefined {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const app = join(dir, "examples", "quickstart");
    if (existsSync(join(app, "cdktf.json"))) return app;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Where the demo runs and what it plans: the quickstart app itself in a checkout (its cdktf.json runs
 * main.ts), else the same stack as `npm run generate` synthesized it, written into the scratch folder.
 */
function demoStack(scratch: string): { readonly cwd: string; readonly config?: string; readonly shown: string; readonly where: string } {
  const app = quickstartApp();
  if (app) {
    return { cwd: app, shown: `${relative(process.cwd(), app) || "."}/main.ts`, where: "at the repository root\n(its cdktf.json runs examples/quickstart/main.ts)" };
  }
  const config = join(scratch, "cdk.tf.json");
  writeFileSync(config, `${JSON.stringify(quickstart, null, 2)}\n`);
  return { cwd: scratch, config, shown: "xsnap's examples/quickstart/main.ts (as synthesized when this package was built)", where: "in your cdktf app's folder\n(the README's \"Using xsnap in your cdktf app\" shows its main.ts)" };
}

async function runDemo(opts: DemoOptions, outer: Io): Promise<ExitCode> {
  const sim = await startSimulator({ fixture: "demo", port: 0, taskMs: opts.taskMs });
  const scratch = mkdtempSync(join(tmpdir(), "xsnap-demo-"));
  const stack = demoStack(scratch);
  const cwd = stack.cwd;
  const planFile = join(scratch, "plan.xsnap");
  const env = { ...outer.env, XAPI_URL: sim.url, XAPI_USERNAME: "root", XAPI_PASSWORD: "xsnap", XSNAP_IN_AUTOMATION: "1" };
  const io = processIo(opts, env);
  const p = io.paint;
  const step = (n: number, command: string, why: string): void =>
    io.out(`\n${p.bold(p.cyan(`── ${n}/4  $ ${command}`))}  ${p.dim(`# ${why}`)}\n`);
  const flags = { cwd, ...(stack.config ? { config: stack.config } : {}), color: opts.color, target: [], replace: [], parallelism: 4, lockTimeout: 0 };
  try {
    io.out([
      p.bold("xsnap demo"),
      `An XAPI simulator with the "demo" pool is listening on ${sim.url} (user root, password xsnap).`,
      `The stack is ${stack.shown}: a snapshot of web-01 and a checkpoint of db-01.`,
    ].join("\n"));
    step(1, "xsnap plan --out plan.xsnap", "what would change? (saved for review, as in CI)");
    const planned = await runPlan({ ...flags, format: "text", detailedExitcode: true, out: planFile }, io);
    if (planned !== EXIT.changes) return failed(io, "the first plan", planned);
    // The app ran once (step 1); the later steps read what it synthesized instead of running it again.
    const synthesized = { ...flags, config: stack.config ?? join(cwd, "cdktf.out") };
    step(2, "xsnap apply plan.xsnap", "perform exactly the reviewed plan; the file is the approval");
    const applied = await applySaved(planFile, synthesized, io);
    if (applied !== EXIT.ok) return failed(io, "apply", applied);
    step(3, "xsnap plan", "the pool now matches the configuration");
    const again = await runPlan({ ...synthesized, format: "text", detailedExitcode: true }, io);
    if (again !== EXIT.ok) return failed(io, "the second plan", again);
    step(4, "xsnap inventory", "managed, unmanaged and schedule-owned snapshots per VM");
    const listed = await runInventory({ cwd, config: synthesized.config, color: opts.color }, io);
    if (listed !== EXIT.ok) return failed(io, "inventory", listed);
    io.out([
      "",
      `${p.bold(p.green("Demo complete."))} Next: run \`npx xsnap sim\` in one terminal and, in another, ${stack.where}:`,
      "  export XAPI_URL=http://127.0.0.1:<port> XAPI_USERNAME=root XAPI_PASSWORD=xsnap   # the line xsnap sim prints",
      "  npx xsnap plan   # edit main.ts, plan again, then apply",
    ].join("\n"));
    return EXIT.ok;
  } finally {
    await sim.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function failed(io: Io, what: string, code: ExitCode): ExitCode {
  io.err(io.errPaint.red(`xsnap demo: ${what} ended with exit code ${code}; see above.`));
  return code === EXIT.ok ? EXIT.error : code;
}
