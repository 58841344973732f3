/**
 * Random XML-RPC values and documents for the codec's differential tests: every value a response
 * can carry, written in every form a conforming writer may use (typed or untyped strings, <int> or
 * <i4>, named or numeric entities, self-closing empties, whitespace between elements), then split
 * into random chunks (also inside UTF-8 sequences and tags).
 */
import { seeded } from "../../bench/vm-records-body";

export type Rand = () => number;
export { seeded };

export type Generated = string | number | boolean | Date | null | Generated[] | { [key: string]: Generated };

const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const int = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

const ALPHABETS: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], // printable ASCII, including < > & " '
  [0x20, 0x7e],
  [0xa0, 0xff], // Latin-1
  [0x4e00, 0x4fff], // CJK
  [0x1f600, 0x1f64f], // emoji (astral: surrogate pairs in JS)
];

export function randomString(rand: Rand, maxLength = 24): string {
  const length = int(rand, 0, maxLength);
  let s = "";
  for (let i = 0; i < length; i++) {
    const r = rand();
    if (r < 0.05) s += pick(rand, ["\t", "\n", "&", "<", ">", '"', "'", "&amp;", "]]>"]);
    else {
      const [lo, hi] = pick(rand, ALPHABETS);
      s += String.fromCodePoint(int(rand, lo, hi));
    }
  }
  return s;
}

export function randomValue(rand: Rand, depth = 0): Generated {
  const leaf = depth >= 4 || rand() < 0.55;
  if (leaf) {
    switch (int(rand, 0, 7)) {
      case 0:
      case 1:
        return randomString(rand);
      case 2:
        return int(rand, -2147483648, 2147483647);
      case 3:
        return (rand() - 0.5) * 10 ** int(rand, -5, 12);
      case 4:
        return rand() < 0.5;
      case 5:
        return new Date(Math.floor(rand() * 4102444800) * 1000);
      case 6:
        return String(int(rand, 0, 2 ** 52)); // an int64 as XAPI sends it: untyped text
      default:
        return rand() < 0.3 ? null : "";
    }
  }
  if (rand() < 0.5) return Array.from({ length: int(rand, 0, 6) }, () => randomValue(rand, depth + 1));
  const struct: { [key: string]: Generated } = {};
  const members = int(rand, 0, 6);
  for (let i = 0; i < members; i++) {
    const name = rand() < 0.5 ? randomString(rand, 12) : pick(rand, ["uuid", "name_label", "VBDs", "other_config", "a b"]);
    if (name !== "__proto__") struct[name] = randomValue(rand, depth + 1);
  }
  return struct;
}

/** Escapes text as a writer may: `&` and `<` always, `>` often, other characters sometimes as numeric references. */
export function writeText(rand: Rand, s: string): string {
  let out = "";
  for (const ch of s) {
    const r = rand();
    if (ch === "&") out += "&amp;";
    else if (ch === "<") out += "&lt;";
    else if (ch === ">") out += r < 0.7 ? "&gt;" : ">";
    else if (ch === '"' && r < 0.5) out += "&quot;";
    else if (ch === "'" && r < 0.3) out += "&apos;";
    else if (r < 0.05) out += `&#${(ch.codePointAt(0) ?? 0).toString(10)};`;
    else if (r < 0.1) out += `&#x${(ch.codePointAt(0) ?? 0).toString(16)};`;
    else out += ch;
  }
  return out;
}

const ws = (rand: Rand): string => (rand() < 0.7 ? "" : pick(rand, [" ", "\n", "\n  ", "\t"]));
const pad2 = (n: number): string => String(n).padStart(2, "0");

function writeDate(rand: Rand, d: Date): string {
  const ymd = [d.getUTCFullYear(), pad2(d.getUTCMonth() + 1), pad2(d.getUTCDate())];
  const hms = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${rand() < 0.7 ? ymd.join("") : ymd.join("-")}T${hms}Z`;
}

export function writeValue(rand: Rand, v: Generated): string {
  const body = writeInner(rand, v);
  return `<value>${body}</value>`;
}

function writeInner(rand: Rand, v: Generated): string {
  if (v === null) return `${ws(rand)}<nil/>${ws(rand)}`;
  switch (typeof v) {
    case "string":
      if (v === "" && rand() < 0.3) return "<string/>";
      return rand() < 0.5 ? writeText(rand, v) : `${ws(rand)}<string>${writeText(rand, v)}</string>${ws(rand)}`;
    case "number":
      if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) {
        const tag = rand() < 0.5 ? "int" : "i4";
        return `${ws(rand)}<${tag}>${v}</${tag}>${ws(rand)}`;
      }
      return `${ws(rand)}<double>${String(v)}</double>${ws(rand)}`;
    case "boolean":
      return `${ws(rand)}<boolean>${v ? 1 : 0}</boolean>${ws(rand)}`;
    default:
      break;
  }
  if (v instanceof Date) return `${ws(rand)}<dateTime.iso8601>${writeDate(rand, v)}</dateTime.iso8601>${ws(rand)}`;
  if (Array.isArray(v)) {
    if (v.length === 0 && rand() < 0.3) return `${ws(rand)}<array><data/></array>${ws(rand)}`;
    return `${ws(rand)}<array>${ws(rand)}<data>${v.map((item) => ws(rand) + writeValue(rand, item)).join("")}${ws(rand)}</data>${ws(rand)}</array>${ws(rand)}`;
  }
  const members = Object.entries(v).map(
    ([name, item]) => `${ws(rand)}<member>${ws(rand)}<name>${writeText(rand, name)}</name>${ws(rand)}${writeValue(rand, item)}${ws(rand)}</member>`,
  );
  return `${ws(rand)}<struct>${members.join("")}${ws(rand)}</struct>${ws(rand)}`;
}

export function writeResponse(rand: Rand, v: Generated): string {
  const decl = rand() < 0.5 ? '<?xml version="1.0"?>' : "";
  return `${decl}${ws(rand)}<methodResponse>${ws(rand)}<params>${ws(rand)}<param>${ws(rand)}${writeValue(rand, v)}${ws(rand)}</param>${ws(rand)}</params>${ws(rand)}</methodResponse>${ws(rand)}`;
}

/** Splits the UTF-8 bytes at random offsets (inside multi-byte characters and tags too). */
export function randomChunks(rand: Rand, text: string): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = rand() < 0.3 ? int(rand, 1, 4) : int(rand, 1, 200);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}
