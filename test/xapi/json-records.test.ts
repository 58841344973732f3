import { JsonRecordSplitter } from "../../src/xapi/json-records";
import { randomChunks, randomValue, seeded } from "./random-xmlrpc";

function split(text: string, cut: (bytes: string) => Buffer[]): { records: [string, unknown][]; envelope: unknown } {
  const records: [string, unknown][] = [];
  const splitter = new JsonRecordSplitter((ref, record) => records.push([ref, record]));
  for (const chunk of cut(text)) splitter.write(chunk);
  return { records, envelope: splitter.end() };
}

const jsonOf = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe("JsonRecordSplitter", () => {
  it.each(Array.from({ length: 40 }, (_, i) => i))("hands out every record of random answer #%i whatever the chunk cuts", (seed) => {
    const rand = seeded(500 + seed);
    const result: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) {
      result[`OpaqueRef:${seed}-${i}`] = { uuid: `u${i}`, tricky: 'a "quoted" {brace} [bracket] \\ back\\"slash', nested: jsonOf(randomValue(rand)) };
    }
    const text = JSON.stringify({ jsonrpc: "2.0", result, id: 1 });
    const { records, envelope } = split(text, (t) => randomChunks(rand, t));
    expect(Object.fromEntries(records)).toEqual(result);
    expect(envelope).toEqual({ result: {} });
  });

  it("is not fooled by a ref-keyed map of objects inside a record (a look-alike of the record boundary)", () => {
    const result = {
      "OpaqueRef:a": { uuid: "a", current: { "OpaqueRef:t": { op: 1 }, "OpaqueRef:u": { op: 2 } }, tail: "}}" },
      "OpaqueRef:b": { uuid: "b", nested: { "OpaqueRef:x": { deep: { "OpaqueRef:y": {} } } } },
    };
    const text = JSON.stringify({ jsonrpc: "2.0", result, id: 7 });
    for (const size of [1, 3, 16, 4096]) {
      const { records } = split(text, (t) => Array.from({ length: Math.ceil(t.length / size) }, (_, i) => Buffer.from(t.slice(i * size, (i + 1) * size))));
      expect(Object.fromEntries(records)).toEqual(result);
    }
  });

  it("reads pretty-printed JSON too (whitespace between tokens)", () => {
    const result = { "OpaqueRef:a": { uuid: "a" }, "OpaqueRef:b": { uuid: "b" } };
    const { records } = split(JSON.stringify({ jsonrpc: "2.0", result, id: 1 }, null, 2), (t) => [Buffer.from(t)]);
    expect(Object.fromEntries(records)).toEqual(result);
  });

  it("parses an error answer whole", () => {
    const text = '{"jsonrpc":"2.0","error":{"code":1,"message":"SESSION_INVALID","data":["OpaqueRef:x"]},"id":1}';
    expect(split(text, (t) => [Buffer.from(t)])).toEqual({ records: [], envelope: JSON.parse(text) });
  });

  it("parses an empty record map and a non-map result whole", () => {
    expect(split('{"jsonrpc":"2.0","result":{},"id":1}', (t) => [Buffer.from(t)]).envelope).toEqual({ jsonrpc: "2.0", result: {}, id: 1 });
    expect(split('{"jsonrpc":"2.0","result":"OpaqueRef:a","id":1}', (t) => [Buffer.from(t)]).envelope).toMatchObject({ result: "OpaqueRef:a" });
  });

  it("refuses an answer cut in the middle of a record", () => {
    const splitter = new JsonRecordSplitter(() => undefined);
    splitter.write(Buffer.from('{"result":{"OpaqueRef:a":{"uuid":"u"},"OpaqueRef:b":{"uuid":'));
    expect(() => splitter.end()).toThrow(SyntaxError);
  });
});

