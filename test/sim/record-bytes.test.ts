/**
 * The byte encoders that serve get_all_records write exactly what the generic wire paths give, on
 * whole pools and on values a pool rarely holds (escapes, unicode, floats, dates in maps).
 */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { ByteSink } from "../../src/sim/byte-sink";
import { writeRecordJson, writeRecordXml } from "../../src/sim/record-bytes";
import { type DbRecord, PieceText, recordToWire, toJsonValue } from "../../src/sim/schema";
import { encodeValue } from "../../src/sim/xml-encode";

const bytesOf = (write: (sink: ByteSink) => void): string => {
  const sink = new ByteSink(64); // small chunks: records span many of them
  write(sink);
  return Buffer.concat(sink.take()).toString("utf8");
};
const json = (cls: string, rec: DbRecord): string => bytesOf((s) => writeRecordJson(s, cls, rec));
const xml = (cls: string, rec: DbRecord): string => bytesOf((s) => writeRecordXml(s, cls, rec));
/** What goes on the wire for a generic path's text (a lone surrogate becomes U+FFFD in UTF-8). */
const wire = (text: string): string => Buffer.from(text, "utf8").toString("utf8");

describe("record byte encoders", () => {
  let sims: RunningSimulator[] = [];
  beforeAll(async () => {
    sims = [await startSimulator({ vms: 12, snapshotsPerVm: 3, seed: 5, authFailureDelayMs: 0 }), await startSimulator({ authFailureDelayMs: 0 })];
  });
  afterAll(async () => {
    for (const sim of sims) await sim.close();
  });

  it("write every record of the generated and the demo pool as the generic JSON and XML-RPC paths do", () => {
    let n = 0;
    for (const { sim } of sims) {
      for (const cls of sim.db.classes()) {
        for (const rec of sim.db.table(cls).values()) {
          expect(json(cls, rec)).toBe(wire(JSON.stringify(toJsonValue(recordToWire(cls, rec)))));
          expect(xml(cls, rec)).toBe(wire(encodeValue(recordToWire(cls, rec))));
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(400);
  });

  it.each([
    ["quotes, backslashes and markup", { name_label: `a "b" \\ <c> & 'd'` }],
    ["control characters (JSON escapes them, XML drops them)", { name_description: "tab\there\u0001\u001f\nend" }],
    ["unicode, an emoji and a lone surrogate", { name_label: "héllo ✓ 😀 \ud800 x" }],
    ["floats, integral and not, and a fraction in an int field", { memory_overhead: 1.5, VCPUs_max: 2, HVM_shadow_multiplier: 1 }],
    ["maps and sets with awkward keys and members", { other_config: { 'k"1': "v<1>", "2": "two", "": "" }, tags: ["a&b", "c\"d"] }],
    ["snapshot_metadata pieces holding quotes and markup", { snapshot_metadata: new PieceText(["(", `('recommendations' '<r a="1"/>')`, "('x' 'y\\'z')", ")"]) }],
  ] as const)("write %s as the generic paths do", (_why, fields) => {
    const db = sims[0]?.sim.db;
    if (!db) throw new Error("no pool");
    const ref = db.create("VM", fields as unknown as DbRecord);
    const rec = db.require("VM", ref);
    expect(json("VM", rec)).toBe(wire(JSON.stringify(toJsonValue(recordToWire("VM", rec)))));
    expect(xml("VM", rec)).toBe(wire(encodeValue(recordToWire("VM", rec))));
    db.delete("VM", ref);
  });
});
