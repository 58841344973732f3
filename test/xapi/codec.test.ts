import {
  XmlRpcDecodeError,
  XmlRpcDecoder,
  XmlRpcEncodeError,
  decodeResponse,
  decodeValueFragment,
  encodeMethodCall,
  formatXapiDateTime,
  parseXapiDateTime,
} from "../../src/xapi/codec";
import { xmlrpcDecodeCall } from "../../bench/xmlrpc-reference";

const response = (value: string): string =>
  `<?xml version="1.0"?><methodResponse><params><param><value>${value}</value></param></params></methodResponse>`;

describe("XmlRpcDecoder", () => {
  it("keeps a member named __proto__ as an ordinary key and pollutes nothing", () => {
    const { value } = decodeResponse(
      response("<struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>yes</value></member></struct></value></member></struct>"),
    );
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect((value as Record<string, unknown>)["toString"]).toBeUndefined();
  });

  it("drops skipped members while decoding, even when their text spans many chunks", () => {
    const metadata = "&lt;value&gt;" + "x".repeat(200_000) + "&lt;/value&gt;";
    const body = Buffer.from(
      response(`<struct><member><name>uuid</name><value>u1</value></member><member><name>snapshot_metadata</name><value>${metadata}</value></member><member><name>nested</name><value><struct><member><name>snapshot_metadata</name><value><array><data><value>a</value></data></array></value></member><member><name>kept</name><value><boolean>1</boolean></value></member></struct></value></member><member><name>after</name><value>z</value></member></struct>`),
    );
    const decoder = new XmlRpcDecoder({ skipMembers: new Set(["snapshot_metadata"]) });
    for (let at = 0; at < body.length; at += 1000) decoder.write(body.subarray(at, at + 1000));
    expect(decoder.endResponse().value).toEqual({ uuid: "u1", nested: { kept: true }, after: "z" });
  });

  it("keeps only the listed members at the record level, and never drops map keys deeper down", () => {
    const record = (uuid: string): string =>
      `<member><name>OpaqueRef:${uuid}</name><value><struct><member><name>uuid</name><value>${uuid}</value></member><member><name>name_label</name><value>n</value></member><member><name>snapshot_metadata</name><value>big</value></member><member><name>other_config</name><value><struct><member><name>snapshot_metadata</name><value>user data</value></member></struct></value></member><member><name>VBDs</name><value><array><data><value>OpaqueRef:v</value></data></array></value></member></struct></value></member>`;
    const body = response(`<struct><member><name>Status</name><value>Success</value></member><member><name>Value</name><value><struct>${record("a")}${record("b")}</struct></value></member></struct>`);
    const { value } = decodeResponse(body, { keepMembers: new Set(["uuid", "other_config"]), skipMembers: new Set(["snapshot_metadata"]), skipLevel: 3 });
    expect(value).toEqual({
      Status: "Success",
      Value: {
        "OpaqueRef:a": { uuid: "a", other_config: { snapshot_metadata: "user data" } },
        "OpaqueRef:b": { uuid: "b", other_config: { snapshot_metadata: "user data" } },
      },
    });
  });

  it("skips nested values correctly wherever the chunks are cut", () => {
    const skipped = "<value><struct><member><name>a</name><value><array><data><value>x</value><value/><value> value </value></data></array></value></member><member><name>b</name><value><struct></struct></value></member></struct></value>";
    const body = Buffer.from(response(`<struct><member><name>rec</name><value><struct><member><name>keep</name><value>1</value></member><member><name>drop</name>${skipped}</member><member><name>tail</name><value><boolean>1</boolean></value></member></struct></value></member></struct>`));
    const options = { keepMembers: new Set(["keep", "tail"]), skipLevel: 2 };
    for (let size = 1; size <= 9; size++) {
      const decoder = new XmlRpcDecoder(options);
      for (let at = 0; at < body.length; at += size) decoder.write(body.subarray(at, at + size));
      expect(decoder.endResponse().value).toEqual({ rec: { keep: "1", tail: true } });
    }
  });

  it("reports a fault response as a fault", () => {
    const body =
      "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member><member><name>faultString</name><value>Too many parameters.</value></member></struct></value></fault></methodResponse>";
    expect(decodeResponse(body)).toEqual({ fault: true, value: { faultCode: 4, faultString: "Too many parameters." } });
  });

  it.each([
    ["a document cut in the middle", response("<struct><member><name>a</name><value>b").slice(0, -3)],
    ["a boolean that is not 1 or 0", response("<boolean>true</boolean>")],
    ["an unknown tag", response("<bogus>1</bogus>")],
    ["an int that is not a number", response("<int>12a</int>")],
    ["an empty body", ""],
    ["two params", "<methodResponse><params><param><value>a</value></param><param><value>b</value></param></params></methodResponse>"],
  ])("refuses %s with XmlRpcDecodeError", (_why, body) => {
    expect(() => decodeResponse(body)).toThrow(XmlRpcDecodeError);
  });

  it("reads CDATA verbatim and ignores comments", () => {
    expect(decodeResponse(response("a<![CDATA[<b>&amp;]]><!-- note -->c")).value).toBe("a<b>&amp;c");
  });

  it("decodes a task result fragment, including the void result", () => {
    expect(decodeValueFragment("<value>OpaqueRef:5b2c</value>")).toBe("OpaqueRef:5b2c");
    expect(decodeValueFragment("<value></value>")).toBe("");
    expect(decodeValueFragment("<value><array><data><value>OpaqueRef:a</value></data></array></value>")).toEqual(["OpaqueRef:a"]);
  });

  it("decodes characters whose UTF-8 bytes arrive in different chunks", () => {
    const body = Buffer.from(response("😀 café &#x1F600;"));
    const decoder = new XmlRpcDecoder();
    for (const byte of body) decoder.write(Buffer.from([byte]));
    expect(decoder.endResponse().value).toBe("😀 café 😀");
  });
});