describe("JsonRecordSplitter with skipped members", () => {
  const skipMembers = new Set(["snapshot_metadata", "last_booted_record"]);
  const splitSkipping = (text: string, chunkSize: number): [string, unknown][] => {
    const records: [string, unknown][] = [];
    const splitter = new JsonRecordSplitter((ref, record) => records.push([ref, record]), { skipMembers });
    const bytes = Buffer.from(text, "utf8");
    for (let at = 0; at < bytes.length; at += chunkSize) splitter.write(bytes.subarray(at, at + chunkSize));
    expect(splitter.end()).toEqual({ result: {} });
    return records;
  };
  const answer = (result: Record<string, unknown>): string => JSON.stringify({ jsonrpc: "2.0", result, id: 1 });
  const metadata = `(('uuid' 'x')('name' 'a \\"quoted\\" {brace} },"OpaqueRef:z":{ \\\\'))`.repeat(20);

  it.each([
    ["every chunk size, so cuts fall inside the skipped value, its key and the record boundary", [1, 2, 7, 13, 64, 1000, 1 << 20]],
  ])("%s", (_why, sizes) => {
    const result = {
      "OpaqueRef:a": { uuid: "a", name_label: "vm", snapshot_metadata: metadata, last_booted_record: "x\\\"y", tags: ["t"] },
      "OpaqueRef:b": { uuid: "b", snapshot_metadata: 'ends with a backslash \\', other_config: { k: "é ü 雪" } },
      "OpaqueRef:c": { uuid: "c", other_config: {} },
    };
    for (const size of sizes) {
      expect(Object.fromEntries(splitSkipping(answer(result), size))).toEqual({
        "OpaqueRef:a": { ...result["OpaqueRef:a"], snapshot_metadata: "", last_booted_record: "" },
        "OpaqueRef:b": { ...result["OpaqueRef:b"], snapshot_metadata: "" },
        "OpaqueRef:c": result["OpaqueRef:c"],
      });
    }
  });

  it.each([
    ["a record without the member is read whole", { uuid: "a", name_label: "no metadata" }, { uuid: "a", name_label: "no metadata" }],
    ["a member of the same name inside a map is data, not the skipped member", { uuid: "a", other_config: { z: "1", snapshot_metadata: "keep me" } }, { uuid: "a", other_config: { z: "1", snapshot_metadata: "keep me" } }],
    ["the member inside a map before the real one: both read right", { uuid: "a", other_config: { z: "1", snapshot_metadata: "keep me" }, snapshot_metadata: "drop me" }, { uuid: "a", other_config: { z: "1", snapshot_metadata: "keep me" }, snapshot_metadata: "" }],
    ["the member as the first key (no comma before it) still reads as empty", { snapshot_metadata: "first", uuid: "a" }, { snapshot_metadata: "", uuid: "a" }],
    ["a member that is not a string is left as it is", { uuid: "a", snapshot_metadata: { not: "a string" } }, { uuid: "a", snapshot_metadata: { not: "a string" } }],
    ["a value holding the member's own needle, escaped", { uuid: "a", name_description: ',"snapshot_metadata":"', snapshot_metadata: "m" }, { uuid: "a", name_description: ',"snapshot_metadata":"', snapshot_metadata: "" }],
  ])("%s", (_why, record, expected) => {
    for (const size of [1, 5, 4096]) {
      expect(splitSkipping(answer({ "OpaqueRef:a": record, "OpaqueRef:b": { uuid: "b" } }), size)).toEqual([["OpaqueRef:a", expected], ["OpaqueRef:b", { uuid: "b" }]]);
    }
  });

  it("blanks skipped members on the general path too (pretty-printed answer)", () => {
    const text = JSON.stringify({ jsonrpc: "2.0", result: { "OpaqueRef:a": { uuid: "a", snapshot_metadata: "m" } }, id: 1 }, null, 2);
    expect(splitSkipping(text, 3)).toEqual([["OpaqueRef:a", { uuid: "a", snapshot_metadata: "" }]]);
  });

  it("parses an error answer whole", () => {
    const text = '{"jsonrpc":"2.0","error":{"code":1,"message":"SESSION_INVALID","data":["OpaqueRef:x"]},"id":1}';
    const splitter = new JsonRecordSplitter(() => undefined, { skipMembers });
    for (let at = 0; at < text.length; at += 4) splitter.write(Buffer.from(text.slice(at, at + 4)));
    expect(splitter.end()).toEqual(JSON.parse(text));
  });

  it("refuses an answer cut in the middle of a skipped value", () => {
    const splitter = new JsonRecordSplitter(() => undefined, { skipMembers });
    splitter.write(Buffer.from('{"result":{"OpaqueRef:a":{"uuid":"u","snapshot_metadata":"(\\"a'));
    expect(() => splitter.end()).toThrow(SyntaxError);
  });
});
