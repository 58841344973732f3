/**
 * `xapi_xva_import` (DESIGN §3): an XVA file imported into an SR (HTTP `PUT /import` with a task; an
 * exported snapshot arrives as a template). Identity: xsnap's markers on the imported VM/template
 * (VM-class, like `xapi_template`), written in one VM.set_other_config with the file it came from.
 *
 * Plan: `name_label` renames in place; a new `path`, `sr` or `sha256` imports again (the new object
 * first, then the old one is uninstalled). A `sha256` only known after apply (the export it refers to
 * runs in the same apply) counts as new, as Terraform plans an unknown ForceNew value. Destroy
 * uninstalls the object with every disk the import created. An object deleted outside xsnap shows as
 * drift through the engine's `xsnap.managed` registry (apply returns the uuid).
 *
 * Intents: an import interrupted after the pool created the VM leaves one unmarked VM or template
 * carrying `other_config.import_task` (XAPI's own import mark) and named as inside the XVA (or the
 * configured name_label, when the rename ran). Exactly one such object that did not exist when the
 * step was planned is adopted; none: discard; several: ambiguous.
 */
import { z } from "zod";
import { errorAt, isUnknown, UNKNOWN, type Address, type AttrValue, type Attrs, type Change, type Diagnostic, nonEmptyString } from "../model";
import type { PoolView, SrRecord, VmRecord } from "../xapi/records";
import type { OpaqueRef, Uuid } from "../xapi/types";
import { diskVdis, intentLeftovers } from "./disks";
import { absolutePath, xvaVmName } from "./export-file-state";
import { type Applied, type ApplyContext, type DiffArgs, type DiffResult, type IntentRecord, type IntentSubject, type KindIntentOutcome, type Live, type ObjectRead, type PlannedAction, type ResourceKind, objectUuid } from "./kind";
import { MARKER, managedByAnotherStack, markedObjects, markerValues, ownMarkers, typeOfAddress, withMarkers } from "./markers";
import { payloadProblem, payloadOf } from "./payload";
import { decodeSpec, digestOf, encodeSpec } from "./spec-record";
import { lookupSr } from "./template-preflight";
import { destroyVdi, finishVmIntent, refOf, refOrUndefined } from "./vm-calls";
import { importXvaFile, isXvaFileError } from "./xva-file";

export const IMPORT_TYPE = "xapi_xva_import";
/** Keys xsnap writes beside the markers: the file the object came from and its SHA-256 (when checked). */
export const IMPORT_KEY = { path: "xsnap.xva_path", sha256: "xsnap.xva_sha256" } as const;

const diskSchema = z.object({ uuid: z.string(), name_label: z.string() });
const createStep = z.object({
  op: z.literal("create"),
  /** Absent when only apply knows it: `ctx.inputs.path`. */
  path: z.string().min(1).optional(),
  sr: z.string().min(1),
  sr_name: z.string(),
  name_label: z.string().optional(),
  /** Absent when not configured; undefined + `sha256_deferred` when only apply knows it. */
  sha256: z.string().optional(),
  sha256_deferred: z.boolean(),
  /** Unmarked imported VMs/templates that already carried a name this import may give (never adopted). */
  existing: z.array(z.string()),
});
const destroyStep = z.object({ op: z.literal("destroy"), object: z.string().min(1), disks: z.array(diskSchema) });
const updateStep = z.object({ op: z.literal("update"), object: z.string().min(1), name_label: z.string().optional(), spec: z.string(), path: z.string(), sha256: z.string().optional() });
const stepSchema = z.discriminatedUnion("op", [
  createStep, destroyStep, updateStep,
  z.object({ op: z.literal("replace"), create: createStep, destroy: destroyStep }),
]);
type Step = z.infer<typeof stepSchema>;
type CreateStep = z.infer<typeof createStep>;
type DestroyStep = z.infer<typeof destroyStep>;
type UpdateStep = z.infer<typeof updateStep>;

const toPrivate = (step: Step): Readonly<Record<string, unknown>> => step;
const stepOf = (change: Change): Step => payloadOf(stepSchema, change);
const createOf = (s: Step): CreateStep | undefined => (s.op === "create" ? s : s.op === "replace" ? s.create : undefined);
const destroyOf = (s: Step): DestroyStep | undefined => (s.op === "destroy" ? s : s.op === "replace" ? s.destroy : undefined);