describe("XAPI datetimes", () => {
  it.each([
    ["20250319T04:16:24Z", "2025-03-19T04:16:24.000Z"],
    ["2025-03-19T04:16:24Z", "2025-03-19T04:16:24.000Z"],
    ["20250319T04:16:24", "2025-03-19T04:16:24.000Z"], // XAPI reads a missing zone as UTC
    ["2025-03-19T06:16:24+02:00", "2025-03-19T04:16:24.000Z"],
    ["19700101T00:00:00Z", "1970-01-01T00:00:00.000Z"],
  ])("parses %s as %s", (text, iso) => {
    expect(parseXapiDateTime(text)?.toISOString()).toBe(iso);
  });

  it("formats in UTC whatever the process time zone", () => {
    expect(formatXapiDateTime(new Date("2024-01-02T03:04:05.678Z"))).toBe("20240102T03:04:05Z");
  });
});

describe("encodeMethodCall", () => {
  it("writes XAPI's dialect: int64 as strings, <double>, <boolean>1/0, UTC dates, escaped text", () => {
    const xml = encodeMethodCall("VM.set_memory", [4294967296, 0.5, true, false, new Date(Date.UTC(2025, 2, 19, 4, 16, 24)), "a<b&c>\r"]);
    expect(xml).toBe(
      '<?xml version="1.0"?><methodCall><methodName>VM.set_memory</methodName><params>' +
        "<param><value>4294967296</value></param><param><value><double>0.5</double></value></param>" +
        "<param><value><boolean>1</boolean></value></param><param><value><boolean>0</boolean></value></param>" +
        "<param><value><dateTime.iso8601>20250319T04:16:24Z</dateTime.iso8601></value></param>" +
        "<param><value>a&lt;b&amp;c&gt;&#13;</value></param></params></methodCall>",
    );
  });

  it("is read back exactly by the xmlrpc parser the simulator uses", async () => {
    const params = ["OpaqueRef:1", { name_label: "nightly ✓ 😀", tags: ["a", "b&c"], "__proto__x": "k" }, [], {}, "line\r\nbreak"];
    expect(await xmlrpcDecodeCall(encodeMethodCall("VM.snapshot", params))).toEqual({ method: "VM.snapshot", params });
  });

  it.each([
    ["undefined", [undefined], "params[0]"],
    ["null", [null], "params[0]"],
    ["NaN", [NaN], "params[0]"],
    ["Infinity", [Infinity], "params[0]"],
    ["an integer beyond 2^53", [2 ** 53 + 2], "params[0]"],
    ["a bigint", [10n], "params[0]"],
    ["an invalid Date", [new Date("nope")], "params[0]"],
    ["an undefined struct member", [{ a: { b: undefined } }], "params[0].a.b"],
    ["a control character", ["ok", ["x\u0001y"]], "params[1][0]"],
    ["a lone surrogate", ["\uD800"], "params[0]"],
  ])("refuses %s, naming where it is", (_why, params, path) => {
    expect(() => encodeMethodCall("m", params)).toThrow(XmlRpcEncodeError);
    try {
      encodeMethodCall("m", params);
    } catch (error) {
      expect((error as XmlRpcEncodeError).path).toBe(path);
    }
  });

  it("never copies the refused value into the error (it may be a password)", () => {
    expect(() => encodeMethodCall("session.login_with_password", ["root", "s3cret\u0000"])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("s3cret") }),
    );
  });
});
