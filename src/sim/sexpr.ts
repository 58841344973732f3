/**
 * `snapshot_metadata`: XAPI stores every DB field of the source VM as an S-expression of
 * (column, DB-string) pairs (`helpers.ml` `vm_to_string`, reference §2.1) and `VM.revert` reads it back.
 * Column names join namespaces with a double underscore, as in filters (reference §2.7).
 */
import { classSchema, type DbRecord, type DbValue, type Field, type FieldType, PieceText, toDbString } from "./schema";

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

/** Pieces seen before, shared by every snapshot_metadata that has them (bounded: unique pieces are not kept). */
const PIECES = new Map<string, string>();
const MAX_PIECES = 1 << 18;
const scratch = Buffer.allocUnsafe(4096);

/** The canonical copy of a piece, as a flat string (a concatenated one is a tree of V8 cons strings several times its size). */
function piece(s: string): string {
  const known = PIECES.get(s);
  if (known !== undefined) return known;
  const own = s.length * 3 <= scratch.length ? scratch.toString("utf8", 0, scratch.write(s, 0, "utf8")) : Buffer.from(s, "utf8").toString("utf8");
  if (PIECES.size < MAX_PIECES) PIECES.set(own, own);
  return own;
}

/**
 * The piece of each (field, value) already seen: a VM's ten snapshots mostly repeat its values, and
 * often the very same objects (a map is replaced, never changed in place), so most pieces are
 * found without formatting anything. Scalars by value (bounded per field), maps and dates by identity.
 */
const MAX_SCALARS_PER_FIELD = 4096;
const scalarPieces = new Map<Field, Map<string | number | boolean, string>>();
const objectPieces = new Map<Field, WeakMap<object, string>>();

function fieldPiece(f: Field, v: DbValue): string {
  if (typeof v === "object") {
    // Reverse-relation sets (VM.snapshots, SR.VDIs …) are changed in place: not cacheable unless frozen.
    if (Array.isArray(v) && !Object.isFrozen(v)) return formatPiece(f, v);
    let cache = objectPieces.get(f);
    if (!cache) objectPieces.set(f, (cache = new WeakMap()));
    let p = cache.get(v);
    if (p === undefined) cache.set(v, (p = formatPiece(f, v)));
    return p;
  }
  let cache = scalarPieces.get(f);
  if (!cache) scalarPieces.set(f, (cache = new Map()));
  let p = cache.get(v);
  if (p === undefined) {
    p = formatPiece(f, v);
    if (cache.size < MAX_SCALARS_PER_FIELD) cache.set(v, p);
  }
  return p;
}

const formatPiece = (f: Field, v: DbValue): string => piece(`(${quote(columnName(f.name))} ${quote(toDbString(f.type, v))})`);

/** The S-expression of a record, kept as interned (column, value) pieces (see PieceText). */
export function recordToSexpr(cls: string, ref: string, rec: DbRecord): PieceText {
  const parts = ["(", piece(`(${quote("ref")} ${quote(ref)})`)];
  for (const f of classSchema(cls).fields) {
    const v = rec[f.name];
    if (v === undefined) continue;
    parts.push(fieldPiece(f, v));
  }
  parts.push(")");
  return new PieceText(parts);
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