/** An imported object xsnap may manage: a VM or template, not a snapshot, dom0 or built-in template. */
const isImportable = (vm: VmRecord): boolean => !vm.is_a_snapshot && !vm.is_control_domain && !vm.is_default_template;
/** XAPI's own mark on what an import created (`other_config.import_task`, the simulator does the same). */
const wasImported = (vm: VmRecord): boolean => (vm.other_config.import_task ?? "") !== "";

export const importSpec = (w: { readonly path: string; readonly sr: string; readonly sha256: string | null; readonly name_label: string | null }): string =>
  encodeSpec({ hashed: { path: w.path, sr: w.sr, sha256: w.sha256, name_label: w.name_label }, kept: {} });

export const xvaImport: ResourceKind = {
  type: IMPORT_TYPE,
  identity: { by: "markers" },
  computed: ["uuid"],
  observe,
  diff,
  checkPayload: (change) => payloadProblem(stepSchema, change),
  apply,
  serialKeys: (change) => {
    const step = stepOf(change);
    const object = step.op === "update" ? step.object : destroyOf(step)?.object;
    return object ? [object] : [change.address];
  },
  intentSubject: (change, inputs): IntentSubject => {
    const step = stepOf(change);
    const create = createOf(step);
    const destroy = destroyOf(step);
    const path = create ? create.path ?? nonEmptyString(inputs.path) : undefined;
    // Read from the file now (it may only exist since an export earlier in this apply).
    const original = path ? xvaVmName(path) : undefined;
    return {
      ...(create ? { expected_name: create.name_label ?? original ?? "", existing: create.existing as Uuid[],
        facts: { ...(original !== undefined ? { original_name: original } : {}), ...(create.name_label !== undefined ? { name_label: create.name_label } : {}), ...(path ? { path } : {}) } } : {}),
      ...(step.op === "update" ? { object: step.object as Uuid } : {}),
      ...(destroy ? { object: destroy.object as Uuid, disks: destroy.disks.map((d) => d.uuid as Uuid) } : {}),
    };
  },
  resolveIntent: (view, intent) => resolveIntent(view, intent),
  finishIntent: (outcome, ctx) => finishVmIntent(outcome, ctx, (uuid) => uninstall(ctx, uuid)),
  adopt,
  unadoptable,
  release,
};

function observe(view: PoolView, stack: string): ReadonlyMap<Address, readonly Live[]> {
  const out = new Map<Address, Live[]>();
  for (const [address, records] of markedObjects(view, stack)) {
    if (typeOfAddress(address) !== IMPORT_TYPE) continue;
    const lives = records.filter(isImportable).map((r) => liveOf(view, address, r));
    if (lives.length > 0) out.set(address, lives);
  }
  return out;
}

function liveOf(view: PoolView, address: Address, vm: VmRecord): Live {
  const own = ownMarkers(vm);
  const disks = diskVdis(view, vm);
  const sr = disks[0] ? view.srs.get(disks[0].SR) : undefined;
  const attrs: Record<string, AttrValue> = {
    uuid: vm.uuid, name_label: vm.name_label,
    path: own ? vm.other_config[IMPORT_KEY.path] ?? "" : "",
    ...(own && vm.other_config[IMPORT_KEY.sha256] ? { sha256: vm.other_config[IMPORT_KEY.sha256] as string } : {}),
    ...(sr ? { sr: sr.uuid } : {}),
  };
  const recorded = decodeSpec(own?.spec);
  return { address, uuid: vm.uuid, attrs, order: vm.snapshot_time.getTime() || 0, ...(recorded ? { recorded } : {}) };
}

interface Wanted {
  readonly path: string | undefined;
  readonly sr: SrRecord;
  readonly srValue: string;
  readonly name_label: string | undefined;
  /** undefined: not configured; UNKNOWN: only apply knows it. */
  readonly sha256: string | typeof UNKNOWN | undefined;
}

