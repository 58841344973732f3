/**
 * Renders one Markdown page per resource, data source and the provider from the schema
 * in the Terraform registry's layout (example usage, argument reference, attribute reference, import):
 * docs/resources/*.md, written by `npm run docs` and `npm run generate`. Pure: returns file name → content.
 */
import { dataSources } from "./data-sources";
import { PROVIDER_NAME, providerSchema } from "./provider";
import { managedResources } from "./resources";
import type { AttributeSchema, ResourceSchema } from "./types";

const HEADER = "<!-- Generated from src/schema by `npm run docs`; edit the schema, not this file. -->";

function camelCase(snake: string): string {
  return snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function constraints(a: AttributeSchema): string {
  const parts: string[] = [];
  if (a.enum) parts.push(`one of ${a.enum.map((v) => `\`${v}\``).join(", ")}`);
  if (a.range) parts.push(`${a.range.min}–${a.range.max}`);
  if (a.default !== undefined) parts.push(`default \`${JSON.stringify(a.default)}\``);
  if (a.immutable) parts.push("changing it needs a new object");
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

function argumentLine(a: AttributeSchema): string {
  return `- \`${a.name}\` - (${a.required ? "Required" : "Optional"}, ${a.type}) ${a.description}${constraints(a)} Construct property: \`${camelCase(a.name)}\`.`;
}

function attributeLine(a: AttributeSchema): string {
  return `- \`${a.name}\` - (${a.type}) ${a.description} Construct property: \`${camelCase(a.name)}\`.`;
}

/**
 * What `xsnap import ADDRESS UUID` adopts for each managed type (src/cli/import.ts, the kinds'
 * `unadoptable`). A type missing here cannot be imported.
 */
const IMPORTS: Readonly<Record<string, string>> = {
  xapi_snapshot: "a disk-only snapshot of a VM (not one a snapshot schedule took)",
  xapi_checkpoint: "a checkpoint (a snapshot with memory) of a VM (not one a snapshot schedule took)",
  xapi_template: "a template that is neither a snapshot nor one of XAPI's built-in templates",
  xapi_snapshot_schedule: "a snapshot schedule (VMSS) that no other address manages",
  xapi_xva_import: "a VM or template (for instance one an earlier `xsnap restore` imported) that is neither a snapshot nor one of XAPI's built-in templates",
};
const NOT_IMPORTABLE: Readonly<Record<string, string>> = {
  xapi_vm_revert: "A revert is an action, not an object: it cannot be imported.",
  xapi_snapshot_export: "An export is a file, not a pool object: it cannot be imported. The next apply writes the file (again) and records it.",
};

function importSection(r: ResourceSchema): string[] {
  const what = IMPORTS[r.type];
  if (!what) {
    return ["", "## Import", "", NOT_IMPORTABLE[r.type] ?? `\`xsnap import\` does not adopt \`${r.type}\` objects; it adopts snapshots, checkpoints, templates, snapshot schedules and imported VMs.`];
  }
  return ["", "## Import", "",
    `\`xsnap import\` adopts ${what} as the object of an address of the configuration. Only xsnap's own records change (the markers in the object's other_config, or the pool registry entry of a schedule); nothing is created or deleted. The next \`xsnap plan\` shows its configuration as an update in place, which the apply records. The address must be declared in the configuration first (as Terraform requires), and an object another stack manages is refused (forget it there first). \`xsnap inventory\` lists the uuids.`,
    "", "```sh", `xsnap import ${r.type}.NAME UUID`, "```",
    "", "`xsnap forget ADDRESS` is the reverse: the object stays in the pool, unmanaged."];
}

function resourcePage(r: ResourceSchema): string {
  const title = `# ${r.type} (${r.mode === "data" ? "Data Source" : "Resource"})`;
  const inputs = r.attributes.filter((a) => a.required || a.optional);
  const outputs = r.attributes.filter((a) => a.computed && !a.optional && !a.required);
  const lines = [
    HEADER,
    title,
    "",
    r.description,
    ...(r.example ? ["", "## Example Usage", "", "```ts", r.example, "```"] : []),
    "", "## Argument Reference", "", "The following arguments are supported:", "",
    ...inputs.filter((a) => a.required).map(argumentLine),
    ...inputs.filter((a) => !a.required).map(argumentLine),
    ...r.blocks.map((b) => `- \`${b.name}\` - (Optional, block) ${b.description} See [below](#${b.name}-block).`),
    ...(r.exactlyOneOf ?? []).flatMap((g) => ["", `Exactly one of ${g.map((n) => `\`${n}\``).join(", ")} must be set.`]),
    ...r.blocks.flatMap((b) => ["", `### \`${b.name}\` block`, "", b.description, "", ...b.attributes.map(argumentLine)]),
    "", "## Attribute Reference", "",
    // Never a heading over an empty list: a type without computed attributes says so.
    ...(outputs.length === 0 ? ["There are no attributes beyond the arguments above."]
      : [r.mode === "data" ? "In addition to the arguments above, the following attributes are read from the pool:" : "In addition to the arguments above, the following attributes are known after apply:",
        "", ...outputs.map(attributeLine)]),
    ...(r.mode === "managed" ? importSection(r) : []),
  ];
  return `${lines.join("\n")}\n`;
}

function providerPage(): string {
  const lines = [HEADER, `# ${PROVIDER_NAME} Provider`, "", providerSchema.description,
    "", "## Argument Reference", "", ...providerSchema.attributes.map(argumentLine)];
  return `${lines.join("\n")}\n`;
}

export function pageName(r: ResourceSchema): string {
  return r.mode === "data" ? `data-${r.type}.md` : `${r.type}.md`;
}

/** Every docs page: `provider.md`, `<type>.md` per resource, `data-<type>.md` per data source, `README.md`. */
export function renderDocs(): ReadonlyMap<string, string> {
  const pages = new Map<string, string>();
  pages.set("provider.md", providerPage());
  for (const r of [...managedResources, ...dataSources]) pages.set(pageName(r), resourcePage(r));
  const index = [HEADER, "# xsnap resources", "", "- [provider `xapi`](provider.md)",
    ...managedResources.map((r) => `- [\`${r.type}\`](${pageName(r)})`),
    ...dataSources.map((r) => `- [data \`${r.type}\`](${pageName(r)})`)];
  pages.set("README.md", `${index.join("\n")}\n`);
  return pages;
}
