/** Options shared by several commands, and the parsers that validate their values. */
import { InvalidArgumentError, Option, type Command } from "commander";
import { isAddressSyntax } from "../model";

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** A repeatable address flag: a typo in its syntax is refused before anything is read. */
const collectAddress = (value: string, previous: string[] | undefined): string[] => {
  if (!isAddressSyntax(value)) throw new InvalidArgumentError(`expected a resource address such as xapi_snapshot.web or data.xapi_vm.web (got ${JSON.stringify(value)}).`);
  return collect(value, previous);
};

/** Every command that talks to a pool finds it the same way (DESIGN §4 small print). */
export function withPoolOptions(cmd: Command): Command {
  return cmd
    .option("--config <path>", "a cdk.tf.json file or a cdktf.out folder (default: run the app in ./cdktf.json)")
    .option("--stack <name>", "the stack to use when the config holds several")
    .option("--no-color", "no colour in the output (also NO_COLOR, or when not a terminal)");
}

export interface PlanFlags {
  /** Folder to run in (default: the process's); `xsnap demo` points it at examples/quickstart. */
  readonly cwd?: string;
  readonly config?: string;
  readonly stack?: string;
  readonly target?: string[];
  readonly replace?: string[];
  readonly destroy?: boolean;
  readonly parallelism: number;
  readonly lock?: boolean;
  readonly lockTimeout: number;
  readonly color: boolean;
}

/** The planning options of DESIGN §4, for `plan` and for `apply` without a plan file. */
export function withPlanOptions(cmd: Command, options: { readonly destroyMode: boolean }): Command {
  withPoolOptions(cmd).option("--target <address>", "only this address and what it depends on (repeatable)", collectAddress);
  if (!options.destroyMode) {
    cmd.option("--replace <address>", "retake this snapshot/checkpoint, create before destroy (repeatable)", collectAddress)
      .option("--destroy", "plan the destruction of every object the stack manages");
  }
  return cmd
    .option("--parallelism <n>", "changes applied at once, across VMs (one at a time per VM)", parsePositiveInt, 4)
    .addOption(new Option("--lock-timeout <duration>", "how long to wait for the pool lock, e.g. 30s, 10m").argParser(parseDuration).default(0, "0s"));
}

export function parsePositiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError("expected a whole number of at least 1.");
  return Number(value);
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `0s`, `30s`, `10m`, `1h30m`, `500ms` → milliseconds. */
export function parseDuration(value: string): number {
  const parts = [...value.matchAll(/(\d+)(ms|s|m|h)/g)];
  if (value === "" || parts.map((m) => m[0]).join("") !== value) {
    throw new InvalidArgumentError("expected a duration such as 0s, 30s or 10m.");
  }
  return parts.reduce((total, m) => total + Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000), 0);
}