function wanted(args: DiffArgs): { ok: true; value: Wanted } | { ok: false; diagnostics: Diagnostic[] } {
  const spec = args.spec as Attrs;
  const diagnostics: Diagnostic[] = [];
  let path: string | undefined;
  if (typeof spec.path === "string" && spec.path.trim() !== "") path = absolutePath(spec.path);
  else if (!isUnknown(spec.path)) diagnostics.push(errorAt(args.address, `path must be an XVA file name or a reference such as \${xapi_snapshot_export.NAME.path}; got ${JSON.stringify(spec.path ?? null)}`));
  let sr: SrRecord | undefined;
  if (typeof spec.sr !== "string") {
    diagnostics.push(errorAt(args.address, "sr must be known at plan time (an SR uuid or name of the target pool)", "Refer to an SR that exists already, e.g. sr = \"Local storage\"."));
  } else {
    const found = lookupSr(args.view, spec.sr, args.address);
    if (found.ok) sr = found.value;
    else diagnostics.push(found.diagnostic);
  }
  let sha256: Wanted["sha256"];
  if (isUnknown(spec.sha256)) sha256 = UNKNOWN;
  else if (typeof spec.sha256 === "string" && spec.sha256 !== "") {
    if (!/^[0-9a-fA-F]{64}$/.test(spec.sha256)) diagnostics.push(errorAt(args.address, `sha256 must be 64 hex digits; got ${JSON.stringify(spec.sha256)}`, "Use the export's hash (sha256 = ${xapi_snapshot_export.NAME.sha256}) or sha256sum's output."));
    sha256 = spec.sha256.toLowerCase();
  }
  const name = spec.name_label;
  if (name !== undefined && name !== null && (typeof name !== "string" || name.trim() === "")) diagnostics.push(errorAt(args.address, `name_label must be a non-empty string known at plan time; got ${JSON.stringify(name)}`));
  if (diagnostics.length > 0 || !sr) return { ok: false, diagnostics };
  return { ok: true, value: { path, sr, srValue: spec.sr as string, name_label: typeof name === "string" ? name : undefined, sha256 } };
}

function diff(args: DiffArgs): DiffResult {
  const { spec, live, view, address } = args;
  if (!spec) return live ? { planned: destroyAction(view, live), diagnostics: [], reads: destroyReads(view, live) } : { diagnostics: [], reads: [] };
  const w = wanted(args);
  if (!w.ok) return { diagnostics: w.diagnostics, reads: [] };
  const want = w.value;
  const reads: ObjectRead[] = [{ uuid: want.sr.uuid, address }];
  if (!live) return planCreate(args, want, reads);
  const uuid = objectUuid(live);
  reads.push({ uuid, address });
  const rec = live.recorded;
  const livePath = typeof live.attrs.path === "string" ? live.attrs.path : "";
  // Each attribute that forces a new import, with the note that says why.
  const changed = [
    ...(want.path === undefined ? [{ attribute: "path", note: "(path is known after apply: imported again)" }]
      : livePath !== "" && livePath !== want.path ? [{ attribute: "path", note: `(path changes from ${livePath} to ${want.path}: imported again)` }] : []),
    ...(rec?.digests.sr !== undefined && rec.digests.sr !== digestOf(want.sr.uuid) ? [{ attribute: "sr", note: `(sr changes to "${want.sr.name_label}": imported again)` }] : []),
    ...(want.sha256 === UNKNOWN ? [{ attribute: "sha256", note: "(sha256 is known after apply, e.g. a new export of the file: imported again)" }]
      : rec?.digests.sha256 !== undefined && rec.digests.sha256 !== digestOf(want.sha256 ?? null) ? [{ attribute: "sha256", note: `(sha256 changes to ${want.sha256 ?? "none"}: imported again)` }] : []),
  ];
  const before: Attrs = { ...live.attrs, ...(live.attrs.sr === want.sr.uuid ? { sr: want.srValue } : {}) };
  if (changed.length > 0 || args.replaceRequested) {
    const created = planCreate(args, want, reads);
    if (!created.planned) return created;
    const destroy = destroyStepOf(view, live);
    return {
      ...created,
      planned: { action: "replace", replacePaths: changed.map((c) => c.attribute), before, after: created.planned.after,
        notes: [...changed.map((c) => c.note), "(the new import is made first; the old object is then uninstalled)", ...destroyNotes(destroy)],
        private: toPrivate({ op: "replace", create: created.planned.private as unknown as CreateStep, destroy }) },
      reads: [...created.reads, ...destroyReads(view, live)],
    };
  }
  const path = want.path as string;
  const sha = typeof want.sha256 === "string" ? want.sha256 : undefined;
  const specText = importSpec({ path, sr: want.sr.uuid, sha256: sha ?? null, name_label: want.name_label ?? null });
  const renamed = want.name_label !== undefined && live.attrs.name_label !== want.name_label;
  const needsMarkers = rec === undefined || rec.sha256 !== decodeSpec(specText)?.sha256 || livePath !== path;
  const after: Attrs = { ...before, path, sr: want.srValue, ...(want.name_label !== undefined ? { name_label: want.name_label } : {}), ...(sha ? { sha256: sha } : {}), uuid };
  const drift = rec && rec.digests.name_label !== undefined && want.name_label !== undefined && rec.digests.name_label === digestOf(want.name_label) && renamed
    ? { kind: "changed" as const, before: { name_label: want.name_label }, after: { name_label: live.attrs.name_label ?? null } } : undefined;
  if (!renamed && !needsMarkers) return { planned: { action: "no-op", before, after: before, notes: [] }, diagnostics: [], reads };
  const notes = live.adoptedFrom ? [`(adopts ${uuid}, which an interrupted import created: writes its markers)`] : rec === undefined ? [`(writes xsnap's markers on ${uuid})`] : [];
  return {
    planned: { action: "update", before, after, notes,
      private: toPrivate({ op: "update", object: uuid, spec: specText, path, ...(sha ? { sha256: sha } : {}), ...(renamed ? { name_label: want.name_label } : {}) }) },
    diagnostics: [], reads, ...(drift ? { drift } : {}),
  };
}

