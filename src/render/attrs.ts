/**
 * The HCL-like body of one block: `+ name = "x"`, `~ a = 1 -> 2`, `(known after apply)`, aligned `=`,
 * `# (N unchanged attributes hidden)` (hashicorp/terraform:internal/command/jsonformat/computed/renderers).
 */
import { isUnknown, type Action, type AttrValue, type Attrs } from "../model";
import type { Paint } from "./paint";

/** Shown even when unchanged: the identity a reviewer needs to find the object. */
const IDENTIFYING = new Set(["uuid"]);

export function formatValue(v: AttrValue | undefined): string {
  if (v === undefined || v === null) return "null";
  if (isUnknown(v)) return "(known after apply)";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x: AttrValue) => formatValue(x)).join(", ")}]`;
  const entries = Object.entries(v as Readonly<Record<string, AttrValue>>);
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, x]) => `${k} = ${formatValue(x)}`).join(", ")} }`;
}

const same = (a: AttrValue | undefined, b: AttrValue | undefined): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const present = (v: AttrValue | undefined): boolean => v !== undefined && v !== null;

interface Line { readonly marker: "+" | "-" | "~" | " "; readonly key: string; readonly text: string; readonly forces: boolean; readonly bytes?: number }

/** `*_bytes` values as people read them: `86221668352 # ≈ 80.3 GiB`. */
function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** The byte count a line shows, for attributes named `*_bytes` that hold a size of 1 KiB or more. */
function bytesOf(key: string, value: AttrValue | undefined): number | undefined {
  return key.endsWith("_bytes") && typeof value === "number" && value >= 1024 ? value : undefined;
}

export interface BodyInput {
  readonly action: Action;
  readonly before: Attrs | null;
  readonly after: Attrs | null;
  /** Attributes that force a replacement: marked `# forces replacement`. */
  readonly forcing?: ReadonlySet<string>;
}

/** Body lines (already indented to sit inside `resource "t" "n" {`), without the closing brace. */
export function renderBody(input: BodyInput, paint: Paint): string[] {
  const { lines, hidden } = collect(input);
  const width = Math.max(0, ...lines.map((l) => l.key.length));
  const out = lines.map((l) => {
    const marker = l.marker === " " ? " " : colourMarker(l.marker, paint);
    const force = l.forces ? ` ${paint.red("# forces replacement")}` : "";
    const size = l.bytes !== undefined ? ` ${paint.dim(`# ≈ ${humanBytes(l.bytes)}`)}` : "";
    return `      ${marker} ${l.key.padEnd(width)} = ${l.text}${force}${size}`;
  });
  if (hidden > 0) out.push(`        ${paint.dim(`# (${hidden} unchanged attribute${hidden === 1 ? "" : "s"} hidden)`)}`);
  return out;
}

function colourMarker(m: "+" | "-" | "~", paint: Paint): string {
  return m === "+" ? paint.green(m) : m === "-" ? paint.red(m) : paint.yellow(m);
}

function collect(input: BodyInput): { lines: Line[]; hidden: number } {
  const before = input.before ?? {};
  const after = input.after ?? {};
  const forcing = input.forcing ?? new Set<string>();
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const lines: Line[] = [];
  let hidden = 0;
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    const forces = input.action === "replace" && forcing.has(key);
    if (input.before === null) {
      if (present(a)) lines.push({ marker: "+", key, text: formatValue(a), forces });
    } else if (input.after === null) {
      if (present(b)) lines.push({ marker: "-", key, text: `${formatValue(b)} -> null`, forces });
    } else if (same(a, b)) {
      if (IDENTIFYING.has(key) && present(a)) lines.push({ marker: " ", key, text: formatValue(a), forces: false });
      else if (present(a)) hidden++;
    } else if (!present(b)) {
      lines.push({ marker: "+", key, text: formatValue(a), forces });
    } else if (!present(a)) {
      lines.push({ marker: "-", key, text: `${formatValue(b)} -> null`, forces });
    } else {
      lines.push({ marker: "~", key, text: `${formatValue(b)} -> ${formatValue(a)}`, forces });
    }
  }
  return { lines: lines.map((l) => {
    const bytes = bytesOf(l.key, l.marker === "-" ? before[l.key] : after[l.key]);
    return bytes !== undefined ? { ...l, bytes } : l;
  }), hidden };
}
