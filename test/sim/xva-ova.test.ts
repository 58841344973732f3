import { buildOvaXml, parseOvaXml } from "../../src/sim/xva-ova";
import { isXvaFormatError } from "../../src/sim/xva-errors";
import { sampleObjects, VERSION } from "./xva-fixtures";

describe("ova.xml", () => {
  it("is a bare XML-RPC struct: no XML declaration, untyped strings and ints, entity-escaped", () => {
    const xml = buildOvaXml({ version: VERSION, objects: [{ class: "VM", id: "Ref:3", snapshot: { name_label: "a<b & \"c\"", is_a_template: true, VCPUs_max: "2" } }] });
    expect(xml).toBe(
      "<value><struct>" +
        "<member><name>version</name><value><struct>" +
        "<member><name>hostname</name><value>xcp-host-1</value></member>" +
        "<member><name>date</name><value>2026-11-25</value></member>" +
        "<member><name>product_version</name><value>8.3.0</value></member>" +
        "<member><name>product_brand</name><value>XCP-ng</value></member>" +
        "<member><name>build_number</name><value>release/yangtze</value></member>" +
        "<member><name>xapi_major</name><value>26</value></member>" +
        "<member><name>xapi_minor</name><value>1</value></member>" +
        "<member><name>export_vsn</name><value>2</value></member>" +
        "</struct></value></member>" +
        "<member><name>objects</name><value><array><data>" +
        "<value><struct><member><name>class</name><value>VM</value></member>" +
        "<member><name>id</name><value>Ref:3</value></member>" +
        "<member><name>snapshot</name><value><struct>" +
        "<member><name>name_label</name><value>a&lt;b &amp; &quot;c&quot;</value></member>" +
        "<member><name>is_a_template</name><value><boolean>1</boolean></value></member>" +
        "<member><name>VCPUs_max</name><value>2</value></member>" +
        "</struct></value></member></struct></value>" +
        "</data></array></value></member>" +
        "</struct></value>",
    );
  });

  it("parses back to the same objects, with ints as the strings the wire carries", async () => {
    const objects = sampleObjects(["Ref:9", "Ref:10"]);
    const parsed = await parseOvaXml(buildOvaXml({ version: VERSION, objects }));
    expect(parsed.objects).toEqual(objects);
    expect(parsed.version).toEqual({ ...VERSION, xapi_major: "26", xapi_minor: "1", export_vsn: "2" });
  });

  it("keeps dates, doubles, nested maps and empty arrays", async () => {
    const snapshot = { snapshot_time: new Date("2026-11-25T22:00:00Z"), progress: 0.5, other_config: { "xsnap.self": "xapi_snapshot.pre" }, tags: [] };
    const parsed = await parseOvaXml(buildOvaXml({ version: VERSION, objects: [{ class: "VM", id: "Ref:1", snapshot }] }));
    expect(parsed.objects[0]!.snapshot).toEqual(snapshot);
  });

  it.each([
    ["not XML at all", "hello"],
    ["an array at the top", "<value><array><data></data></array></value>"],
    ["an object without an id", "<value><struct><member><name>version</name><value><struct></struct></value></member><member><name>objects</name><value><array><data><value><struct><member><name>class</name><value>VM</value></member><member><name>snapshot</name><value><struct></struct></value></member></struct></value></data></array></value></member></struct></value>"],
  ])("rejects %s with BAD_OVA_XML", async (_why, xml) => {
    const error: unknown = await parseOvaXml(xml).catch((e: unknown) => e);
    expect(isXvaFormatError(error, "BAD_OVA_XML")).toBe(true);
  });
});