function planCreate(args: DiffArgs, want: Wanted, reads: ObjectRead[]): DiffResult {
  const { view } = args;
  const original = want.path ? xvaVmName(want.path) : undefined;
  const names = new Set([want.name_label, original].filter((n): n is string => n !== undefined));
  const existing = [...view.vms.values()].filter((v) => isImportable(v) && names.has(v.name_label) && ownMarkers(v) === undefined).map((v) => v.uuid);
  const step: CreateStep = {
    op: "create", ...(want.path ? { path: want.path } : {}), sr: want.sr.uuid, sr_name: want.sr.name_label,
    ...(want.name_label !== undefined ? { name_label: want.name_label } : {}),
    ...(typeof want.sha256 === "string" ? { sha256: want.sha256 } : {}), sha256_deferred: want.sha256 === UNKNOWN, existing,
  };
  const after: Record<string, AttrValue> = {
    path: want.path ?? UNKNOWN, sr: want.srValue, ...(want.name_label !== undefined ? { name_label: want.name_label } : {}),
    ...(want.sha256 !== undefined ? { sha256: want.sha256 } : {}), uuid: UNKNOWN,
  };
  const notes = [
    `(imports ${want.path ?? "the file"} into SR "${want.sr.name_label}" with PUT /import; an exported snapshot arrives as a template)`,
    ...(want.sha256 !== undefined ? ["(the file's SHA-256 is checked before anything is uploaded)"] : []),
    ...(want.path && original === undefined ? [`(${want.path} is not readable as an XVA now: it must be when the step runs, e.g. written by the export it depends on)`] : []),
  ];
  const planned: PlannedAction = { action: "create", before: null, after, notes, private: toPrivate(step) };
  return { planned, diagnostics: [], reads };
}

const recordOf = (view: PoolView, uuid: string): VmRecord | undefined => {
  const e = view.byUuid.get(uuid as Uuid);
  return e?.class === "VM" ? view.vms.get(e.ref) : undefined;
};

/** Every disk of the imported object (the import created them all), and a suspend image if any. */
function importedDisks(view: PoolView, vm: VmRecord): { uuid: string; name_label: string }[] {
  const out = diskVdis(view, vm).map((d) => ({ uuid: d.uuid as string, name_label: d.name_label }));
  const suspend = view.vdis.get(vm.suspend_VDI);
  if (suspend && !out.some((d) => d.uuid === suspend.uuid)) out.push({ uuid: suspend.uuid, name_label: suspend.name_label });
  return out;
}

function destroyStepOf(view: PoolView, live: Live): DestroyStep {
  const vm = recordOf(view, objectUuid(live));
  return { op: "destroy", object: objectUuid(live), disks: vm ? importedDisks(view, vm) : [] };
}

function destroyNotes(step: DestroyStep): string[] {
  return step.disks.length === 0 ? [] : [`(destroys ${step.disks.length} disk${step.disks.length === 1 ? "" : "s"} with it: ${step.disks.map((d) => `"${d.name_label}" (${d.uuid})`).join(", ")})`];
}

function destroyAction(view: PoolView, live: Live): PlannedAction {
  const step = destroyStepOf(view, live);
  return { action: "destroy", before: live.attrs, after: null, notes: destroyNotes(step), private: toPrivate(step) };
}

