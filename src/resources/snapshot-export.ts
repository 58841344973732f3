/**
 * `xapi_snapshot_export` (DESIGN §3): a snapshot exported as an XVA file on the machine running
 * xsnap (HTTP `GET /export`, streamed to `<path>.partial`, synced, renamed; see xva-file.ts). There
 * is no pool object, so the identity is a registry entry `xsnap.export/<stack>/<address>` holding what
 * was written: {source, path, compress, sha256, bytes, mtime_ms, exported_at}.
 *
 * Plan: create when there is no entry; export again when the file is missing (`+ create`, drift
 * "deleted") or no longer the one xsnap wrote (`-/+ replace`, drift "changed"), checked by size + mtime
 * and hashed only when those differ (export-file-state.ts); a new `source`, `path` or `compress`
 * replaces. The target folder must exist at plan time. Destroy removes the entry and deletes the file
 * only while its SHA-256 is still the one xsnap wrote (Terraform's local_file deletes its file; a file
 * someone changed since is left alone, and the plan says which).
 */
import { unlink } from "node:fs/promises";
import { z } from "zod";
import { errorAt, isUnknown, UNKNOWN, type Address, type Attrs, type AttrValue, type Change, type Diagnostic, nonEmptyString } from "../model";
import type { PoolView, VmRecord } from "../xapi/records";
import type { OpaqueRef, Uuid } from "../xapi/types";
import { absolutePath, fileState, folderProblem, mtimeOf, type FileState } from "./export-file-state";
import type { Applied, ApplyContext, DiffArgs, DiffResult, IntentRecord, KindIntentOutcome, Live, ObjectRead, PlannedAction, ResourceKind } from "./kind";
import { payloadProblem, payloadOf, decodeJson } from "./payload";
import { refOrUndefined } from "./vm-calls";
import { exportSnapshotToFile, isXvaFileError } from "./xva-file";

export const EXPORT_TYPE = "xapi_snapshot_export";

/** The registry entry (JSON). */
export const exportRecordSchema = z.object({
  source: z.string(),
  path: z.string(),
  compress: z.boolean().default(false),
  sha256: z.string(),
  bytes: z.number(),
  mtime_ms: z.number().optional(),
  exported_at: z.string(),
});
export type ExportRecord = z.infer<typeof exportRecordSchema>;

const writtenSchema = z.object({ path: z.string(), sha256: z.string(), bytes: z.number(), mtime_ms: z.number().optional() });
const exportStep = z.object({
  op: z.literal("export"),
  /** Absent when the snapshot is created by the same apply: then it is `ctx.inputs.source`. */
  source: z.string().min(1).optional(),
  path: z.string().min(1),
  compress: z.boolean(),
  /** The file xsnap wrote before, at another path (a replace with a new `path`): deleted when unchanged. */
  previous: writtenSchema.optional(),
});
const stepSchema = z.discriminatedUnion("op", [
  exportStep,
  z.object({ op: z.literal("destroy"), file: writtenSchema.optional() }),
]);
type Step = z.infer<typeof stepSchema>;
type ExportStep = z.infer<typeof exportStep>;
type Written = z.infer<typeof writtenSchema>;

const toPrivate = (step: Step): Readonly<Record<string, unknown>> => step;
const stepOf = (change: Change): Step => payloadOf(stepSchema, change);

export const snapshotExport: ResourceKind = {
  type: EXPORT_TYPE,
  identity: { by: "registry", name: "export" },
  computed: ["sha256", "bytes"],
  observe,
  diff,
  checkPayload: (change) => payloadProblem(stepSchema, change),
  apply,
  serialKeys: (change, inputs) => {
    const step = stepOf(change);
    const source = step.op === "export" ? step.source ?? nonEmptyString(inputs.source) : undefined;
    // The snapshot is read (no snapshot destroy while it streams); the file is this address's own.
    return source ? [source] : [change.address];
  },
  intentSubject: (change, inputs) => {
    const step = stepOf(change);
    if (step.op !== "export") return {};
    const source = step.source ?? nonEmptyString(inputs.source);
    return { ...(source ? { object: source as Uuid } : {}), facts: { path: step.path } };
  },
  resolveIntent,
  finishIntent: async (outcome, ctx) => {
    // A killed export may leave `<path>.partial` behind (never the file itself: it appears by rename).
    void ctx;
    if (outcome.status !== "discard") return;
    for (const partial of outcome.uninstall ?? []) if (partial.endsWith(".partial")) await unlink(partial).catch(() => undefined);
  },
  adopt: async () => {
    throw new Error("an export is a file, not a pool object: add it to the configuration and apply (an existing file is exported again)");
  },
  unadoptable: () => "an export is a file, not a pool object; it cannot be imported",
  release: async () => undefined,
};


