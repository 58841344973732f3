/**
 * xapi_snapshot_export and xapi_xva_import diffs (pure over hand-built pools, plus the export's
 * deliberate plan-time look at its local file): each boundary both ways.
 */
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { asAddress, UNKNOWN, type Attrs } from "../../src/model";
import type { IntentRecord, Live } from "../../src/resources/kind";
import { markerValues } from "../../src/resources/markers";
import { snapshotExport } from "../../src/resources/snapshot-export";
import { importSpec, IMPORT_KEY, xvaImport } from "../../src/resources/xva-import";
import type { Uuid } from "../../src/xapi/types";
import { demoLikePool } from "../helpers/demo-like-pool";
import { STACK } from "../helpers/stack";

const E = asAddress("xapi_snapshot_export.x");
const I = asAddress("xapi_xva_import.y");
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "xsnap-xva-kinds-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pool() {
  const { b, vms } = demoLikePool();
  const snap = b.snapshot(vms.web, { name_label: "web-01 nightly" });
  return { b, snap, view: b.build() };
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
function written(name: string, content: string): { path: string; live: Live } {
  const path = join(dir, name);
  writeFileSync(path, content);
  const live: Live = { address: E, order: 0, attrs: { source: "", path, compress: false, sha256: sha(content), bytes: content.length, exported_at: "2026-01-01T00:00:00Z" },
    recorded: { sha256: sha(content), digests: {}, kept: { mtime_ms: String(statSync(path).mtimeMs) } } };
  return { path, live };
}

describe("xapi_snapshot_export diff", () => {
  it("creates when there is no entry, and refuses a missing folder at plan time naming the address", () => {
    const { view, snap } = pool();
    const ok = snapshotExport.diff({ address: E, stack: STACK, spec: { source: snap.uuid, path: join(dir, "a.xva") }, live: undefined, view, replaceRequested: false });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.planned).toMatchObject({ action: "create", after: { source: snap.uuid, path: join(dir, "a.xva"), sha256: UNKNOWN, bytes: UNKNOWN } });
    const bad = snapshotExport.diff({ address: E, stack: STACK, spec: { source: snap.uuid, path: join(dir, "nope/a.xva") }, live: undefined, view, replaceRequested: false });
    expect(bad.planned).toBeUndefined();
    expect(bad.diagnostics[0]).toMatchObject({ severity: "error", address: E });
    expect(bad.diagnostics[0]?.summary).toContain(`the folder ${join(dir, "nope")} does not exist`);
  });

  it("keeps an unchanged file (size + mtime, or the same hash), re-exports a changed or missing one", () => {
    const { view, snap } = pool();
    const { path, live } = written("same.xva", "xva bytes");
    const withSource: Live = { ...live, attrs: { ...live.attrs, source: snap.uuid } };
    const spec = { source: snap.uuid, path };
    const run = () => snapshotExport.diff({ address: E, stack: STACK, spec, live: withSource, view, replaceRequested: false });
    expect(run().planned?.action).toBe("no-op");
    utimesSync(path, new Date(), new Date(Date.now() + 5000));   // mtime moved, same bytes: hashed, still the same
    expect(run().planned?.action).toBe("no-op");
    writeFileSync(path, "xva bytez");                            // same size, other bytes
    const changed = run();
    expect(changed.planned?.action).toBe("replace");
    expect(changed.drift?.kind).toBe("changed");
    rmSync(path);
    const missing = run();
    expect(missing.planned).toMatchObject({ action: "create", before: null });
    expect(missing.drift?.kind).toBe("deleted");
  });

  it("replaces on a new or unknown source, not on the same one", () => {
    const { view, snap, b } = pool();
    const { path, live } = written("src.xva", "abc");
    const other = b.snapshot([...b.vms.values()].find((v) => v.name_label === "db-01") ?? snap, { name_label: "db snap" });
    const view2 = b.build();
    const withSource: Live = { ...live, attrs: { ...live.attrs, source: snap.uuid } };
    expect(snapshotExport.diff({ address: E, stack: STACK, spec: { source: snap.uuid, path }, live: withSource, view, replaceRequested: false }).planned?.action).toBe("no-op");
    expect(snapshotExport.diff({ address: E, stack: STACK, spec: { source: other.uuid, path }, live: withSource, view: view2, replaceRequested: false }).planned?.action).toBe("replace");
    expect(snapshotExport.diff({ address: E, stack: STACK, spec: { source: UNKNOWN, path }, live: withSource, view, replaceRequested: false }).planned?.action).toBe("replace");
  });

  it("on destroy deletes the file only while it is still the one xsnap wrote", () => {
    const { view } = pool();
    const { path, live } = written("gone.xva", "payload");
    const keep = snapshotExport.diff({ address: E, stack: STACK, spec: undefined, live, view, replaceRequested: false });
    expect(keep.planned?.notes?.[0]).toContain(`deletes ${path}`);
    writeFileSync(path, "edited by someone");
    const left = snapshotExport.diff({ address: E, stack: STACK, spec: undefined, live, view, replaceRequested: false });
    expect(left.planned?.notes?.[0]).toContain(`leaves ${path}`);
    expect((left.planned?.private as { file?: unknown }).file).toBeUndefined();
  });
});