function destroyReads(view: PoolView, live: Live): ObjectRead[] {
  return [{ uuid: objectUuid(live), address: live.address }, ...destroyStepOf(view, live).disks.map((d) => ({ uuid: d.uuid, address: live.address }))];
}

async function apply(change: Change, ctx: ApplyContext): Promise<Applied> {
  const step = stepOf(change);
  switch (step.op) {
    case "create": return create(step, ctx);
    case "update": return update(step, ctx);
    case "destroy": await destroy(step, ctx); return {};
    case "replace": {
      const created = await create(step.create, ctx);   // the new import first: never without a copy
      await destroy(step.destroy, ctx);
      return created;
    }
  }
}

async function create(step: CreateStep, ctx: ApplyContext): Promise<Applied> {
  const path = step.path ?? (nonEmptyString(ctx.inputs.path) ? absolutePath(nonEmptyString(ctx.inputs.path) as string) : undefined);
  if (!path) throw new Error(`${ctx.address}: path is still unknown at apply time (got ${JSON.stringify(ctx.inputs.path ?? null)}); set path to an XVA file or an export's path`);
  const sha256 = step.sha256 ?? (step.sha256_deferred ? nonEmptyString(ctx.inputs.sha256)?.toLowerCase() : undefined);
  if (step.sha256_deferred && !sha256) throw new Error(`${ctx.address}: sha256 is still unknown at apply time; nothing was imported`);
  const sr = String(await ctx.client.call("SR.get_by_uuid", [step.sr])) as OpaqueRef;
  let imported;
  try {
    // No abort signal on purpose: an interrupted apply lets in-flight work finish (DESIGN §5).
    imported = await importXvaFile(ctx.client, {
      path, sr, ...(sha256 ? { sha256 } : {}), ...(step.name_label !== undefined ? { nameLabel: step.name_label } : {}),
      onProgress: (p) => { if (p.phase === "upload") ctx.transferred(p.bytes, p.total); },
    });
  } catch (e) {
    if (isXvaFileError(e)) throw new Error(`${ctx.address}: ${e.message}${e.code === "SHA256_MISMATCH" ? "; export the file again or correct sha256" : ""}`);
    if (isMissing(e)) throw new Error(`${ctx.address}: cannot read ${path}: no such file; nothing was imported (export it first, or correct path)`);
    throw e;
  }
  const uuid = String(await ctx.client.call("VM.get_uuid", [imported.vm])) as Uuid;
  const current = (await ctx.client.call("VM.get_other_config", [imported.vm])) as Readonly<Record<string, string>>;
  const specText = importSpec({ path, sr: step.sr, sha256: sha256 ?? null, name_label: step.name_label ?? null });
  await ctx.client.call("VM.set_other_config", [imported.vm, withMarkers(current, ownKeys(ctx, uuid, specText, path, sha256))]);
  return { uuid, attrs: { uuid, path, ...(sha256 ? { sha256 } : {}) } };
}

const isMissing = (e: unknown): boolean => typeof e === "object" && e !== null && (e as { code?: unknown }).code === "ENOENT";

function ownKeys(ctx: ApplyContext, uuid: Uuid, spec: string, path: string, sha256: string | undefined): Record<string, string> {
  return { ...markerValues({ stack: ctx.stack, address: ctx.address, spec, self: uuid }), [IMPORT_KEY.path]: path, ...(sha256 ? { [IMPORT_KEY.sha256]: sha256 } : {}) };
}

async function update(step: UpdateStep, ctx: ApplyContext): Promise<Applied> {
  const ref = await refOf(ctx, "VM", step.object);
  if (step.name_label !== undefined) await ctx.client.call("VM.set_name_label", [ref, step.name_label]);
  const current = (await ctx.client.call("VM.get_other_config", [ref])) as Readonly<Record<string, string>>;
  await ctx.client.call("VM.set_other_config", [ref, withMarkers(current, ownKeys(ctx, step.object as Uuid, step.spec, step.path, step.sha256))]);
  return { uuid: step.object as Uuid, attrs: { uuid: step.object } };
}