export const decodeExportRecord = (value: string | undefined): ExportRecord | undefined => decodeJson(exportRecordSchema, value);

function observe(_view: PoolView, _stack: string, registry: ReadonlyMap<Address, string>): ReadonlyMap<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const [address, value] of registry) {
    if (!address.startsWith(`${EXPORT_TYPE}.`)) continue;
    const record = decodeExportRecord(value);
    // An entry this version cannot read still marks the address as managed: the plan exports again.
    // The mtime is no attribute to show: it rides in `recorded.kept` for the plan-time file check.
    const kept = record?.mtime_ms !== undefined ? { recorded: { sha256: record.sha256, digests: {}, kept: { mtime_ms: String(record.mtime_ms) } } } : {};
    out.set(address, [{ address, attrs: record ? attrsOf(record) : { source: null, path: null }, order: record ? Date.parse(record.exported_at) || 0 : 0, ...kept }]);
  }
  return out;
}

function attrsOf(r: ExportRecord): Attrs {
  return { source: r.source, path: r.path, compress: r.compress, sha256: r.sha256, bytes: r.bytes, exported_at: r.exported_at };
}

/** The entry behind a Live (undefined when unreadable). */
function recordOf(live: Live): ExportRecord | undefined {
  const a = live.attrs;
  if (typeof a.source !== "string" || typeof a.path !== "string" || typeof a.sha256 !== "string" || typeof a.bytes !== "number") return undefined;
  return { source: a.source, path: a.path, compress: a.compress === true, sha256: a.sha256, bytes: a.bytes, exported_at: String(a.exported_at ?? ""),
    ...mtimeKept(live) };
}

function mtimeKept(live: Live): { mtime_ms?: number } {
  const m = Number(live.recorded?.kept.mtime_ms);
  return live.recorded?.kept.mtime_ms !== undefined && Number.isFinite(m) ? { mtime_ms: m } : {};
}

