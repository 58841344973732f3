import {
  encodeFailure,
  encodeFault,
  encodeMethodResponse,
  encodeValue,
  formatXapiDate,
  XmlDouble,
  XmlInt32,
} from "../../src/sim/xml-encode";
import { parseMethodResponse as parseResponse } from "../../src/sim/xmlrpc-parse";


describe("xml-encode", () => {
  it("sends strings untyped and entity-escaped, never as CDATA", () => {
    expect(encodeValue('a<b & "c" > d')).toBe("<value>a&lt;b &amp; &quot;c&quot; &gt; d</value>");
    expect(encodeValue("")).toBe("<value></value>");
    expect(encodeValue("x<y")).not.toContain("CDATA");
  });

  it("drops control characters other than tab, newline and carriage return", () => {
    expect(encodeValue("a\u0001b\tc\nd\re")).toBe("<value>ab\tc\nd\re</value>");
  });

  it("sends int64 as untyped decimal strings, floats as <double>, booleans as 1/0", () => {
    expect(encodeValue(4294967296)).toBe("<value>4294967296</value>");
    expect(encodeValue(2n ** 63n - 1n)).toBe("<value>9223372036854775807</value>");
    expect(encodeValue(0.5)).toBe("<value><double>0.5</double></value>");
    expect(encodeValue(new XmlDouble(1))).toBe("<value><double>1</double></value>");
    expect(encodeValue(new XmlInt32(12))).toBe("<value><i4>12</i4></value>");
    expect(encodeValue(true)).toBe("<value><boolean>1</boolean></value>");
    expect(encodeValue(false)).toBe("<value><boolean>0</boolean></value>");
  });

  it("writes datetimes as YYYYMMDDTHH:MM:SSZ in UTC", () => {
    const d = new Date(Date.UTC(2025, 2, 19, 4, 16, 24));
    expect(formatXapiDate(d)).toBe("20250319T04:16:24Z");
    expect(encodeValue(d)).toBe("<value><dateTime.iso8601>20250319T04:16:24Z</dateTime.iso8601></value>");
    expect(formatXapiDate(new Date(0))).toBe("19700101T00:00:00Z");
  });

  it("encodes arrays and structs and omits undefined members", () => {
    const s = encodeValue({ a: ["x", "1"], "k<": { n: "v" } } as never);
    expect(s).toBe(
      "<value><struct><member><name>a</name><value><array><data><value>x</value><value>1</value></data></array></value></member>" +
        "<member><name>k&lt;</name><value><struct><member><name>n</name><value>v</value></member></struct></value></member></struct></value>",
    );
  });

  it("produces success envelopes that an independent XML-RPC parser reads back value for value", async () => {
    const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    const value = { name: "a & b <c>", mem: 8589934592, ok: true, when, tags: ["t1"], result: "<value>OpaqueRef:x</value>" };
    const parsed = (await parseResponse(encodeMethodResponse(value))) as Record<string, unknown>;
    expect(parsed).toEqual({
      Status: "Success",
      Value: { name: "a & b <c>", mem: "8589934592", ok: true, when, tags: ["t1"], result: "<value>OpaqueRef:x</value>" },
    });
  });

  it("produces failure envelopes with the code first, and faults as Fault", async () => {
    expect(await parseResponse(encodeFailure("HANDLE_INVALID", ["VM", "OpaqueRef:1"]))).toEqual({
      Status: "Failure",
      ErrorDescription: ["HANDLE_INVALID", "VM", "OpaqueRef:1"],
    });
    expect(await parseResponse(encodeFault("No async mode"))).toEqual({
      Status: "Failure",
      ErrorDescription: ["Fault", "No async mode"],
    });
  });
});
