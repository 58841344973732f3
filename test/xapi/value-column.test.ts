/** ValueColumn: 16-bit codes into a dictionary while a column has few distinct values, pointers after. */
import { ValueColumn } from "../../src/xapi/value-column";

describe("ValueColumn", () => {
  it("reads back every row across pages, strings by value and shared objects by identity", () => {
    const column = new ValueColumn();
    const shared = Object.freeze({ owner: "" });
    const value = (row: number): unknown => (row % 3 === 0 ? shared : ["Disk", "CD", "Floppy"][row % 3]);
    for (let row = 0; row < 10_000; row++) column.set(row, value(row));
    for (const row of [0, 1, 2, 4095, 4096, 4097, 9999]) expect(column.get(row)).toBe(value(row));
    column.set(4096, "overwritten");
    expect(column.get(4096)).toBe("overwritten");
    expect(column.get(4095)).toBe(value(4095));
  });

  it("keeps every value when it passes 4,096 distinct values (equal passes, one more turns it into pointers)", () => {
    for (const distinct of [4096, 4097]) {
      const column = new ValueColumn();
      const value = (row: number): string => `name ${row % distinct}`;
      const rows = distinct + 5000;
      for (let row = 0; row < rows; row++) column.set(row, value(row));
      for (let row = 0; row < rows; row++) if (column.get(row) !== value(row)) throw new Error(`${distinct}: row ${row} reads ${String(column.get(row))}`);
      expect(column.coded).toBe(distinct === 4096);
    }
  });

  it("takes new rows after seal, coded or not", () => {
    const coded = new ValueColumn();
    coded.set(0, "a");
    coded.seal();
    coded.set(1, "a");
    coded.set(2, "b");
    expect([coded.get(0), coded.get(1), coded.get(2)]).toEqual(["a", "a", "b"]);
    expect(coded.coded).toBe(true);
    const pointers = new ValueColumn();
    for (let row = 0; row < 5000; row++) pointers.set(row, `v${row}`);
    pointers.seal();
    pointers.set(5000, "last");
    expect([pointers.get(0), pointers.get(4999), pointers.get(5000)]).toEqual(["v0", "v4999", "last"]);
  });
});
