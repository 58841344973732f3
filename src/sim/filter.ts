/**
 * `<Class>.get_all_records_where` expressions (reference §2.7, `db_filter_parse.mly`):
 *   expr  := value = value | expr and expr | expr or expr | not expr | true | false | ( expr )
 *   value := "literal" | field "column"
 * `and`/`or` share one precedence and associate left; `not` binds tighter. Comparison is exact string
 * equality on the DB representation; columns use `__` between namespaces (`name__label`).
 */
import { XapiFailure } from "./errors";
import { classSchema, type DbRecord, toDbString } from "./schema";
import { columnName } from "./sexpr";

type Value = { readonly literal: string } | { readonly column: string };
export type Expr =
  | { readonly op: "eq"; readonly left: Value; readonly right: Value }
  | { readonly op: "and" | "or"; readonly left: Expr; readonly right: Expr }
  | { readonly op: "not"; readonly expr: Expr }
  | { readonly op: "const"; readonly value: boolean };

type Token = { kind: "word"; text: string } | { kind: "string"; text: string } | { kind: "punct"; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (/\s/.test(c)) { i++; continue; }
    if (c === "(" || c === ")" || c === "=") { tokens.push({ kind: "punct", text: c }); i++; continue; }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new Error("unterminated string literal");
      tokens.push({ kind: "string", text: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!m) throw new Error(`unexpected character ${c}`);
    tokens.push({ kind: "word", text: m[0] });
    i += m[0].length;
  }
  return tokens;
}

function parseExpr(tokens: Token[]): Expr {
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expect = (text: string): void => {
    if (peek()?.text !== text) throw new Error(`expected ${text}`);
    pos++;
  };
  const value = (): Value => {
    const t = tokens[pos++];
    if (t?.kind === "string") return { literal: t.text };
    if (t?.kind === "word" && t.text === "field") {
      const col = tokens[pos++];
      if (col?.kind !== "string") throw new Error("field needs a quoted column name");
      return { column: col.text };
    }
    throw new Error("expected a value");
  };
  const unary = (): Expr => {
    const t = peek();
    if (t?.kind === "word" && t.text === "not") { pos++; return { op: "not", expr: unary() }; }
    if (t?.kind === "word" && (t.text === "true" || t.text === "false")) { pos++; return { op: "const", value: t.text === "true" }; }
    if (t?.kind === "punct" && t.text === "(") { pos++; const e = binary(); expect(")"); return e; }
    const left = value();
    expect("=");
    return { op: "eq", left, right: value() };
  };
  const binary = (): Expr => {
    let left = unary();
    for (;;) {
      const t = peek();
      if (t?.kind !== "word" || (t.text !== "and" && t.text !== "or")) return left;
      pos++;
      left = { op: t.text, left, right: unary() };
    }
  };
  const e = binary();
  if (pos !== tokens.length) throw new Error("trailing input");
  return e;
}

/** Parse, or INVALID_VALUE [expr, reason] as XAPI reports a malformed filter. */
export function parseFilter(text: string): Expr {
  try {
    return parseExpr(tokenize(text));
  } catch (e) {
    throw new XapiFailure("INVALID_VALUE", [text, e instanceof Error ? e.message : String(e)]);
  }
}

/** A predicate over records of `cls`. Unknown columns compare as "" (never equal to a real value). */
export function compileFilter(cls: string, expr: Expr): (rec: DbRecord) => boolean {
  const byColumn = new Map(classSchema(cls).fields.map((f) => [columnName(f.name), f]));
  const valueOf = (v: Value, rec: DbRecord): string => {
    if ("literal" in v) return v.literal;
    const field = byColumn.get(v.column);
    const raw = field ? rec[field.name] : undefined;
    return field && raw !== undefined ? toDbString(field.type, raw) : "";
  };
  const evaluate = (e: Expr, rec: DbRecord): boolean => {
    switch (e.op) {
      case "eq": return valueOf(e.left, rec) === valueOf(e.right, rec);
      case "and": return evaluate(e.left, rec) && evaluate(e.right, rec);
      case "or": return evaluate(e.left, rec) || evaluate(e.right, rec);
      case "not": return !evaluate(e.expr, rec);
      case "const": return e.value;
    }
  };
  return (rec) => evaluate(expr, rec);
}
