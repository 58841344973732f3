/**
 * The examples shown after each command's `--help` and on its docs page (docs/commands/*.md,
 * `npm run docs`): one table, so the help and the docs say the same words. The summary line of each
 * command is its commander description; this table adds what a user types.
 */
import type { Command } from "commander";

export interface HelpExample {
  readonly command: string;
  /** One line: what it does. */
  readonly note: string;
}

/** Keyed by the command's path below `xsnap` ("" = the program itself, "lock status", ...). */
export const COMMAND_EXAMPLES: Readonly<Record<string, readonly HelpExample[]>> = {
  "": [
    { command: "xsnap demo", note: "the quickstart stack planned and applied on a built-in simulator" },
    { command: "xsnap plan --out plan.xsnap", note: "plan against the pool of the provider block (or XAPI_URL), save the plan" },
    { command: "xsnap apply plan.xsnap", note: "apply exactly that plan (exit 4 if the pool changed since)" },
  ],
  apply: [
    { command: "xsnap apply plan.xsnap", note: "apply a saved plan; refused (exit 4) if the pool changed since the plan" },
    { command: "xsnap apply --auto-approve --json", note: "plan and apply in one step without asking, progress as JSON lines" },
  ],
  demo: [
    { command: "xsnap demo", note: "plan, apply and plan again on a simulated pool (what `npm start` runs)" },
  ],
  destroy: [
    { command: "xsnap destroy --target xapi_snapshot.web_before_upgrade", note: "destroy one managed object (after typing yes)" },
  ],
  export: [
    { command: "xsnap export \"web-01 before upgrade\" --out web-01.xva --compress", note: "one snapshot to a gzip'd XVA file" },
  ],
  forget: [
    { command: "xsnap forget xapi_snapshot.web_before_upgrade", note: "stop managing the object; it stays in the pool" },
  ],
  import: [
    { command: "xsnap import xapi_snapshot.web_before_upgrade 6f1c7c9e-2b1d-4c55-9d7e-3a1f0b2c4d5e", note: "adopt an existing snapshot (`xsnap inventory` lists uuids)" },
  ],
  inventory: [
    { command: "xsnap inventory --vm web-01", note: "snapshots, checkpoints, templates and schedules of one VM, managed or not" },
  ],
  lock: [
    { command: "xsnap lock status", note: "who holds the lock of the stack, per pool" },
  ],
  "lock status": [
    { command: "xsnap lock status --json", note: "the lock of the stack on each pool, as JSON" },
  ],
  "force-unlock": [
    { command: "xsnap force-unlock 7d0c1f4e-2b9a-4c1e-9f3d-5a6b7c8d9e0f", note: "remove the lock of a run that died (the full ID is in the lock error and in `xsnap lock status`)" },
  ],
  plan: [
    { command: "xsnap plan --out plan.xsnap", note: "save the plan for `xsnap apply plan.xsnap`" },
    { command: "xsnap plan --format markdown > plan.md", note: "the plan as a PR comment" },
    { command: "xsnap plan --detailed-exitcode", note: "drift check: exit 0 no changes, 2 changes, 1 error" },
  ],
  recover: [
    { command: "xsnap recover", note: "list what an interrupted apply left (exit 6 when it blocks apply)" },
    { command: "xsnap recover --discard 2bedd957-0c4f-4d7e-a1b2-3c4d5e6f7a8b", note: "drop that pending operation (its full intent ID is in the plan) and uninstall what it half-created" },
  ],
  restore: [
    { command: "xsnap restore web-01.xva --sr \"Local storage\" --name \"web-01 restored\"", note: "import an XVA file into an SR" },
  ],
  show: [
    { command: "xsnap show plan.xsnap --format markdown", note: "print a saved plan as Markdown" },
  ],
  sim: [
    { command: "xsnap sim --port 8080", note: "a simulated XCP-ng pool on 127.0.0.1:8080 (user root, password xsnap)" },
    { command: "xsnap sim --port 8081 --seed 2", note: "a second, distinct pool (another seed: other uuids), e.g. for the multi-pool examples" },
    {
      command: "xsnap sim --fixture lab.json",
      note: 'a pool from JSON: {"pool": "lab", "hosts": [{"name_label": "h1", "address": "10.0.0.1"}], "srs": [{"name_label": "nfs", "type": "nfs", "size": "1TiB", "used": "10GiB"}], "default_SR": "nfs", "suspend_image_SR": "nfs", "vms": [{"name_label": "web", "power_state": "Running", "memory": "2GiB", "os": "debian", "disks": [{"size": "20GiB", "sr": "nfs"}], "snapshots": [{"name_label": "s1"}]}], "vmss": [{"name_label": "nightly", "type": "snapshot", "frequency": "daily", "vms": ["web"]}]} (sizes in bytes or like "20GiB"; references by name_label)',
    },
  ],
  synth: [
    { command: "xsnap synth", note: "run the app of ./cdktf.json into cdktf.out, as `cdktf synth` does" },
  ],
  validate: [
    { command: "xsnap validate --config cdktf.out", note: "check a synthesized config against the schema, offline" },
  ],
};

/** The exit codes (src/cli/exit-codes.ts), in the words of the README's table. */
export const EXIT_CODE_MEANINGS: readonly (readonly [code: number, meaning: string, short: string])[] = [
  [0, "success; with `--detailed-exitcode`: no changes", "ok"],
  [1, "error: invalid configuration, XAPI or authentication error, preflight failure, protect violation, apply refused without approval", "error"],
  [2, "`plan --detailed-exitcode` only: the plan has changes, or an interrupted apply's operations to settle", "changes (--detailed-exitcode)"],
  [3, "the pool lock is held by another run (within `--lock-timeout`)", "lock held"],
  [4, "the saved plan is stale, or was made for another pool", "stale plan"],
  [5, "apply incomplete: something was applied, something failed or was skipped", "apply incomplete"],
  [6, "an interrupted apply left an ambiguous operation: run `xsnap recover`", "run xsnap recover"],
  [7, "cancelled before any change (approval declined, interrupted while planning)", "cancelled"],
];

/** `plan`, `lock status`, ... for a command; "" for the program. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

export function examplesText(examples: readonly HelpExample[]): string {
  const width = Math.max(...examples.map((e) => e.command.length));
  return ["", examples.length === 1 ? "Example:" : "Examples:",
    ...examples.map((e) => `  ${e.command.padEnd(width)}  # ${e.note}`)].join("\n");
}

/** Adds each command's examples after its help; every command must have an entry (a test checks). */
export function addExamples(cmd: Command): void {
  const examples = COMMAND_EXAMPLES[commandPath(cmd)];
  if (examples && examples.length > 0) cmd.addHelpText("after", examplesText(examples));
  if (!cmd.parent) cmd.addHelpText("after", `\nExit codes: ${EXIT_CODE_MEANINGS.map(([code, , short]) => `${code} ${short}`).join(" · ")}`);
  for (const sub of cmd.commands) addExamples(sub);
}
