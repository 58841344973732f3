/**
 * `xsnap demo` (`npm start`), the README's first command: the simulator with the `demo` pool runs
 * in-process, and the quickstart stack is planned, applied, planned again (no changes) and listed.
 * It drives the same code as the real commands; only the pool and the folder are chosen for you.
 */
import type { Command } from "commander";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { startSimulator } from "../sim";
import { applySaved } from "./apply";
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

/** The repository (or installed package) root: where examples/quickstart lives. */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "examples", "quickstart", "cdktf.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("examples/quickstart not found above " + __dirname);
    dir = up;
  }
  return dir;
}

async function runDemo(opts: DemoOptions, outer: Io): Promise<ExitCode> {
  const cwd = join(packageRoot(), "examples", "quickstart");
  const sim = await startSimulator({ fixture: "demo", port: 0, taskMs: opts.taskMs });
  const scratch = mkdtempSync(join(tmpdir(), "xsnap-demo-"));
  const planFile = join(scratch, "plan.xsnap");
  const env = { ...outer.env, XAPI_URL: sim.url, XAPI_USERNAME: "root", XAPI_PASSWORD: "xsnap", XSNAP_IN_AUTOMATION: "1" };
  const io = processIo(opts, env);
  const p = io.paint;
  const step = (n: number, command: string, why: string): void =>
    io.out(`\n${p.bold(p.cyan(`── ${n}/4  $ ${command}`))}  ${p.dim(`# ${why}`)}\n`);
  const flags = { cwd, color: opts.color, target: [], replace: [], parallelism: 4, lockTimeout: 0 };
  try {
    io.out([
      p.bold("xsnap demo"),
      `An XAPI simulator with the "demo" pool is listening on ${sim.url} (user root, password xsnap).`,
      `The stack is ${relative(process.cwd(), cwd) || "."}/main.ts: a snapshot of web-01 and a checkpoint of db-01.`,
    ].join("\n"));
    step(1, "xsnap plan --out plan.xsnap", "what would change? (saved for review, as in CI)");
    const planned = await runPlan({ ...flags, format: "text", detailedExitcode: true, out: planFile }, io);
    if (planned !== EXIT.changes) return failed(io, "the first plan", planned);
    // The app ran once (step 1); the later steps read what it synthesized instead of running it again.
    const synthesized = { ...flags, config: join(cwd, "cdktf.out") };
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
      p.bold(p.green("Demo complete.")) + " Next: run `npx xsnap sim` in one terminal and, in another, at the repository root",
      "(its cdktf.json runs examples/quickstart/main.ts):",
      "  export XAPI_URL=http://127.0.0.1:<port> XAPI_USERNAME=root XAPI_PASSWORD=xsnap   # the line xsnap sim prints",
      "  npx xsnap plan   # edit examples/quickstart/main.ts, plan again, then apply",
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
