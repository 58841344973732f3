/** Wire record → typed record: the compact forms (shared hidden class, interned strings, maps without Object.prototype). */
import { convertRecord, Interner, type ConvertContext } from "../../src/xapi/record-convert";
import { VBD_FIELDS, VDI_FIELDS, VMSS_FIELDS, VM_FIELDS } from "../../src/xapi/record-schema";
import type { OpaqueRef, VbdRecord, VdiRecord, VmRecord, VmssRecord } from "../../src/xapi";

const ctx = (cls: string, fields: ConvertContext["fields"], interner = new Interner()): ConvertContext => ({ cls, fields, interner });

describe("convertRecord", () => {
  it("keeps map keys such as __proto__ and constructor as ordinary, frozen keys", () => {
    const vm = convertRecord<VmRecord>(ctx("VM", VM_FIELDS), "OpaqueRef:1" as OpaqueRef, {
      uuid: "u1", other_config: { ["__proto__"]: "p", constructor: "c", toString: "t", "xsnap.address": "xapi_snapshot.a" },
    });
    expect(Object.keys(vm.other_config).sort()).toEqual(["__proto__", "constructor", "toString", "xsnap.address"]);
    expect(vm.other_config["__proto__"]).toBe("p");
    expect(vm.other_config["constructor"]).toBe("c");
    expect(Object.getPrototypeOf(Object.getPrototypeOf(vm.other_config))).toBeNull();
    expect("hasOwnProperty" in vm.other_config).toBe(false);
    expect(Object.isFrozen(vm.other_config)).toBe(true);
    expect(Object.isFrozen(vm)).toBe(true);
    expect(() => {
      (vm.other_config as Record<string, string>)["x"] = "y";
    }).toThrow(TypeError);
  });

  it("gives records exactly ref plus the table's fields, with defaults for missing ones", () => {
    const vdi = convertRecord<VdiRecord>(ctx("VDI", VDI_FIELDS), "OpaqueRef:2" as OpaqueRef, { uuid: "u2", virtual_size: "10737418240", extra: "ignored" });
    expect(Object.keys(vdi)).toEqual(["ref", ...Object.keys(VDI_FIELDS)]);
    expect(vdi).toMatchObject({ ref: "OpaqueRef:2", uuid: "u2", virtual_size: 10737418240, on_boot: "persist", sharable: false, managed: false });
    expect("extra" in vdi).toBe(false);
  });

  it("reads every field kind as XAPI's bindings would, and a wire value that is not a struct as all defaults", () => {
    const c = ctx("VMSS", VMSS_FIELDS);
    const read = (wire: unknown) => convertRecord<VmssRecord>(c, "OpaqueRef:s" as OpaqueRef, wire as never);
    expect(read({ uuid: "s1", enabled: "false", retained_snapshots: "12", last_run_time: "20260120T09:30:00Z", VMs: ["OpaqueRef:a"], schedule: { hour: "3" } })).toMatchObject({
      enabled: false, retained_snapshots: 12, last_run_time: new Date(Date.UTC(2026, 0, 20, 9, 30)), VMs: ["OpaqueRef:a"], schedule: { hour: "3" },
    });
    // The datamodel's defaults: enabled true, retained_snapshots 7 (not 0), an empty uuid, the epoch.
    for (const wire of [{}, "not a struct", ["a"], 42, new Date(0)]) {
      expect(read(wire)).toMatchObject({ uuid: "", enabled: true, retained_snapshots: 7, last_run_time: new Date(0), VMs: [], schedule: {}, frequency: "" });
    }
    expect(read({ enabled: "1", retained_snapshots: "x", last_run_time: "yesterday" })).toMatchObject({ enabled: true, retained_snapshots: 7, last_run_time: new Date(0) });
    const vm = convertRecord<VmRecord>(ctx("VM", VM_FIELDS), "OpaqueRef:v" as OpaqueRef, { snapshot_of: "", parent: "OpaqueRef:p", memory_static_max: 2 ** 40 });
    expect(vm).toMatchObject({ power_state: "Halted", snapshot_of: "OpaqueRef:NULL", parent: "OpaqueRef:p", memory_static_max: 2 ** 40, is_a_snapshot: false });
  });

  it("shares one copy of repeated names, refs and map values across the records of a read", () => {
    const interner = new Interner();
    const c = ctx("VDI", VDI_FIELDS, interner);
    // Built at run time so the two inputs are distinct string objects.
    const wire = (n: number) => ({ uuid: `u${n}`, name_label: ["web-01", "system disk"].join(" "), SR: `OpaqueRef:${"sr".repeat(8)}`, sm_config: { vdi_type: ["v", "hd"].join("") } });
    const a = convertRecord<VdiRecord>(c, "OpaqueRef:a" as OpaqueRef, wire(1));
    const b = convertRecord<VdiRecord>(c, "OpaqueRef:b" as OpaqueRef, wire(2));
    expect(a.name_label).toBe("web-01 system disk");
    expect(a.name_label === b.name_label && a.SR === b.SR && a.sm_config["vdi_type"] === b.sm_config["vdi_type"]).toBe(true);
    expect(interner.intern(["web-01", "system disk"].join(" "))).toBe(a.name_label);
  });

  it("shares one frozen map or string list per content, and keeps maps of different content apart", () => {
    const c = ctx("VM", VM_FIELDS);
    const wire = (n: number, extra: Record<string, string> = {}) => ({
      uuid: `u${n}`, platform: { acpi: "1", ["dev" + "ice-model"]: "qemu" }, other_config: { a: "1", ...extra },
      allowed_operations: ["clone", ["ex", "port"].join("")], tags: [],
    });
    const a = convertRecord<VmRecord>(c, "OpaqueRef:a" as OpaqueRef, wire(1));
    const b = convertRecord<VmRecord>(c, "OpaqueRef:b" as OpaqueRef, wire(2));
    const d = convertRecord<VmRecord>(c, "OpaqueRef:d" as OpaqueRef, wire(3, { b: "2" }));
    // Keys and values that only differ in where the separator would fall stay distinct maps.
    const e = convertRecord<VmRecord>(c, "OpaqueRef:e" as OpaqueRef, { uuid: "u4", other_config: { "a1:": "1" } });
    expect(a.platform).toBe(b.platform);
    expect(a.allowed_operations).toBe(b.allowed_operations);
    expect(a.other_config).toBe(b.other_config);
    expect(d.other_config).toEqual({ a: "1", b: "2" });
    expect(e.other_config).toEqual({ "a1:": "1" });
    expect(a.platform).toEqual({ acpi: "1", "device-model": "qemu" });
    expect(Object.isFrozen(a.platform) && Object.isFrozen(a.allowed_operations)).toBe(true);
    expect(a.tags).toEqual([]);
  });

  it("tells apart two maps whose content hashes collide, and still shares each with its equals", () => {
    const c = ctx("VBD", VBD_FIELDS);
    // {owner: "vm-167954"} and {owner: "vm-213081"} have one content hash (found by search).
    const read = (n: number, owner: string) => convertRecord<VbdRecord>(c, `OpaqueRef:${n}` as OpaqueRef, { other_config: { owner } });
    const [a, b, a2, b2] = [read(1, "vm-167954"), read(2, "vm-213081"), read(3, ["vm", "167954"].join("-")), read(4, ["vm", "213081"].join("-"))];
    expect(a.other_config).toEqual({ owner: "vm-167954" });
    expect(b.other_config).toEqual({ owner: "vm-213081" });
    expect(a2.other_config).toBe(a.other_config);
    expect(b2.other_config).toBe(b.other_config);
    // Same entries plus one more is another map.
    expect(convertRecord<VbdRecord>(c, "OpaqueRef:5" as OpaqueRef, { other_config: { owner: "vm-167954", x: "" } }).other_config).toEqual({ owner: "vm-167954", x: "" });
  });

  it("shares strings between an interner and its owned-strings twin (refs stay one copy whichever path read them)", () => {
    const interner = new Interner();
    const ref = ["OpaqueRef:", "x".repeat(36)].join("");
    const first = interner.intern(ref);
    expect(interner.withOwnedStrings().intern(["OpaqueRef:", "x".repeat(36)].join(""))).toBe(first);
    expect(interner.withOwnedStrings().unique("some-uuid")).toBe("some-uuid");
  });
});
