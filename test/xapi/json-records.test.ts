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
