import { compileFilter, parseFilter } from "../../src/sim/filter";
import { classSchema, type DbRecord } from "../../src/sim/schema";
import { columnName, recordToSexpr, sexprToRecord } from "../../src/sim/sexpr";

function vm(fields: DbRecord): DbRecord {
  const rec: DbRecord = {};
  for (const f of classSchema("VM").fields) rec[f.name] = f.defaultValue();
  return { ...rec, ...fields };
}

describe("get_all_records_where expressions (reference §2.7)", () => {
  const running = vm({ name_label: "web", power_state: "Running", is_a_snapshot: false, memory_static_max: 2147483648 });
  const snap = vm({ name_label: "web snap", power_state: "Halted", is_a_snapshot: true });

  it.each([
    ['field "name__label" = "web"', [true, false]],
    ['field "is_a_snapshot" = "true"', [false, true]],
    ['field "memory__static_max" = "2147483648"', [true, false]],
    ['not field "power_state" = "Halted"', [true, false]],
    // and/or share one precedence and associate left: (true or X) and false = false
    ['true or field "is_a_snapshot" = "true" and false', [false, false]],
    ['true or (field "is_a_snapshot" = "true" and false)', [true, true]],
    ['"a" = "a"', [true, true]],
  ])("%s", (expr, expected) => {
    const matches = compileFilter("VM", parseFilter(expr));
    expect([matches(running), matches(snap)]).toEqual(expected);
  });

  it("refuses malformed expressions with INVALID_VALUE [expr, reason]", () => {
    expect(() => parseFilter('field "x" =')).toThrow(expect.objectContaining({ code: "INVALID_VALUE", params: ['field "x" =', expect.any(String)] }));
    expect(() => parseFilter('field "x" = "unterminated')).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  });
});

describe("snapshot_metadata S-expressions", () => {
  it("uses DB column names with double underscores", () => {
    expect(columnName("name_label")).toBe("name__label");
    expect(columnName("VCPUs_max")).toBe("VCPUs__max");
    expect(columnName("is_a_snapshot")).toBe("is_a_snapshot");
  });

  it("round-trips every field type, including quotes and backslashes in strings", () => {
    const rec = vm({
      name_label: "it's a \\ test", memory_static_max: 8589934592, is_a_template: true,
      other_config: { "a'b": "c\\d", mac_seed: "x" }, tags: ["t1", "t 2"], snapshot_time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
      HVM_shadow_multiplier: 1.5, power_state: "Paused",
    });
    const text = String(recordToSexpr("VM", "OpaqueRef:1", rec));
    expect(text).toContain("('name__label' 'it\\'s a \\\\ test')");
    const back = sexprToRecord("VM", text);
    expect(back).toMatchObject({
      name_label: "it's a \\ test", memory_static_max: 8589934592, is_a_template: true, other_config: { "a'b": "c\\d", mac_seed: "x" },
      tags: ["t1", "t 2"], snapshot_time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), HVM_shadow_multiplier: 1.5, power_state: "Paused",
    });
  });
});