function diff(args: DiffArgs): DiffResult {
  const { spec, live, view, address } = args;
  if (!spec) return live ? destroyAction(live) : { diagnostics: [], reads: [] };
  const diagnostics: Diagnostic[] = [];
  const reads: ObjectRead[] = [];
  const sourceUnknown = isUnknown(spec.source);
  let source: VmRecord | undefined;
  if (!sourceUnknown) {
    const found = lookupSnapshot(view, spec.source, address);
    if (found.ok) source = found.value;
    else diagnostics.push(found.diagnostic);
  }
  if (typeof spec.path !== "string" || spec.path.trim() === "") {
    diagnostics.push(errorAt(address, `path must be a file name known at plan time; got ${JSON.stringify(spec.path ?? null)}`, "Set path to the XVA file to write, e.g. \"exports/web-01.xva\"."));
    return { diagnostics, reads };
  }
  const path = absolutePath(spec.path);
  const folder = folderProblem(path);
  if (folder) diagnostics.push(errorAt(address, `cannot write ${path}: ${folder}`, `Create the folder (mkdir -p) or change path; relative paths resolve against the folder xsnap runs in (${process.cwd()}).`));
  if (diagnostics.length > 0) return { diagnostics, reads };
  if (source) reads.push({ uuid: source.uuid, address });
  const compress = spec.compress === true;
  const after: Record<string, AttrValue> = { source: source ? source.uuid : UNKNOWN, path, compress, sha256: UNKNOWN, bytes: UNKNOWN };
  const step: ExportStep = { op: "export", ...(source ? { source: source.uuid } : {}), path, compress };
  const what = source ? `snapshot "${source.name_label}" (${source.uuid})` : "the snapshot this apply creates";
  const exportNote = `(exports ${what} to ${path}${compress ? ", compressed" : ""}: streamed to ${path}.partial, synced, then renamed)`;

  const record = live ? recordOf(live) : undefined;
  if (!live || !record) {
    return { planned: { action: "create", before: null, after, notes: [exportNote], private: toPrivate(step) }, diagnostics, reads };
  }
  reads.push({ address, registryKey: `export:${address}` });
  const before = attrsOf(record);
  const pathChanged = record.path !== path;
  // Each attribute that forces a new export, with the note that says why.
  const changed = [
    ...(sourceUnknown || record.source !== source?.uuid ? [{ attribute: "source", note: `(source ${sourceUnknown ? "will be a new snapshot" : `changes from ${record.source} to ${source?.uuid ?? "?"}`}: exported again)` }] : []),
    ...(pathChanged ? [{ attribute: "path", note: `(path changes from ${record.path} to ${path}: exported again${unchangedOnDisk(record) ? `; the old file ${record.path} is deleted, it is still the one xsnap wrote` : ""})` }] : []),
    ...(record.compress !== compress ? [{ attribute: "compress", note: `(compress changes to ${compress}: exported again)` }] : []),
  ];
  if (changed.length > 0 || args.replaceRequested) {
    const previous: Written | undefined = pathChanged ? writtenOf(record) : undefined;
    return {
      planned: { action: "replace", replacePaths: changed.map((c) => c.attribute), before, after, notes: [...changed.map((c) => c.note), exportNote], private: toPrivate({ ...step, ...(previous ? { previous } : {}) }) },
      diagnostics, reads,
    };
  }
  const state = fileState(path, writtenOf(record));
  if (state.state === "same") return { planned: { action: "no-op", before, after: before, notes: [] }, diagnostics, reads };
  if (state.state === "not_a_file") {
    return { diagnostics: [errorAt(address, `${path} is not a file: xsnap cannot export to it`, "Remove what is there or change path.")], reads };
  }
  if (state.state === "missing") {
    return {
      planned: { action: "create", before: null, after, notes: [`(${path} was deleted outside xsnap: exported again)`, exportNote], private: toPrivate(step) },
      drift: { kind: "deleted", before, after: null }, diagnostics, reads,
    };
  }
  return {
    planned: { action: "replace", before, after,
      notes: [`(${path} changed outside xsnap: SHA-256 ${state.sha256}, ${state.bytes} bytes, where xsnap wrote ${record.sha256}, ${record.bytes} bytes; exported again over it)`, exportNote],
      private: toPrivate(step) },
    drift: { kind: "changed", before: { sha256: record.sha256, bytes: record.bytes }, after: { sha256: state.sha256, bytes: state.bytes } },
    diagnostics, reads,
  };
}

const writtenOf = (r: ExportRecord): Written => ({ path: r.path, sha256: r.sha256, bytes: r.bytes, ...(r.mtime_ms !== undefined ? { mtime_ms: r.mtime_ms } : {}) });
const unchangedOnDisk = (r: ExportRecord): boolean => fileState(r.path, writtenOf(r)).state === "same";

type Found = { readonly ok: true; readonly value: VmRecord } | { readonly ok: false; readonly diagnostic: Diagnostic };

/** `source`: the uuid of a snapshot or checkpoint of the export's pool. */
function lookupSnapshot(view: PoolView, value: AttrValue | undefined, address: Address): Found {
  if (typeof value !== "string" || value === "") {
    return { ok: false, diagnostic: errorAt(address, `source must be a snapshot's uuid or a reference such as \${xapi_snapshot.NAME.uuid}; got ${JSON.stringify(value ?? null)}`) };
  }
  const hit = view.byUuid.get(value as Uuid);
  const vm = hit?.class === "VM" ? view.vms.get(hit.ref) : undefined;
  if (vm?.is_a_snapshot) return { ok: true, value: vm };
  if (vm) return { ok: false, diagnostic: errorAt(address, `source "${value}" ("${vm.name_label}") is not a snapshot or checkpoint`, "Export a snapshot: source = ${xapi_snapshot.NAME.uuid}.") };
  return { ok: false, diagnostic: errorAt(address, `source "${value}" is not a snapshot of pool "${view.pool.name_label}"`, "Use a snapshot's uuid (xe snapshot-list) or a reference such as ${xapi_snapshot.NAME.uuid}.") };
}

