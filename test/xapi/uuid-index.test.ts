/** UuidIndex: PoolView.byUuid, each class answering for its own records, read like the Map it replaces. */
import { FieldReader, Interner } from "../../src/xapi/record-convert";
import { VDI_FIELDS } from "../../src/xapi/record-schema";
import { RecordTable } from "../../src/xapi/record-table";
import { RecordUuids, UuidIndex } from "../../src/xapi/uuid-index";
import type { OpaqueRef, Uuid, VdiRecord } from "../../src/xapi";

const records = (...pairs: [string, string][]) => new Map(pairs.map(([ref, uuid]) => [ref as OpaqueRef, { uuid: uuid as Uuid }]));

function vdiTable(uuids: readonly string[]): RecordTable<VdiRecord> {
  const reader = new FieldReader(new Interner());
  const table = new RecordTable<VdiRecord>("VDI", VDI_FIELDS);
  uuids.forEach((uuid, i) => table.add(`OpaqueRef:vdi${i}` as OpaqueRef, { uuid }, reader));
  return table;
}

describe("UuidIndex", () => {
  const canonical = (i: number) => `${i.toString(16).padStart(8, "0")}-4b2c-4d3e-8f40-${(i * 7919).toString(16).padStart(12, "0")}`;

  it("answers class and ref by uuid, as a frozen entry, and iterates in the order classes and records were added", () => {
    const index = new UuidIndex();
    index.add("VM", new RecordUuids(records(["OpaqueRef:vm", "u-vm"])));
    index.add("VDI", (vdiTable([...Array.from({ length: 2000 }, (_, i) => canonical(i)), "Not-Canonical"])));
    index.add("pool", new RecordUuids(records(["OpaqueRef:pool", "u-pool"])));
    expect(index.get(canonical(1999) as Uuid)).toEqual({ class: "VDI", ref: "OpaqueRef:vdi1999" });
    expect(index.get("Not-Canonical" as Uuid)).toEqual({ class: "VDI", ref: "OpaqueRef:vdi2000" });
    expect(index.get(canonical(1999).toUpperCase() as Uuid)).toBeUndefined();
    expect(index.get(canonical(5000) as Uuid)).toBeUndefined();
    expect(Object.isFrozen(index.get("u-vm" as Uuid))).toBe(true);
    expect(index.has("u-pool" as Uuid) && !index.has("nope" as Uuid)).toBe(true);
    expect(index.size).toBe(2003);
    expect([...index.keys()].slice(0, 3)).toEqual(["u-vm", canonical(0), canonical(1)]);
    expect([...index][2002]).toEqual(["u-pool", { class: "pool", ref: "OpaqueRef:pool" }]);
    expect([...index.values()][0]).toEqual({ class: "VM", ref: "OpaqueRef:vm" });
    let seen = 0;
    index.forEach((entry, uuid, map) => {
      if (map === index && entry.ref.length > 0 && uuid.length > 0) seen++;
    });
    expect(seen).toBe(2003);
  });

  it.each([
    ["a uuid in two classes answers for the class added last", [["VM", "same"], ["SR", "same"]], { class: "SR", ref: "OpaqueRef:SR" }],
    ["a uuid twice in one table answers for the later row", [["VDI", "twice"]], { class: "VDI", ref: "OpaqueRef:vdi2" }],
  ] as const)("%s, and is visited once", (_why, classes, expected) => {
    const index = new UuidIndex();
    const uuid = canonical(42);
    for (const [cls] of classes) {
      if (cls === "VDI") index.add(cls, (vdiTable([uuid, canonical(1), uuid])));
      else index.add(cls, new RecordUuids(records([`OpaqueRef:${cls}`, uuid])));
    }
    expect(index.get(uuid as Uuid)).toEqual(expected);
    expect([...index.keys()].filter((u) => u === uuid)).toHaveLength(1);
  });
});