describe("xapi_xva_import diff", () => {
  const imported = (args: { name?: string; sha256?: string; path?: string } = {}) => {
    const { b, vms } = demoLikePool();
    const local = [...b.srs.values()].find((s) => s.name_label === "Local storage");
    const t = b.vm({ name_label: args.name ?? "web-01 (DR)", power_state: "Halted", is_a_template: true, disks: [{ name_label: "web-01 root", sr: local as never }] });
    const path = args.path ?? join(dir, "in.xva");
    const spec = importSpec({ path, sr: local?.uuid ?? "", sha256: args.sha256 ?? null, name_label: "web-01 (DR)" });
    b.edit(t, { other_config: { import_task: "OpaqueRef:t", ...markerValues({ stack: STACK, address: I, spec, self: t.uuid as Uuid }), [IMPORT_KEY.path]: path, ...(args.sha256 ? { [IMPORT_KEY.sha256]: args.sha256 } : {}) } });
    void vms;
    const view = b.build();
    const live = xvaImport.observe(view, STACK, new Map()).get(I)?.[0];
    return { view, live, path };
  };
  const spec = (extra: Attrs = {}): Attrs => ({ path: join(dir, "in.xva"), sr: "Local storage", name_label: "web-01 (DR)", ...extra });

  it("creates; refuses an unknown SR or a malformed sha256, naming the address", () => {
    const { view } = pool();
    expect(xvaImport.diff({ address: I, stack: STACK, spec: spec(), live: undefined, view, replaceRequested: false }).planned?.action).toBe("create");
    const noSr = xvaImport.diff({ address: I, stack: STACK, spec: spec({ sr: "Nowhere" }), live: undefined, view, replaceRequested: false });
    expect(noSr.diagnostics[0]).toMatchObject({ severity: "error", address: I });
    const badSha = xvaImport.diff({ address: I, stack: STACK, spec: spec({ sha256: "abc" }), live: undefined, view, replaceRequested: false });
    expect(badSha.diagnostics[0]?.summary).toContain("sha256 must be 64 hex digits");
  });

  it("no change when the spec matches; renames in place; imports again on a new path, sha256 or unknown sha256", () => {
    const h = "a".repeat(64);
    const { view, live } = imported({ sha256: h });
    const d = (s: Attrs) => xvaImport.diff({ address: I, stack: STACK, spec: s, live, view, replaceRequested: false }).planned?.action;
    expect(d(spec({ sha256: h }))).toBe("no-op");
    expect(d(spec({ sha256: h, name_label: "renamed" }))).toBe("update");
    expect(d(spec({ sha256: h, path: join(dir, "other.xva") }))).toBe("replace");
    expect(d(spec({ sha256: "b".repeat(64) }))).toBe("replace");
    expect(d(spec({ sha256: UNKNOWN }))).toBe("replace");
  });

  it("adopts exactly one new unmarked imported object named like the import; several are ambiguous; old ones never", () => {
    const { b } = demoLikePool();
    const before = b.vm({ name_label: "web-01 (DR)", power_state: "Halted", is_a_template: true, other_config: { import_task: "OpaqueRef:old" } });
    const intent = (existing: string[]): IntentRecord => ({ id: "1", op: "create", address: I, type: "xapi_xva_import", started: "2026-01-01T00:00:00Z", expected_name: "web-01 (DR)", existing: existing as Uuid[], facts: { original_name: "web-01 nightly", name_label: "web-01 (DR)" } });
    expect(xvaImport.resolveIntent(b.build(), intent([before.uuid]), new Map()).status).toBe("discard");
    const fresh = b.vm({ name_label: "web-01 nightly", power_state: "Halted", is_a_template: true, other_config: { import_task: "OpaqueRef:new" } });
    b.vm({ name_label: "web-01 nightly", power_state: "Halted", is_a_template: true });   // not imported: never a candidate
    const one = xvaImport.resolveIntent(b.build(), intent([before.uuid]), new Map());
    expect(one).toMatchObject({ status: "adopt" });
    expect(one.status === "adopt" ? one.live.uuid : undefined).toBe(fresh.uuid);
    b.vm({ name_label: "web-01 (DR)", power_state: "Halted", is_a_template: true, other_config: { import_task: "OpaqueRef:other" } });
    expect(xvaImport.resolveIntent(b.build(), intent([before.uuid]), new Map()).status).toBe("ambiguous");
  });
});
