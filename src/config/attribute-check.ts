/**
 * Checks one converted attribute value against its schema: type, enum, range, non-empty, regex.
 * References are checked by the type of the attribute they read. Pure; reports, never throws.
 */
import { error, type Address, type Diagnostic, isAttrRef, type AttrRef, type ConfigValue } from "../model";
import type { AttributeSchema, AttrType } from "../schema";
import { referencedType, type ReferenceScope } from "./references";

export interface CheckContext {
  readonly address: Address;
  readonly scope: ReferenceScope;
  readonly diagnostics: Diagnostic[];
}

const TYPE_WORDS: Readonly<Record<AttrType, string>> = {
  "string": "a string",
  "number": "a number",
  "bool": "true or false",
  "list(string)": "a list of strings",
};

function describe(v: ConfigValue, scope: ReferenceScope): string {
  if (isAttrRef(v)) {
    const t = referencedType(v, scope);
    return `${v.ref.address}.${v.ref.attribute}, which is ${t === "block" ? "a block" : t ? TYPE_WORDS[t] : "unknown"}`;
  }
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return `${typeof v === "string" ? "string" : typeof v} ${quoteShort(JSON.stringify(v))}`;
}

/** A value as a one-line message can hold it: a 50 MB string is cut, not printed. */
const quoteShort = (json: string): string => (json.length > 80 ? `${json.slice(0, 60)}…" (${json.length} characters)` : json);

/**
 * XAPI refuses an XML-RPC request over 300 KiB (xapi_globs http_limit_max_rpc_size) before reading it,
 * so a longer string could only fail inside apply; names and descriptions are far shorter than this.
 */
export const MAX_STRING_LENGTH = 65_536;

/** Terraform converts numbers to strings; xsnap accepts that for references only. */
function refFits(ref: AttrRef, type: AttrType, scope: ReferenceScope): boolean {
  const t = referencedType(ref, scope);
  if (t === undefined) return true; // target type unknown: reported elsewhere
  return t === type || (type === "string" && t === "number");
}

function checkScalar(path: string, v: ConfigValue, a: AttributeSchema, ctx: CheckContext, type: Exclude<AttrType, "list(string)">): boolean {
  if (isAttrRef(v)) {
    if (refFits(v, type, ctx.scope)) return true;
  } else if (type === "string" && typeof v === "string") {
    return checkStringValue(path, v, a, ctx);
  } else if (type === "number" && typeof v === "number") {
    return checkNumberValue(path, v, a, ctx);
  } else if (type === "bool" && typeof v === "boolean") {
    return true;
  }
  ctx.diagnostics.push(error(`${path} must be ${TYPE_WORDS[type]} (got ${describe(v, ctx.scope)})`, ctx.address));
  return false;
}

/** Characters XML 1.0 cannot carry (XAPI speaks XML-RPC): C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
const XML_UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkStringValue(path: string, v: string, a: AttributeSchema, ctx: CheckContext): boolean {
  if (v.length > MAX_STRING_LENGTH) {
    ctx.diagnostics.push(error(`${path} is ${v.length} characters long; XAPI refuses requests over 300 KiB: keep it under ${MAX_STRING_LENGTH} characters`, ctx.address));
    return false;
  }
  const unsafe = XML_UNSAFE.exec(v);
  if (unsafe) {
    const code = `U+${(unsafe[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    ctx.diagnostics.push(error(`${path} contains the character ${code} at position ${unsafe.index}, which XAPI cannot carry (XML 1.0 forbids it); remove it`, ctx.address));
    return false;
  }
  if (a.nonEmpty && v.trim() === "") {
    ctx.diagnostics.push(error(`${path} must not be empty`, ctx.address));
    return false;
  }
  if (a.enum && !a.enum.includes(v)) {
    ctx.diagnostics.push(error(`${path} must be one of ${a.enum.map((e) => `"${e}"`).join(", ")} (got ${quoteShort(JSON.stringify(v))})`, ctx.address));
    return false;
  }
  if (a.regex) {
    try {
      new RegExp(v);
    } catch (e) {
      ctx.diagnostics.push(error(`${path} is not a valid regular expression (${(e as Error).message})`, ctx.address));
      return false;
    }
  }
  return true;
}

function checkNumberValue(path: string, v: number, a: AttributeSchema, ctx: CheckContext): boolean {
  // Every number xsnap takes (retained_snapshots, schedule hour/min) is a count or a clock value.
  if (!Number.isInteger(v)) {
    ctx.diagnostics.push(error(`${path} must be a whole number (got ${v})`, ctx.address));
    return false;
  }
  if (a.range && (v < a.range.min || v > a.range.max)) {
    ctx.diagnostics.push(error(`${path} must be between ${a.range.min} and ${a.range.max} (got ${v})`, ctx.address));
    return false;
  }
  return true;
}

/** True when the value fits; otherwise the problem is in `ctx.diagnostics`. */
export function checkAttribute(path: string, v: ConfigValue, a: AttributeSchema, ctx: CheckContext): boolean {
  if (a.type !== "list(string)") return checkScalar(path, v, a, ctx, a.type);
  if (isAttrRef(v)) {
    if (refFits(v, "list(string)", ctx.scope)) return true;
    ctx.diagnostics.push(error(`${path} must be ${TYPE_WORDS["list(string)"]} (got ${describe(v, ctx.scope)})`, ctx.address));
    return false;
  }
  if (!Array.isArray(v)) {
    ctx.diagnostics.push(error(`${path} must be ${TYPE_WORDS["list(string)"]} (got ${describe(v, ctx.scope)})`, ctx.address));
    return false;
  }
  const element: AttributeSchema = { ...a, type: "string", nonEmpty: true };
  return v.map((item: ConfigValue, i: number) => checkScalar(`${path}[${i}]`, item, element, ctx, "string")).every(Boolean);
}
