/**
 * Finds the one stack document to load and its name (DESIGN §4 small print):
 * - a `cdktf.out` folder: its manifest.json; `--stack` picks one, a single stack needs no pick,
 *   several without `--stack` is an error listing them;
 * - a single file: named by `--stack`, else its `"//".metadata.stackName`, else, for a file named
 *   `cdk.tf.json`, its folder's name (cdktf's own layout `stacks/<name>/cdk.tf.json`), else the file's
 *   name without `.tf.json` / `.json`: two hand-written configs side by side are two stacks, never
 *   one by accident (each stack has its own lock, markers and managed set).
 */
import { promises as fs } from "fs";
import * as path from "path";
import { error, type Result } from "../model";
import { isObject } from "./tf-json";

export interface StackDocument {
  readonly stack: string;
  /** The file the document came from (for messages). */
  readonly file: string;
  readonly document: unknown;
}

async function readJson(file: string): Promise<Result<unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, diagnostics: [error(code === "ENOENT" ? `${file} does not exist` : `cannot read ${file} (${code ?? "error"})`)] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    // JSON.parse quotes the bytes it choked on: a binary file would print control characters.
    const why = printable((e as Error).message);
    return { ok: false, diagnostics: [error(`${file} is not valid JSON: ${why}`)] };
  }
  const deep = tooDeep(value);
  if (deep !== undefined) {
    return { ok: false, diagnostics: [error(`${file}: the value at ${deep} is nested more than ${MAX_DEPTH} levels deep; no xsnap attribute takes values nested that deep: remove or flatten it`)] };
  }
  return { ok: true, value, warnings: [] };
}

/** Deeper than any cdk.tf.json (about 8 levels); everything after loading walks values recursively. */
export const MAX_DEPTH = 64;

const printable = (s: string): string => s.replace(/[\u0000-\u001F\u007F-\u009F\uFFFD]/g, "?");

/** The JSON path of the first value nested deeper than MAX_DEPTH, found without recursion. */
function tooDeep(root: unknown): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: "", depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.value === null || typeof top.value !== "object") continue;
    if (top.depth >= MAX_DEPTH) return top.path.replace(/^\./, "").slice(0, 80) + (top.path.length > 81 ? "…" : "");
    const entries: [string, unknown][] = Array.isArray(top.value) ? top.value.map((v, i) => [`[${i}]`, v]) : Object.entries(top.value).map(([k, v]) => [`.${k}`, v]);
    for (const [key, v] of entries) if (v !== null && typeof v === "object") stack.push({ value: v, path: top.path + key, depth: top.depth + 1 });
  }
  return undefined;
}

function metadataStackName(doc: unknown): string | undefined {
  const meta = isObject(doc) && isObject(doc["//"]) && isObject(doc["//"].metadata) ? doc["//"].metadata : undefined;
  return meta && typeof meta.stackName === "string" && meta.stackName !== "" ? meta.stackName : undefined;
}

/** The stack a file is when nothing names it (DESIGN §4 small print). */
export function stackNameOfFile(file: string): string {
  const base = path.basename(file);
  if (base === "cdk.tf.json") return path.basename(path.dirname(path.resolve(file)));
  return base.replace(/\.tf\.json$|\.json$/, "");
}

/** A single cdk.tf.json (or any Terraform JSON file). */
export async function readStackFile(file: string, stack?: string): Promise<Result<StackDocument>> {
  const json = await readJson(file);
  if (!json.ok) return json;
  const name = stack ?? metadataStackName(json.value) ?? stackNameOfFile(file);
  return { ok: true, value: { stack: name, file, document: json.value }, warnings: [] };
}

/** A cdktf output folder holding manifest.json and stacks/<name>/cdk.tf.json. */
export async function readOutdir(outdir: string, stack?: string): Promise<Result<StackDocument>> {
  const manifestFile = path.join(outdir, "manifest.json");
  const manifest = await readJson(manifestFile);
  if (!manifest.ok) return manifest;
  const stacks = isObject(manifest.value) && isObject(manifest.value.stacks) ? manifest.value.stacks : undefined;
  if (!stacks) return { ok: false, diagnostics: [error(`${manifestFile} lists no stacks`)] };
  const names = Object.keys(stacks).sort();
  if (stack !== undefined && !names.includes(stack)) {
    return { ok: false, diagnostics: [error(`stack "${stack}" is not in ${manifestFile}; stacks: ${names.join(", ") || "none"}`)] };
  }
  if (stack === undefined && names.length !== 1) {
    const summary = names.length === 0
      ? `${manifestFile} lists no stacks`
      : `the app synthesizes ${names.length} stacks; choose one with --stack: ${names.join(", ")}`;
    return { ok: false, diagnostics: [error(summary)] };
  }
  const name = stack ?? names[0];
  const entry = stacks[name];
  const rel = isObject(entry) && typeof entry.synthesizedStackPath === "string" ? entry.synthesizedStackPath : path.join("stacks", name, "cdk.tf.json");
  const doc = await readStackFile(path.join(outdir, rel), name);
  return doc;
}

/** `--config PATH`: a cdktf.out folder (with manifest.json), a stack folder (with cdk.tf.json), or a file. */
export async function readConfigPath(configPath: string, stack?: string): Promise<Result<StackDocument>> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(configPath)).isDirectory();
  } catch {
    return { ok: false, diagnostics: [error(`--config ${configPath} does not exist`)] };
  }
  if (!isDirectory) return readStackFile(configPath, stack);
  const hasManifest = await fs.stat(path.join(configPath, "manifest.json")).then(() => true, () => false);
  if (hasManifest) return readOutdir(configPath, stack);
  const single = path.join(configPath, "cdk.tf.json");
  const hasSingle = await fs.stat(single).then(() => true, () => false);
  if (hasSingle) return readStackFile(single, stack);
  return { ok: false, diagnostics: [error(`--config ${configPath} holds neither manifest.json (a cdktf.out folder) nor cdk.tf.json`)] };
}
