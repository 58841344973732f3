/**
 * Kill -9 anywhere in a mixed apply (issue 12): a snapshot, a template made from it, a revert of its
 * VM to it, a snapshot schedule, an export of the snapshot to a file and an import of that file back
 * into the pool, planned together. The process dies at every XAPI call in turn — before the call
 * reaches the pool, or right after it took effect — and stays dead (its sockets close: an export it
 * was reading is cut, an upload aborted); then plan + apply converge: each object exactly once, one
 * export file holding the bytes its record names and no `.partial`, no orphan disk, no intent left,
 * and VM.revert ran exactly once.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { applyPlan } from "../../src/engine/applier";
import { entryKey } from "../../src/engine/registry";
import { planStack } from "../../src/engine/planner";
import { asAddress, hasBlockingIntents, type DesiredStack, type Plan } from "../../src/model";
import { builtinKinds } from "../../src/resources";
import type { XapiClient } from "../../src/resources/client";
import { kindRegistry, type ResourceKind } from "../../src/resources/kind";
import type { PoolView } from "../../src/xapi/records";
import { dyingAt } from "../helpers/dying-client";
import { STACK, stackOf } from "../helpers/stack";

const DIR = mkdtempSync(join(tmpdir(), "xsnap-crash-mixed-"));
const FILE = join(DIR, "base.xva");
let sim: RunningSimulator;
let client: XapiClient;

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 0 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
  rmSync(DIR, { recursive: true, force: true });
});

async function planNow(stack: DesiredStack): Promise<Plan> {
  const view = await client.readPoolView();
  return planStack({ stack, provider: "default", view, pool: { uuid: view.pool.uuid, name_label: "", url: sim.url, xapi_version: view.xapiVersion, insecure: false } });
}

const ref = (address: string, attribute = "uuid") => ({ ref: { address: asAddress(address), attribute } });
const MIXED = stackOf(
  { address: "xapi_snapshot.base", attrs: { vm: "web-01", name_label: "crash base" } },
  { address: "xapi_template.gold", attrs: { source: ref("xapi_snapshot.base"), name_label: "crash gold", sr: "NFS store" }, dependsOn: ["xapi_snapshot.base"] },
  { address: "xapi_vm_revert.back", attrs: { vm: "web-01", snapshot: ref("xapi_snapshot.base"), revert_token: "t1" }, dependsOn: ["xapi_snapshot.base"] },
  { address: "xapi_snapshot_schedule.nightly", attrs: { name_label: "crash nightly", name_description: "", type: "snapshot", frequency: "daily",
    schedule: { hour: 2, min: 30 }, retained_snapshots: 7, enabled: true, vms: ["db-01"] } },
  { address: "xapi_snapshot_export.file", attrs: { source: ref("xapi_snapshot.base"), path: FILE, compress: false }, dependsOn: ["xapi_snapshot.base"] },
  { address: "xapi_xva_import.copy", attrs: { path: ref("xapi_snapshot_export.file", "path"), sha256: ref("xapi_snapshot_export.file", "sha256"), sr: "NFS store", name_label: "crash copy" },
    dependsOn: ["xapi_snapshot_export.file"] },
);

const reverts = async (): Promise<number> => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls["Async.VM.revert"] ?? 0;
const count = (view: PoolView, name: string): number => [...view.vms.values()].filter((v) => v.name_label === name).length;
const pending = (view: PoolView): string[] => Object.keys(view.pool.other_config).filter((k) => k.startsWith("xsnap.pending/"));

/** The export as the pool records it and as the disk holds it. */
function exportFile(view: PoolView): { recorded: boolean; sameBytes: boolean; files: string[] } {
  const entry = view.pool.other_config[entryKey("export", STACK, asAddress("xapi_snapshot_export.file"))];
  const record = entry ? (JSON.parse(entry) as { sha256: string; bytes: number; path: string }) : undefined;
  const bytes = existsSync(FILE) ? readFileSync(FILE) : undefined;
  return {
    recorded: record?.path === FILE,
    sameBytes: bytes !== undefined && record?.sha256 === createHash("sha256").update(bytes).digest("hex") && record.bytes === bytes.length,
    files: readdirSync(DIR),   // no `.partial` beside it
  };
}

/** The imported template: one, marked as the import of this stack, from the file the export wrote (its SHA-256 checked). */
function importedFrom(view: PoolView): string[] {
  const entry = view.pool.other_config[entryKey("export", STACK, asAddress("xapi_snapshot_export.file"))];
  const sha256 = entry ? (JSON.parse(entry) as { sha256: string }).sha256 : undefined;
  return [...view.vms.values()].filter((v) => v.name_label === "crash copy").map((v) =>
    `${v.other_config["xsnap.address"] ?? "unmarked"} ${v.other_config["xsnap.xva_path"] === FILE && v.other_config["xsnap.xva_sha256"] === sha256 ? "from the file" : "?"}`);
}