async function destroy(step: DestroyStep, ctx: ApplyContext): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", step.object);
  if (ref) {
    if (String(await ctx.client.call("VM.get_power_state", [ref])) !== "Halted") {
      const template = (await ctx.client.call("VM.get_is_a_template", [ref])) === true;
      if (template) await ctx.client.call("VM.set_is_a_template", [ref, false]);
      await ctx.client.call("VM.hard_shutdown", [ref]);
    }
    await ctx.client.call("VM.destroy", [ref]);
  }
  for (const disk of step.disks) await destroyVdi(ctx, disk.uuid);
}

/** Uninstall of what an interrupted import left: the object and every disk it has, read now. */
async function uninstall(ctx: ApplyContext, uuid: string): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", uuid);
  if (!ref) return;
  const record = (await ctx.client.call("VM.get_record", [ref])) as { readonly VBDs?: readonly string[] };
  const disks: { uuid: string; name_label: string }[] = [];
  for (const vbd of record.VBDs ?? []) {
    const v = (await ctx.client.call("VBD.get_record", [vbd])) as { readonly VDI?: string; readonly empty?: boolean; readonly type?: string };
    if (!v.empty && v.type !== "CD" && v.VDI && !v.VDI.endsWith("NULL")) disks.push({ uuid: String(await ctx.client.call("VDI.get_uuid", [v.VDI])), name_label: "" });
  }
  await destroy({ op: "destroy", object: uuid, disks }, ctx);
}

function resolveIntent(view: PoolView, intent: IntentRecord): KindIntentOutcome {
  const { cleanup, notACreate } = intentLeftovers(view, intent, "imported object");
  if (notACreate) return notACreate;
  const names = new Set([intent.facts?.original_name, intent.facts?.name_label, intent.expected_name].filter((n): n is string => n !== undefined && n !== ""));
  const existing = new Set<string>([...(intent.existing ?? []), ...(intent.object ? [intent.object] : [])]);
  const named = [...view.vms.values()].filter((v) => isImportable(v) && names.has(v.name_label) && !existing.has(v.uuid));
  const marked = named.filter((v) => ownMarkers(v)?.address === intent.address);
  if (marked.length > 0) return { status: "done", detail: `${marked[0]?.uuid} was imported and marked; only the record remains`, ...cleanup };
  const unmarked = named.filter((v) => ownMarkers(v) === undefined && wasImported(v));
  const only = unmarked[0];
  if (unmarked.length === 0) return { status: "discard", detail: `no object named ${[...names].map((n) => `"${n}"`).join(" or ") || "as the import"} was imported`, ...cleanup };
  if (unmarked.length === 1 && only) {
    return { status: "adopt", detail: `"${only.name_label}" (${only.uuid}) was imported without markers; it will be adopted`, live: liveOf(view, intent.address, only) };
  }
  return { status: "ambiguous", detail: `${unmarked.length} unmarked imported objects named ${[...names].map((n) => `"${n}"`).join(" or ")} appeared; xsnap cannot tell which one the interrupted apply created`,
    candidates: unmarked.map((v) => `"${v.name_label}" (${v.uuid})`), candidateUuids: unmarked.map((v) => v.uuid) };
}

async function adopt(uuid: Uuid, ctx: ApplyContext): Promise<void> {
  const ref = await refOf(ctx, "VM", uuid);
  const current = (await ctx.client.call("VM.get_other_config", [ref])) as Readonly<Record<string, string>>;
  if (current[MARKER.self] === uuid && current[MARKER.address] === ctx.address && current[MARKER.stack] === ctx.stack) return;
  await ctx.client.call("VM.set_other_config", [ref, withMarkers(current, markerValues({ stack: ctx.stack, address: ctx.address, spec: "", self: uuid }))]);
}

function unadoptable(view: PoolView, uuid: Uuid, stack: string): string | undefined {
  const vm = recordOf(view, uuid);
  if (!vm) return `${uuid} is not a VM-class object of this pool`;
  if (vm.is_control_domain) return `"${vm.name_label}" (${uuid}) is a control domain`;
  if (vm.is_a_snapshot) return `"${vm.name_label}" (${uuid}) is a snapshot, not an imported VM or template`;
  if (vm.is_default_template) return `"${vm.name_label}" (${uuid}) is one of XAPI's built-in templates`;
  return managedByAnotherStack(vm, stack);
}

async function release(uuid: Uuid, ctx: ApplyContext): Promise<void> {
  const ref = await refOrUndefined(ctx, "VM", uuid);
  if (!ref) return;
  for (const key of [...Object.values(MARKER), ...Object.values(IMPORT_KEY)]) await ctx.client.call("VM.remove_from_other_config", [ref, key]);
}
