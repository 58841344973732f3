/**
 * Hostile input through the real CLI (issue 12): configs that are malformed, truncated, huge, deeply
 * nested or of the wrong type everywhere (generated from the schema), and saved plans truncated,
 * edited, made for another pool or by another plan format. Each is refused with one line, exit 1 (4
 * for another pool), no stack trace, and no mutating call reaches the pool (`/sim/stats`).
 * The one-rule-per-file cases live in test/config/invalid; this file holds the generated ones.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { loadStack } from "../../src/config";
import { formatDiagnostic } from "../../src/model";
import { dataSources, managedResources, providerSchema, type AttrType, type AttributeSchema } from "../../src/schema";
import { assertBuilt, xsnap, type Run } from "./harness";

jest.setTimeout(60_000);

let sim: RunningSimulator;
let dir: string;
const tally = { tried: 0, rejected: 0 };

beforeAll(async () => {
  assertBuilt();
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 0, authFailureDelayMs: 0 });
  dir = mkdtempSync(join(tmpdir(), "xsnap-hostile-"));
});
afterAll(async () => {
  await sim?.close();
  console.log(`hostile input suite: ${tally.tried} hostile inputs tried, ${tally.rejected} rejected cleanly (one line, right exit code, no stack trace, no mutating call)`);
});

const mutating = async (): Promise<number> => ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { mutating_calls: number }).mutating_calls;

const doc = (resource: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  "//": { metadata: { stackName: "hostile" } },
  provider: { xapi: [{ url: sim.url, username: "root" }] },
  resource,
  ...extra,
});
let n = 0;
const file = (content: string | Buffer): string => {
  const f = join(dir, `case-${++n}.tf.json`);
  writeFileSync(f, content);
  return f;
};

/** A refusal as a user must see it: exit `code`, stderr one `Error:` line matching `message`, no trace. */
function expectRefused(run: Run, code: number, message: RegExp): void {
  const lines = run.stderr.split("\n").filter((l) => l.trim() !== "");
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code, stderr: expect.stringMatching(message) });
  expect(run.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)|RangeError|TypeError|SyntaxError:/);
  expect(lines.filter((l) => l.startsWith("Error:")).length).toBe(1);
  const errorLine = lines.find((l) => l.startsWith("Error:")) ?? "";
  expect(errorLine.length).toBeLessThan(400);
}

/** validate and plan --config both refuse `content`; the pool sees no mutating call. */
async function refusedByValidateAndPlan(content: string | Buffer, message: RegExp): Promise<void> {
  const f = file(content);
  const before = await mutating();
  // Both at once: each is a node process, and the machine may be shared.
  const runs = await Promise.all([xsnap(["validate", "--config", f]), xsnap(["plan", "--config", f])]);
  for (const run of runs) {
    tally.tried++;
    expectRefused(run, 1, message);
    tally.rejected++;
  }
  expect(await mutating()).toBe(before);
}

const VALID = { xapi_snapshot: { web: { vm: "web-01", name_label: "hostile web" } } };