function destroyAction(live: Live): DiffResult {
  const record = recordOf(live);
  if (!record) {
    return { planned: { action: "destroy", before: live.attrs, after: null, notes: ["(the export's record is unreadable: only the record goes; no file is deleted)"], private: toPrivate({ op: "destroy" }) }, diagnostics: [], reads: [] };
  }
  const state: FileState = fileState(record.path, writtenOf(record));
  const note = state.state === "same" ? `(deletes ${record.path}: it is still the file xsnap wrote, SHA-256 ${record.sha256})`
    : state.state === "missing" ? `(${record.path} is already gone: only the record goes)`
      : `(leaves ${record.path}: it changed since xsnap wrote it; only the record goes)`;
  const planned: PlannedAction = { action: "destroy", before: live.attrs, after: null, notes: [note], private: toPrivate({ op: "destroy", ...(state.state === "same" ? { file: writtenOf(record) } : {}) }) };
  return { planned, diagnostics: [], reads: [{ address: live.address, registryKey: `export:${live.address}` }] };
}

async function apply(change: Change, ctx: ApplyContext): Promise<Applied> {
  const step = stepOf(change);
  if (step.op === "destroy") {
    if (step.file) await deleteIfUnchanged(step.file);
    await registry(ctx).clear();
    return {};
  }
  return exportStepApply(step, ctx);
}

async function exportStepApply(step: ExportStep, ctx: ApplyContext): Promise<Applied> {
  const source = step.source ?? nonEmptyString(ctx.inputs.source);
  if (!source) throw new Error(`${ctx.address}: source is still unknown at apply time (got ${JSON.stringify(ctx.inputs.source ?? null)}); set source to a snapshot's uuid or reference`);
  const ref: OpaqueRef | undefined = await refOrUndefined(ctx, "VM", source);
  const isSnapshot = ref ? (await ctx.client.call("VM.get_is_a_snapshot", [ref])) === true : false;
  if (!ref || !isSnapshot) throw new Error(`${ctx.address}: source ${source} is not a snapshot of this pool; nothing was exported`);
  let facts;
  try {
    // No abort signal on purpose: an interrupted apply lets in-flight work finish (DESIGN §5).
    // Bytes go on the periodic "Still creating..." lines: XAPI sends no length, so there is no percentage.
    facts = await exportSnapshotToFile(ctx.client, { snapshot: ref, path: step.path, ...(step.compress ? { compress: true } : {}),
      onProgress: (p) => ctx.transferred(p.bytes, p.total) });
  } catch (e) {
    if (isXvaFileError(e)) throw new Error(`${ctx.address}: ${e.message}; create the folder or change path`);
    throw e;
  }
  const record: ExportRecord = { source, path: facts.path, compress: step.compress, sha256: facts.sha256, bytes: facts.bytes,
    ...withMtime(facts.path), exported_at: new Date().toISOString() };
  await registry(ctx).write(JSON.stringify(record));
  if (step.previous && step.previous.path !== step.path) await deleteIfUnchanged(step.previous);
  ctx.progress(1);
  return { attrs: { source, path: facts.path, compress: step.compress, sha256: facts.sha256, bytes: facts.bytes } };
}

const withMtime = (path: string): { mtime_ms?: number } => {
  const m = mtimeOf(path);
  return m === undefined ? {} : { mtime_ms: m };
};

/** Deletes a file xsnap wrote only while it is still that file (re-checked now, hashed if size/mtime moved). */
async function deleteIfUnchanged(file: Written): Promise<void> {
  if (fileState(file.path, file).state === "same") await unlink(file.path).catch(() => undefined);
}

function registry(ctx: ApplyContext): NonNullable<ApplyContext["registry"]> {
  if (!ctx.registry) throw new Error(`${ctx.address}: no registry entry in the apply context`);
  return ctx.registry;
}

/**
 * An interrupted export changed nothing in the pool: the file appears by rename, then the entry is
 * written. Whatever it left, the next plan decides again from the entry and the file (a file renamed
 * in place without its entry is exported again); a `<path>.partial` left by a kill is deleted.
 */
function resolveIntent(_view: PoolView, intent: IntentRecord): KindIntentOutcome {
  const path = intent.facts?.path;
  return { status: "discard", detail: `an export changes nothing in the pool; the plan decides again what ${intent.address} needs`, ...(path ? { uninstall: [`${path}.partial`] } : {}) };
}
