/**
 * `snapshot_metadata`: XAPI stores every DB field of the source VM as an S-expression of
 * (column, DB-string) pairs (`helpers.ml` `vm_to_string`, reference §2.1) and `VM.revert` reads it back.
 * Column names join namespaces with a double underscore, as in filters (reference §2.7).
 */
import { classSchema, type DbRecord, type DbValue, type FieldType, toDbString } from "./schema";

type SExpr = string | SExpr[];

const quote = (s: string): string => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** DB column name of a field: `name_label` → `name__label`, `memory_static_max` → `memory__static_max`. */
export function columnName(field: string): string {
  return COLUMN_OF.get(field) ?? field;
}

// Namespaced fields (the datamodel groups them); everything else keeps its name.
const NAMESPACES = ["name", "memory", "VCPUs", "HVM", "PV", "actions"] as const;
const COLUMN_OF = new Map<string, string>();
for (const cls of ["VM", "VDI", "VBD", "SR", "VMSS", "pool", "host", "task", "VIF", "network", "PBD", "message"]) {
  for (const f of classSchema(cls).fields) {
    for (const ns of NAMESPACES) {
      if (f.name.startsWith(`${ns}_`) && !COLUMN_OF.has(f.name)) COLUMN_OF.set(f.name, `${ns}__${f.name.slice(ns.length + 1)}`);
    }
  }
}

export function recordToSexpr(cls: string, ref: string, rec: DbRecord): string {
  const parts = [`(${quote("ref")} ${quote(ref)})`];
  for (const f of classSchema(cls).fields) {
    const v = rec[f.name];
    if (v === undefined) continue;
    parts.push(`(${quote(columnName(f.name))} ${quote(toDbString(f.type, v))})`);
  }
  return `(${parts.join("")})`;
}

function parse(text: string): SExpr {
  let i = 0;
  const read = (): SExpr => {
    while (text[i] === " ") i++;
    if (text[i] === "(") {
      i++;
      const list: SExpr[] = [];
      for (;;) {
        while (text[i] === " ") i++;
        if (text[i] === ")") { i++; return list; }
        if (i >= text.length) throw new Error("sexpr: unterminated list");
        list.push(read());
      }
    }
    if (text[i] === "'") {
      i++;
      let s = "";
      while (i < text.length && text[i] !== "'") {
        if (text[i] === "\\") i++;
        s += text[i] ?? "";
        i++;
      }
      i++;
      return s;
    }
    throw new Error(`sexpr: unexpected ${text[i] ?? "end"} at ${i}`);
  };
  return read();
}

/** Inverse of `toDbString` for one field type. */
export function fromDbString(type: FieldType, s: string): DbValue {
  switch (type.kind) {
    case "bool": return s === "true";
    case "int": case "float": return Number(s);
    case "datetime": {
      const m = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(s);
      return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : new Date(s);
    }
    case "set": {
      const list = s === "" ? [] : parse(s);
      return Array.isArray(list) ? list.map((x) => fromDbString(type.of, typeof x === "string" ? x : "")) : [];
    }
    case "map": {
      const list = s === "" ? [] : parse(s);
      const out: Record<string, DbValue> = {};
      if (Array.isArray(list)) {
        for (const pair of list) {
          if (Array.isArray(pair) && typeof pair[0] === "string" && typeof pair[1] === "string") {
            out[pair[0]] = fromDbString(type.value, pair[1]);
          }
        }
      }
      return out;
    }
    default: return s;
  }
}

/** Parse `snapshot_metadata` back into field values (unknown columns are ignored). */
export function sexprToRecord(cls: string, text: string): DbRecord {
  const out: DbRecord = {};
  const list = parse(text);
  if (!Array.isArray(list)) return out;
  const byColumn = new Map(classSchema(cls).fields.map((f) => [columnName(f.name), f]));
  for (const pair of list) {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") continue;
    const field = byColumn.get(pair[0]);
    if (field) out[field.name] = fromDbString(field.type, pair[1]);
  }
  return out;
}