describe("malformed, truncated, huge and deeply nested configs", () => {
  const text = (): string => JSON.stringify(doc(VALID));
  const malformed: [string, () => string | Buffer, RegExp][] = [
    ["empty file", () => "", /is not valid JSON/],
    ["truncated in a string", () => text().slice(0, Math.floor(text().length / 2)), /is not valid JSON/],
    ["truncated before the last brace", () => text().slice(0, -1), /is not valid JSON/],
    ["trailing garbage", () => `${text()} }`, /is not valid JSON/],
    ["a JSON array", () => "[1, 2]", /must be a JSON object/],
    ["JSON null", () => "null", /must be a JSON object/],
    ["a string", () => '"cdk.tf.json"', /must be a JSON object/],
    ["binary bytes", () => Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x07, 0x1b]), /is not valid JSON/],
    ["resource as a list", () => JSON.stringify(doc([VALID])), /"resource" must be an object keyed by type/],
    ["a type as a list", () => JSON.stringify(doc({ xapi_snapshot: [1] })), /"resource\.xapi_snapshot" must be an object keyed by name/],
    ["a block as null", () => JSON.stringify(doc({ xapi_snapshot: { web: null } })), /xapi_snapshot\.web: a resource block must be an object/],
    ["provider as a string", () => JSON.stringify({ ...doc(VALID), provider: "xapi" }), /"provider" must be an object/],
    ["provider block as a number", () => JSON.stringify({ ...doc(VALID), provider: { xapi: [5] } }), /provider\.xapi: a provider block must be an object/],
    ["__proto__ as a resource type", () => `{"provider":{"xapi":[{"url":"${"http://127.0.0.1:1"}","username":"root"}]},"resource":{"__proto__":{"a":{"vm":"web-01"}}}}`, /unknown resource type "__proto__"/],
  ];
  it(`${malformed.length} malformed or truncated documents`, async () => {
    // Three cases at a time: each case is two node processes.
    for (let i = 0; i < malformed.length; i += 3) {
      await Promise.all(malformed.slice(i, i + 3).map(([what, content, message]) =>
        refusedByValidateAndPlan(content(), message).catch((e: Error) => { throw new Error(`${what}: ${e.message}`); })));
    }
  });

  it("10,000 levels of nested lists and of nested objects (and a million in a bare document)", async () => {
    const lists = `${"[".repeat(10_000)}1${"]".repeat(10_000)}`;
    const objects = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    await refusedByValidateAndPlan(text().replace('"hostile web"', lists), /xapi_snapshot\.web\.name_label\[0\]\[0\].*nested more than 64 levels deep/);
    await refusedByValidateAndPlan(text().replace('"hostile web"', objects), /name_label\.a\.a\.a.*nested more than 64 levels deep/);
    await refusedByValidateAndPlan(`${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`, /nested more than 64 levels deep/);
  });

  it("a 50 MB name is refused naming the address, without printing it", async () => {
    const f = file(JSON.stringify(doc({ xapi_snapshot: { web: { vm: "web-01", name_label: "x".repeat(50 * 1024 * 1024) } } })));
    const before = await mutating();
    tally.tried++;
    const run = await xsnap(["validate", "--config", f]);
    expectRefused(run, 1, /^Error: xapi_snapshot\.web: name_label is 52428800 characters long; XAPI refuses requests over 300 KiB: keep it under 65536 characters$/m);
    tally.rejected++;
    expect(await mutating()).toBe(before);
  });

  it("100,000 resources: one wrong among them is found and named, the rest pass", async () => {
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) many[`s${i}`] = { vm: "web-01", name_label: `snap ${i}` };
    many.s77777 = { vm: "web-01", name_label: 77777 };
    tally.tried++;
    const run = await xsnap(["validate", "--config", file(JSON.stringify(doc({ xapi_snapshot: many })))]);
    expectRefused(run, 1, /^Error: xapi_snapshot\.s77777: name_label must be a string \(got number 77777\)$/m);
    tally.rejected++;
  });
});

/** A value of every type but `type` (lists of the wrong element type included). */
function wrongValues(type: AttrType): unknown[] {
  const all: Record<AttrType, unknown[]> = {
    "string": [5, true, ["a"], { a: "b" }],
    "number": ["7", false, [1], { n: 1 }],
    "bool": ["true", 1, [true], { b: true }],
    "list(string)": ["a", 5, true, { a: "b" }, [5], [true], [["a"]], [{ a: "b" }]],
  };
  return all[type];
}

const inputs = (attrs: readonly AttributeSchema[]): AttributeSchema[] => attrs.filter((a) => (a.required || a.optional) && !a.sensitive);

