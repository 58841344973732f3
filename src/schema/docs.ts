/**
 * Renders one Markdown page per resource, data source and the provider from the schema
 * (docs/resources/*.md, written by `npm run generate`). Pure: returns file name → content.
 */
import { dataSources } from "./data-sources";
import { PROVIDER_NAME, providerSchema } from "./provider";
import { managedResources } from "./resources";
import type { AttributeSchema, ResourceSchema } from "./types";

const HEADER = "<!-- Generated from src/schema by `npm run generate`; edit the schema, not this file. -->";

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

function attributeLine(a: AttributeSchema): string {
  return `- \`${a.name}\` (${a.type}; construct: \`${camelCase(a.name)}\`) — ${a.description}${constraints(a)}`;
}

function section(title: string, attrs: readonly AttributeSchema[]): string[] {
  return attrs.length === 0 ? [] : ["", `## ${title}`, "", ...attrs.map(attributeLine)];
}

function resourcePage(r: ResourceSchema): string {
  const heading = r.mode === "data" ? `data \`${r.type}\`` : `\`${r.type}\``;
  const inputs = r.attributes.filter((a) => a.required || a.optional);
  const lines = [
    HEADER,
    `# ${heading}`,
    "",
    r.description,
    ...(r.example ? ["", "## Example", "", "```ts", r.example, "```"] : []),
    ...section("Required", inputs.filter((a) => a.required)),
    ...section("Optional", inputs.filter((a) => !a.required)),
    ...r.blocks.flatMap((b) => ["", `## Block \`${b.name}\``, "", b.description, "", ...b.attributes.map(attributeLine)]),
    ...section(r.mode === "data" ? "Read from the pool" : "Known after apply", r.attributes.filter((a) => a.computed && !a.optional)),
  ];
  if (r.exactlyOneOf) lines.push("", ...r.exactlyOneOf.map((g) => `Exactly one of ${g.map((n) => `\`${n}\``).join(", ")} must be set.`));
  return `${lines.join("\n")}\n`;
}

function providerPage(): string {
  const lines = [HEADER, `# provider \`${PROVIDER_NAME}\``, "", providerSchema.description,
    ...section("Arguments", providerSchema.attributes)];
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
