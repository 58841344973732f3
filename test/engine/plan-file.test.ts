import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { checkStale, readPlanFile, writePlanFile } from "../../src/engine/plan-file";
import { demoLikePool } from "../helpers/demo-like-pool";
import { changeAt, materialize, plan, stackOf } from "../helpers/stack";

const WEB = "xapi_snapshot.web";
const stack = (name = "before") => stackOf({ address: WEB, attrs: { vm: "web-01", name_label: name } });
const dir = mkdtempSync(join(tmpdir(), "xsnap-plan-"));

describe("saved plan files", () => {
  it("round-trips a plan through a gzip'd JSON file that zcat | jq can read", async () => {
    const p = plan(demoLikePool().b, stack());
    const file = join(dir, "a.xsnap");
    await writePlanFile(file, p);
    const doc = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"));
    expect(doc).toMatchObject({ format: "xsnap-plan", version: 1 });
    expect(await readPlanFile(file)).toEqual({ ok: true, plan: JSON.parse(JSON.stringify(p)) });
  });

  it("refuses a file that is not a plan", async () => {
    const file = join(dir, "b.xsnap");
    writeFileSync(file, "hello");
    expect(await readPlanFile(file)).toMatchObject({ ok: false, reason: "not_a_plan" });
  });

  /** Writes `p`'s document edited by `edit`, gzip'd as xsnap writes it. */
  const edited = (name: string, edit: (doc: { plan: Record<string, unknown> & { changes: Record<string, unknown>[] } }) => void): string => {
    const p = plan(demoLikePool().b, stack());
    const doc = JSON.parse(JSON.stringify({ format: "xsnap-plan", version: 1, plan: p }));
    edit(doc);
    const file = join(dir, name);
    writeFileSync(file, gzipSync(Buffer.from(JSON.stringify(doc))));
    return file;
  };

  it("refuses a plan edited by hand, naming the field (a change's action)", async () => {
    const file = edited("c.xsnap", (d) => { d.plan.changes[0]!.action = "explode"; });
    expect(await readPlanFile(file)).toMatchObject({ ok: false, reason: "invalid", message: expect.stringMatching(/plan\.changes\.0\.action: Invalid option/) });
  });

  it("refuses a kind payload edited by hand, naming the address and the field", async () => {
    const file = edited("d.xsnap", (d) => { (d.plan.changes[0]!.private as Record<string, unknown>).vm = 42; });
    const read = await readPlanFile(file);
    expect(read).toMatchObject({ ok: false, reason: "invalid" });
    expect(!read.ok && read.message).toMatch(/xapi_snapshot\.web: private\.vm: Invalid input: expected string, received number/);
  });

  it("refuses a change of a type this xsnap does not manage", async () => {
    const file = edited("e.xsnap", (d) => { d.plan.changes[0]!.type = "xapi_unknown"; });
    expect(await readPlanFile(file)).toMatchObject({ ok: false, message: expect.stringContaining("resource type xapi_unknown is not managed") });
  });

  it("refuses a missing file with the path in the message", async () => {
    expect(await readPlanFile(join(dir, "none.xsnap"))).toMatchObject({ ok: false, reason: "unreadable", message: expect.stringContaining("none.xsnap") });
  });
});

describe("checkStale", () => {
  it("accepts a plan when nothing it read has changed", () => {
    const { b } = demoLikePool();
    const p = plan(b, stack());
    expect(checkStale(p, b.build(), stack())).toEqual({ ok: true });
  });

  it("names the address whose object changed after the plan", () => {
    const { b } = demoLikePool();
    const first = changeAt(plan(b, stack()), WEB);
    if (!first) throw new Error("fixture");
    const snap = materialize(b, first);
    const p = plan(b, stack("after"));
    b.edit(snap, { name_label: "renamed by hand" });
    const result = checkStale(p, b.build());
    expect(result).toMatchObject({ ok: false, reason: "stale", addresses: [WEB] });
    expect(!result.ok && result.message).toContain(`1 object changed after the plan was created: ${WEB}`);
  });

  it("notices a managed object that appeared after the plan (a concurrent apply)", () => {
    const { b } = demoLikePool();
    const p = plan(b, stack());
    const c = changeAt(p, WEB);
    if (!c) throw new Error("fixture");
    materialize(b, c);
    expect(checkStale(p, b.build())).toMatchObject({ ok: false, reason: "stale" });
  });

  it("refuses a plan made for another pool", () => {
    const p = plan(demoLikePool().b, stack());
    expect(checkStale(p, demoLikePool().b.build())).toMatchObject({ ok: true });
    const other = demoLikePool().b;
    other.pool.uuid = "another-pool" as never;
    expect(checkStale(p, other.build())).toMatchObject({ ok: false, reason: "other_pool" });
  });

  it("refuses a plan whose configuration changed", () => {
    const { b } = demoLikePool();
    const p = plan(b, stack());
    expect(checkStale(p, b.build(), { ...stack(), configHash: "different" })).toMatchObject({ ok: false, reason: "stale" });
  });
});
