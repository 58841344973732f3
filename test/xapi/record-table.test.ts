/** RecordTable: rows behind a ReadonlyMap of frozen records, reading back exactly what was converted. */
import { convertRecord, FieldReader, Interner, type ConvertContext } from "../../src/xapi/record-convert";
import { RecordTable } from "../../src/xapi/record-table";
import { VBD_FIELDS, VDI_FIELDS, VMSS_FIELDS } from "../../src/xapi/record-schema";
import type { OpaqueRef, VbdRecord, VdiRecord, VmssRecord } from "../../src/xapi";

const ctx = (cls: string, fields: ConvertContext["fields"]): ConvertContext => ({ cls, fields, interner: new Interner() });
const ref = (n: number): OpaqueRef => `OpaqueRef:${n}` as OpaqueRef;

function tableOf<R extends { readonly ref: OpaqueRef }>(c: ConvertContext, wires: readonly Record<string, unknown>[]): RecordTable<R> {
  const table = new RecordTable<R>(c.cls, c.fields);
  const reader = new FieldReader(c.interner);
  wires.forEach((wire, i) => table.add(ref(i), wire as never, reader));
  return table;
}

describe("RecordTable", () => {
  const vdiWire = (n: number) => ({
    uuid: `u${n}`, name_label: `disk ${n}`, SR: "OpaqueRef:sr",
    virtual_size: String(2 ** 40 + n), physical_utilisation: n, type: "user", sharable: n % 3 === 0,
    managed: true, missing: false, is_a_snapshot: n % 2 === 0, snapshot_of: n % 2 === 0 ? "OpaqueRef:base" : "OpaqueRef:NULL",
    sm_config: { vdi_type: "vhd" }, on_boot: n % 5 === 0 ? "reset" : "persist", other_config: {},
  });

  it("reads back every record as convertRecord builds it, in insertion order, across pages (4,096 rows each)", () => {
    const c = ctx("VDI", VDI_FIELDS);
    const wires = Array.from({ length: 9000 }, (_, n) => vdiWire(n));
    const table = tableOf<VdiRecord>(c, wires);
    const expected = wires.map((w, n) => convertRecord<VdiRecord>(c, ref(n), w));
    expect(table.size).toBe(9000);
    expect([...table.values()]).toEqual(expected);
    expect([...table.keys()]).toEqual(expected.map((r) => r.ref));
    expect(table.get(ref(4095))).toEqual(expected[4095]);
    expect(table.get(ref(4096))).toEqual(expected[4096]);
    expect(table.get(ref(8999))).toEqual(expected[8999]);
    expect(table.get(ref(7))?.virtual_size).toBe(2 ** 40 + 7);
    expect(table.get("OpaqueRef:missing" as OpaqueRef)).toBeUndefined();
    expect(table.has(ref(0)) && !table.has("OpaqueRef:missing" as OpaqueRef)).toBe(true);
  });

  it("hands out frozen records with the table's fields only, and offers no way to change the table", () => {
    const c = ctx("VBD", VBD_FIELDS);
    const table = tableOf<VbdRecord>(c, [{ uuid: "b", VM: "OpaqueRef:vm", VDI: "OpaqueRef:vdi", type: "Disk", mode: "RW", empty: "true", other_config: { owner: "" } }]);
    const vbd = table.get(ref(0));
    expect(Object.isFrozen(vbd)).toBe(true);
    expect(Object.keys(vbd ?? {})).toEqual(["ref", ...Object.keys(VBD_FIELDS)]);
    expect(vbd).toMatchObject({ empty: true, other_config: { owner: "" } });
    expect("set" in table || "delete" in table || "clear" in table).toBe(false);
  });

  it("iterates like a Map: entries, forEach, spread, and a ref added twice keeps its place with the last values", () => {
    const c = ctx("VMSS", VMSS_FIELDS);
    const table = new RecordTable<VmssRecord>(c.cls, c.fields);
    table.add(ref(1), { uuid: "a", name_label: "first", last_run_time: "20260120T09:30:00Z" }, new FieldReader(c.interner));
    table.add(ref(2), { uuid: "b" }, new FieldReader(c.interner));
    table.add(ref(1), { uuid: "a", name_label: "again" }, new FieldReader(c.interner));
    expect([...table].map(([r, s]) => [r, s.name_label])).toEqual([[ref(1), "again"], [ref(2), ""]]);
    const seen: string[] = [];
    table.forEach((s, r, map) => seen.push(`${r}=${s.uuid}:${map === table}`));
    expect(seen).toEqual([`${ref(1)}=a:true`, `${ref(2)}=b:true`]);
    expect(table.get(ref(2))).toMatchObject({ enabled: true, retained_snapshots: 7, last_run_time: new Date(0) });
    const dated = new RecordTable<VmssRecord>(c.cls, c.fields);
    dated.add(ref(3), { uuid: "c", last_run_time: "20260120T09:30:00Z" }, new FieldReader(c.interner));
    expect(dated.get(ref(3))?.last_run_time).toEqual(new Date(Date.UTC(2026, 0, 20, 9, 30)));
  });

  it("finds a record by uuid: canonical ones from their 16 bytes, others as given, a re-added ref under its new uuid only", () => {
    const c = ctx("VBD", VBD_FIELDS);
    const table = new RecordTable<VbdRecord>(c.cls, c.fields);
    const uuid = (n: number) => `0000${n.toString(16).padStart(4, "0")}-aaaa-4bbb-8ccc-${n.toString(16).padStart(12, "0")}`;
    for (let n = 0; n < 100; n++) table.add(ref(n), { uuid: uuid(n) }, new FieldReader(c.interner));
    table.add(ref(100), { uuid: "" }, new FieldReader(c.interner));
    table.add(ref(101), { uuid: "UPPER-case" }, new FieldReader(c.interner));
    table.add(ref(5), { uuid: uuid(500) }, new FieldReader(c.interner));
    table.add(ref(101), { uuid: uuid(7) }, new FieldReader(c.interner));
    expect(table.refOfUuid(uuid(42))).toBe(ref(42));
    expect(table.get(ref(42))?.uuid).toBe(uuid(42));
    expect(table.refOfUuid(uuid(500))).toBe(ref(5));
    expect(table.refOfUuid(uuid(5))).toBeUndefined();
    expect(table.refOfUuid(uuid(7))).toBe(ref(101)); // two records with one uuid: the later row
    expect(table.refOfUuid("UPPER-case")).toBeUndefined();
    expect(table.refOfUuid("")).toBe(ref(100));
    expect(table.get(ref(100))?.uuid).toBe("");
    expect([...table.uuidPairs()].slice(4, 6)).toEqual([[ref(4), uuid(4)], [ref(5), uuid(500)]]);
  });
});