describe("wrong types everywhere (every input attribute of every type, from the schema)", () => {
  const cases: { address: string; attr: string; value: unknown; document: Record<string, unknown> }[] = [];
  const schemas = [...managedResources, ...dataSources];
  for (const schema of schemas) {
    const section = schema.mode === "data" ? "data" : "resource";
    const address = `${schema.mode === "data" ? "data." : ""}${schema.type}.w`;
    for (const a of inputs(schema.attributes)) {
      for (const value of wrongValues(a.type)) {
        cases.push({ address, attr: a.name, value, document: { provider: { xapi: [{ url: "http://127.0.0.1:1", username: "root" }] }, [section]: { [schema.type]: { w: { [a.name]: value } } } } });
      }
    }
    for (const block of schema.blocks) {
      for (const a of inputs(block.attributes)) {
        for (const value of wrongValues(a.type)) {
          cases.push({ address, attr: `${block.name}.${a.name}`, value, document: { [section]: { [schema.type]: { w: { [block.name]: { [a.name]: value } } } } } });
        }
      }
      for (const value of ["daily", 5, [1, 2]]) cases.push({ address, attr: block.name, value, document: { [section]: { [schema.type]: { w: { [block.name]: value } } } } });
    }
  }
  for (const a of inputs(providerSchema.attributes)) {
    for (const value of wrongValues(a.type)) cases.push({ address: "provider.xapi", attr: a.name, value, document: { provider: { xapi: [{ [a.name]: value }] } } });
  }

  it(`has a case for every input attribute (${cases.length} cases)`, () => {
    expect(cases.length).toBeGreaterThan(200);
  });

  it("each is refused by the config loader naming the address and the attribute", async () => {
    const wrong: string[] = [];
    for (const c of cases) {
      tally.tried++;
      const f = file(JSON.stringify(c.document));
      let lines: string[];
      try {
        const result = await loadStack({ cwd: dir, config: f });
        lines = result.ok ? [] : result.diagnostics.map(formatDiagnostic);
      } catch (e) {
        lines = [`threw ${(e as Error).stack ?? String(e)}`];
      }
      const top = c.attr.split(".")[0] ?? c.attr;
      const named = lines.some((l) => l.startsWith(`Error: ${c.address}: `) && (l.includes(c.attr) || l.includes(top)));
      if (named && lines.every((l) => !l.includes("\n"))) tally.rejected++;
      else wrong.push(`${c.address} ${c.attr} = ${JSON.stringify(c.value)}: ${JSON.stringify(lines)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("through the CLI too, for one attribute of each type", async () => {
    const picks = [
      { resource: { xapi_snapshot: { web: { vm: ["web-01"], name_label: "n" } } }, message: /^Error: xapi_snapshot\.web: vm must be a string \(got a list\)$/m },
      { resource: { xapi_snapshot: { web: { vm: "web-01", name_label: "n", quiesce: 1 } } }, message: /^Error: xapi_snapshot\.web: quiesce must be true or false \(got number 1\)$/m },
      { resource: { xapi_snapshot_schedule: { s: { name_label: "s", type: "snapshot", frequency: "daily", schedule: { hour: "2", min: 0 }, retained_snapshots: 3, vms: ["web-01"] } } },
        message: /^Error: xapi_snapshot_schedule\.s: schedule\.hour must be a number \(got string "2"\)$/m },
    ];
    for (const p of picks) await refusedByValidateAndPlan(JSON.stringify(doc(p.resource)), p.message);
  });
});

describe("saved plans that were tampered with", () => {
  let good: Buffer;
  let config: string;
  const planFile = (bytes: Buffer): string => {
    const f = join(dir, `plan-${++n}.xsplan`);
    writeFileSync(f, bytes);
    return f;
  };
  const edit = (fn: (d: { version: number; plan: Record<string, unknown> & { changes: Record<string, unknown>[]; tool: { version: string } } }) => void): Buffer => {
    const d = JSON.parse(gunzipSync(good).toString("utf8")) as Parameters<typeof fn>[0];
    fn(d);
    return gzipSync(Buffer.from(JSON.stringify(d)));
  };
  // Only the secrets and the user: apply PLANFILE reads the pool URL from the plan file.
  const env = { XAPI_USERNAME: "root" };
  async function refusedApply(bytes: Buffer, code: number, message: RegExp, args: readonly string[] = []): Promise<void> {
    const f = planFile(bytes);
    const before = await mutating();
    tally.tried++;
    expectRefused(await xsnap(["apply", f, ...args], { env }), code, message);
    tally.rejected++;
    expect(await mutating()).toBe(before);
  }

  beforeAll(async () => {
    config = file(JSON.stringify(doc(VALID)));
    const out = join(dir, "good.xsplan");
    const run = await xsnap(["plan", "--config", config, "--out", out]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    good = readFileSync(out);
  });

  it.each([
    ["empty", () => Buffer.alloc(0), /is not an xsnap plan file/],
    ["truncated gzip", () => good.subarray(0, Math.floor(good.length / 2)), /is not an xsnap plan file/],
    ["gzip of truncated JSON", () => gzipSync(gunzipSync(good).subarray(0, 100)), /is not an xsnap plan file/],
    ["not gzip'd", () => gunzipSync(good), /is not an xsnap plan file/],
    ["a config given as a plan", () => readFileSync(config), /is not an xsnap plan file/],
    ["another plan format version", () => edit((d) => { d.version = 2; }), /plan format this xsnap does not read \(version 2\)/],
    ["a change with an unknown action", () => edit((d) => { (d.plan.changes[0] as Record<string, unknown>).action = "explode"; }), /is not a valid plan \(was it edited\?\)/],
    ["a change of a type this xsnap does not manage", () => edit((d) => { (d.plan.changes[0] as Record<string, unknown>).type = "xapi_vm"; }), /is not a valid plan \(was it edited\?\)/],
    ["changes removed", () => edit((d) => { delete (d.plan as Record<string, unknown>).changes; }), /is not a valid plan \(was it edited\?\)/],
    ["a value changed inside (the snapshot's name)", () => edit((d) => {
      const c = d.plan.changes[0] as { after: Record<string, unknown>; private: Record<string, unknown> };
      c.after.name_label = "edited";
      c.private.name_label = "edited";
    }), /(edited|modified)/],
    ["the VM changed inside", () => edit((d) => {
      const c = d.plan.changes[0] as { private: Record<string, unknown> };
      c.private.vm = "00000000-0000-0000-0000-000000000000";
    }), /(edited|modified)/],
  ])("%s: refused, exit 1", async (_what, bytes, message) => {
    await refusedApply(bytes(), 1, message);
  });

  it("a plan made for another pool: exit 4, before any change (the lock included)", async () => {
    const other = await startSimulator({ fixture: "demo", port: 0, taskMs: 0, authFailureDelayMs: 0 });
    try {
      // The same fixture, but another pool.
      other.sim.db.set("pool", other.sim.poolRef(), "uuid", "0ther000-0000-4000-8000-000000000001");
      // Planned against one pool; then the config was pointed at another and the old plan applied.
      const moved = file(JSON.stringify({ ...doc(VALID), provider: { xapi: [{ url: other.url, username: "root" }] } }));
      const out = join(dir, "other.xsplan");
      expect((await xsnap(["plan", "--config", moved, "--out", out])).code).toBe(0);
      writeFileSync(moved, JSON.stringify(doc(VALID)));
      await refusedApply(readFileSync(out), 4, /Saved plan does not match the given pool: it was made for pool "demo-pool" \([0-9a-z-]+\), this is "demo-pool" \([0-9a-z-]+\)/, ["--config", moved]);
    } finally {
      await other.close();
    }
  });

  it("the untouched plan still applies (the refusals changed nothing)", async () => {
    const run = await xsnap(["apply", planFile(good)], { env });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  });
});
