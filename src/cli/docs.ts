/**
 * docs/commands/*.md (`npm run docs`): one page per command, rendered from the commander program
 * itself (its usage, description, arguments and options) plus the examples of help-text.ts, so the
 * pages cannot drift from `xsnap CMD --help`. Pure: returns file name → content.
 */
import type { Argument, Command, Option } from "commander";
import { buildProgram } from "./main";
import { COMMAND_EXAMPLES, EXIT_CODE_MEANINGS, commandPath, type HelpExample } from "./help-text";

const HEADER = "<!-- Generated from the CLI definitions in src/cli by `npm run docs`; edit src/cli (help-text.ts for examples), not this file. -->";

/** `plan.md`, `lock-status.md`, ...; the program's page is README.md. */
export function commandPageName(cmd: Command): string {
  const p = commandPath(cmd);
  return p === "" ? "README.md" : `${p.replace(/ /g, "-")}.md`;
}

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

function exampleBlock(examples: readonly HelpExample[] | undefined): string[] {
  if (!examples || examples.length === 0) return [];
  return ["", examples.length === 1 ? "## Example" : "## Examples", "", "```sh",
    ...examples.map((e) => `${e.command}   # ${e.note}`), "```"];
}

function argumentLine(a: Argument): string {
  const name = a.required ? `<${a.name()}>` : `[${a.name()}]`;
  return `- \`${name}\`${a.description ? ` — ${a.description}` : ""}${a.required ? "" : " (optional)"}`;
}

function optionLine(o: Option): string {
  const extra: string[] = [];
  if (o.argChoices) extra.push(`one of ${o.argChoices.map((c) => `\`${c}\``).join(", ")}`);
  const shown = o.defaultValueDescription ?? (o.defaultValue !== undefined && !o.negate ? (typeof o.defaultValue === "string" ? o.defaultValue : JSON.stringify(o.defaultValue)) : undefined);
  if (shown !== undefined) extra.push(`default \`${shown}\``);
  return `- \`${o.flags}\` — ${o.description}${extra.length > 0 ? ` (${extra.join("; ")})` : ""}`;
}

function visibleOptions(cmd: Command): Option[] {
  return cmd.options.filter((o) => !o.hidden && o.long !== "--version");
}

function commandPage(cmd: Command): string {
  const path = commandPath(cmd);
  const lines = [HEADER, `# xsnap ${path}`, "", `${capitalize(cmd.description())}.`, "", "## Usage", "", "```sh",
    `xsnap ${path} ${cmd.usage()}`, "```", ...exampleBlock(COMMAND_EXAMPLES[path])];
  if (cmd.registeredArguments.length > 0) lines.push("", "## Arguments", "", ...cmd.registeredArguments.map(argumentLine));
  if (cmd.commands.length > 0) {
    lines.push("", "## Subcommands", "", ...cmd.commands.map((c) => `- [\`xsnap ${commandPath(c)}\`](${commandPageName(c)}) — ${c.description()}`));
  }
  const options = visibleOptions(cmd);
  if (options.length > 0) lines.push("", "## Options", "", ...options.map(optionLine));
  lines.push("", "Exit codes: see [the table](README.md#exit-codes).");
  return `${lines.join("\n")}\n`;
}

function indexPage(program: Command): string {
  const lines = [HEADER, "# xsnap commands", "", `${capitalize(program.description())}.`, "", "```sh", `xsnap ${program.usage()}`, "```",
    ...exampleBlock(COMMAND_EXAMPLES[""]),
    "", "## Commands", "",
    ...allCommands(program).slice(1).map((c) => `- [\`xsnap ${commandPath(c)}\`](${commandPageName(c)}) — ${c.description()}`),
    "", "## Connection", "",
    "Every command that talks to a pool finds it the same way: the `xapi` provider block of the stack (`--config`, or the cdktf app in `./cdktf.json`; `--stack` picks one), with `XAPI_URL` / `XAPI_USERNAME` filling what the block leaves out. The password comes only from the environment: `XAPI_PASSWORD`, or the variable the block names in `password_env`. `XSNAP_IN_AUTOMATION=1` drops the next-step hints; `NO_COLOR` turns colour off.",
    "", "## Exit codes", "", "| code | meaning |", "|---|---|",
    ...EXIT_CODE_MEANINGS.map(([code, meaning]) => `| ${code} | ${meaning} |`)];
  return `${lines.join("\n")}\n`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Every page of docs/commands: README.md (the program, the index, the exit codes) and one per command. */
export function renderCommandDocs(program: Command = buildProgram()): ReadonlyMap<string, string> {
  const pages = new Map<string, string>();
  pages.set("README.md", indexPage(program));
  for (const cmd of allCommands(program).slice(1)) pages.set(commandPageName(cmd), commandPage(cmd));
  return pages;
}
