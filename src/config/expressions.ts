/**
 * Terraform-JSON string values: a literal, a single reference (`${type.name.attr}` /
 * `${data.type.name.attr}`), or anything else, which xsnap refuses rather than half-evaluates.
 * Pure.
 */

export type ParsedString =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "reference"; readonly mode: "managed" | "data"; readonly type: string; readonly name: string; readonly attribute: string }
  | { readonly kind: "unsupported"; readonly why: string };

const NAME = "[A-Za-z_][A-Za-z0-9_-]*";
const MANAGED_REF = new RegExp(`^(${NAME})\\.(${NAME})\\.(${NAME})$`);
/** First words of Terraform expressions that look like `a.b.c` but are not resource attributes. */
const NOT_RESOURCES = new Set(["data", "var", "local", "module", "path", "terraform", "each", "count", "self"]);
const DATA_REF = new RegExp(`^data\\.(${NAME})\\.(${NAME})\\.(${NAME})$`);

/** Index of the first `${` or `%{` that starts an expression (`$${` and `%%{` are escapes), or -1. */
function firstTemplateStart(s: string): number {
  for (let i = 0; i < s.length - 1; i++) {
    const c = s[i];
    if ((c === "$" || c === "%") && s[i + 1] === "{") {
      if (i > 0 && s[i - 1] === c) continue; // an escape: `$${` is a literal `${`
      return i;
    }
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

export function parseString(s: string): ParsedString {
  const start = firstTemplateStart(s);
  if (start < 0) return { kind: "literal", value: unescape(s) };
  if (s[start] === "%") return { kind: "unsupported", why: "template directives (%{...}) are not supported" };
  const close = s.indexOf("}", start);
  const whole = start === 0 && close === s.length - 1;
  if (!whole) {
    return { kind: "unsupported", why: "interpolation inside a longer string is not supported; use a reference on its own" };
  }
  const inner = s.slice(2, -1).trim();
  const data = DATA_REF.exec(inner);
  if (data) return { kind: "reference", mode: "data", type: data[1], name: data[2], attribute: data[3] };
  const managed = MANAGED_REF.exec(inner);
  if (managed && !NOT_RESOURCES.has(managed[1])) {
    return { kind: "reference", mode: "managed", type: managed[1], name: managed[2], attribute: managed[3] };
  }
  return { kind: "unsupported", why: "only references like ${type.name.attr} or ${data.type.name.attr} are supported" };
}

/** `type.name` / `data.type.name` in `depends_on`, with or without `${...}` around it. */
export function parseDependsOn(s: string): { readonly mode: "managed" | "data"; readonly type: string; readonly name: string } | undefined {
  const inner = s.startsWith("${") && s.endsWith("}") ? s.slice(2, -1).trim() : s;
  const data = new RegExp(`^data\\.(${NAME})\\.(${NAME})$`).exec(inner);
  if (data) return { mode: "data", type: data[1], name: data[2] };
  const managed = new RegExp(`^(${NAME})\\.(${NAME})$`).exec(inner);
  if (managed && managed[1] !== "data") return { mode: "managed", type: managed[1], name: managed[2] };
  return undefined;
}