async function converge(stack: DesiredStack): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const plan = await planNow(stack);
    expect({ blocking: hasBlockingIntents(plan) ? plan.intents : false, errors: plan.diagnostics.filter((d) => d.severity === "error") }).toEqual({ blocking: false, errors: [] });
    if (plan.changes.every((c) => c.action === "no-op") && (plan.intents ?? []).length === 0) return;
    expect((await applyPlan({ plan, client, parallelism: 1 })).failed).toEqual([]);
  }
  throw new Error("did not converge in 3 rounds");
}

/** The built-in kinds, each apply run inside an async context naming its kind (to count kill points per kind). */
const runningKind = new AsyncLocalStorage<string>();
const builtin = builtinKinds();
const KINDS = kindRegistry({
  managed: [...builtin.managed.values()].map((k): ResourceKind => ({ ...k, apply: (change, ctx) => runningKind.run(k.type, () => k.apply(change, ctx)) })),
  data: [...builtin.data.values()],
});

describe("a mixed apply (snapshot, template, revert, schedule, export, import) killed at any point converges", () => {
  it("before and after every XAPI call", async () => {   // ~30 s alone on 2 cores; more when the machine is shared
    sim.reset();
    rmSync(FILE, { force: true });
    const kindOf: string[] = [];   // kindOf[n - 1]: the kind whose apply made call n ("engine": intents, registry)
    const counting = dyingAt(client, Number.MAX_SAFE_INTEGER, "before", { staysDead: true, onCall: (n) => (kindOf[n - 1] = runningKind.getStore() ?? "engine") });
    expect((await applyPlan({ plan: await planNow(MIXED), client: counting, parallelism: 1, kinds: KINDS })).failed).toEqual([]);
    const total = counting.calls();
    const expected = await client.readPoolView();
    const shape = (v: PoolView) => {
      const schedules = [...v.vmss.values()].filter((s) => s.name_label === "crash nightly");
      const db = [...v.vms.values()].find((x) => x.name_label === "db-01");
      return { base: count(v, "crash base"), gold: count(v, "crash gold"), schedules: schedules.length, dbInSchedule: db?.snapshot_schedule === schedules[0]?.ref,
        exported: exportFile(v), imported: importedFrom(v), pending: pending(v), vdis: v.vdis.size };
    };
    expect(shape(expected)).toEqual({ base: 1, gold: 1, schedules: 1, dbInSchedule: true,
      exported: { recorded: true, sameBytes: true, files: ["base.xva"] }, imported: ["xapi_xva_import.copy from the file"], pending: [], vdis: expect.any(Number) });
    const want = shape(expected);
    const perKind = new Map<string, number>();
    let partials = 0;
    for (let at = 1; at <= total; at++) {
      for (const when of ["before", "after"] as const) {
        sim.reset();
        rmSync(FILE, { force: true });
        const revertsBefore = await reverts();
        let leftOnDisk: Map<string, Buffer> | undefined;
        const onDeath = (): void => void (leftOnDisk = new Map(readdirSync(DIR).map((f) => [f, readFileSync(join(DIR, f))])));
        await applyPlan({ plan: await planNow(MIXED), client: dyingAt(client, at, when, { staysDead: true, onDeath }), parallelism: 1 });
        // What kill -9 leaves: the folder as it was when the process died (its catch blocks never ran).
        rmSync(DIR, { recursive: true, force: true });
        mkdirSync(DIR);
        for (const [name, bytes] of leftOnDisk ?? []) writeFileSync(join(DIR, name), bytes);
        if (leftOnDisk?.has("base.xva.partial")) partials++;
        await converge(MIXED);
        const view = await client.readPoolView();
        const why = `killed ${when} call ${at} of ${total}`;
        expect({ why, ...shape(view), reverts: (await reverts()) - revertsBefore }).toEqual({ why, ...want, reverts: 1 });
        const kind = kindOf[at - 1] ?? "engine";
        perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
      }
    }
    const tried = [...perKind.values()].reduce((a, b) => a + b, 0);
    expect(tried).toBe(2 * total);
    expect(partials).toBeGreaterThan(0);
    console.log(`mixed crash suite: ${total} XAPI calls, ${tried} kill points, all converged (${[...perKind].map(([k, n]) => `${k} ${n}`).join(", ")}; ${partials} left a .partial export file)`);
  }, 300_000);
});
