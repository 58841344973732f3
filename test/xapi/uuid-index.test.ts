/** UuidIndex: PoolView.byUuid kept as rows, read like the Map it replaces. */
import { UuidIndex } from "../../src/xapi/uuid-index";
import type { OpaqueRef, Uuid } from "../../src/xapi";

const pair = (ref: string, uuid: string) => [ref as OpaqueRef, uuid as Uuid] as const;

describe("UuidIndex", () => {
  it("answers class and ref by uuid, as a frozen entry, and iterates in the order uuids were added", () => {
    const index = new UuidIndex();
    index.add("VM", [pair("OpaqueRef:vm", "u-vm")]);
    index.add("VDI", Array.from({ length: 2000 }, (_, i) => pair(`OpaqueRef:vdi${i}`, `u-vdi${i}`)));
    index.add("pool", [pair("OpaqueRef:pool", "u-pool")]);
    expect(index.get("u-vdi1999" as Uuid)).toEqual({ class: "VDI", ref: "OpaqueRef:vdi1999" });
    expect(Object.isFrozen(index.get("u-vm" as Uuid))).toBe(true);
    expect(index.get("nope" as Uuid)).toBeUndefined();
    expect(index.has("u-pool" as Uuid) && !index.has("nope" as Uuid)).toBe(true);
    expect(index.size).toBe(2002);
    expect([...index.keys()].slice(0, 2)).toEqual(["u-vm", "u-vdi0"]);
    expect([...index][2001]).toEqual(["u-pool", { class: "pool", ref: "OpaqueRef:pool" }]);
    expect([...index.values()][0]).toEqual({ class: "VM", ref: "OpaqueRef:vm" });
    let seen = 0;
    index.forEach((entry, uuid, map) => {
      if (map === index && entry.ref.length > 0 && uuid.startsWith("u-")) seen++;
    });
    expect(seen).toBe(2002);
  });

  it("keeps the last class a uuid was added under, in its first place (Map.set semantics)", () => {
    const index = new UuidIndex();
    index.add("VM", [pair("OpaqueRef:a", "same"), pair("OpaqueRef:b", "other")]);
    index.add("SR", [pair("OpaqueRef:c", "same")]);
    expect([...index]).toEqual([["same", { class: "SR", ref: "OpaqueRef:c" }], ["other", { class: "VM", ref: "OpaqueRef:b" }]]);
    expect(index.size).toBe(2);
  });
});
