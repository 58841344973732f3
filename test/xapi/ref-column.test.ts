/** RefColumn: a RecordTable's refs as 16 bytes each, found again by ref, read back exactly as given. */
import { RefColumn } from "../../src/xapi/ref-column";

const uuid = (n: number): string => `${n.toString(16).padStart(8, "0")}-4b2c-4d3e-8f40-${(n * 7919).toString(16).padStart(12, "0")}`;

describe("RefColumn", () => {
  it("numbers refs in the order they are first added and finds each again, across growth of its store", () => {
    const column = new RefColumn();
    const refs = Array.from({ length: 5000 }, (_, n) => `OpaqueRef:${uuid(n)}`);
    refs.forEach((ref, n) => expect(column.add(ref)).toBe(n));
    expect(column.size).toBe(5000);
    expect(column.add(refs[17] as string)).toBe(17); // added again: same row, no new one
    expect(column.size).toBe(5000);
    expect(column.rowOf(refs[4999] as string)).toBe(4999);
    expect(column.get(4999)).toBe(refs[4999]);
    expect(column.rowOf(`OpaqueRef:${uuid(5000)}`)).toBe(-1);
  });

  it("keeps any other ref as given: not canonical after the prefix, upper case, no prefix, empty", () => {
    const column = new RefColumn();
    const odd = ["OpaqueRef:vm1", `OpaqueRef:${uuid(1).toUpperCase()}`, uuid(2), "", "OpaqueRef:", "OpaqueRef:NULL", `OpaqueRef:${uuid(3)}x`];
    odd.forEach((ref) => column.add(ref));
    const canonical = `OpaqueRef:${uuid(2)}`;
    expect(column.add(canonical)).toBe(odd.length); // the bare uuid above is another ref
    expect(odd.map((ref) => column.rowOf(ref))).toEqual(odd.map((_, i) => i));
    expect(odd.map((_, i) => column.get(i))).toEqual(odd);
    expect(column.get(odd.length)).toBe(canonical);
    expect(column.rowOf(`OpaqueRef:${uuid(1)}`)).toBe(-1); // the lower-case form of the upper-case one is not it
  });

  it("refuses a uuid that is one character off the canonical form at each dash and at each end", () => {
    const column = new RefColumn();
    const good = uuid(9);
    const bad = [good.slice(0, 35), `${good}0`, `${good.slice(0, 8)}x${good.slice(9)}`, `${good.slice(0, 23)}_${good.slice(24)}`, `g${good.slice(1)}`, `${good.slice(0, 35)}G`];
    column.add(`OpaqueRef:${good}`);
    bad.forEach((b) => expect(column.rowOf(`OpaqueRef:${b}`)).toBe(-1));
    bad.forEach((b, i) => expect(column.add(`OpaqueRef:${b}`)).toBe(i + 1));
    bad.forEach((b, i) => expect(column.get(i + 1)).toBe(`OpaqueRef:${b}`));
  });
});
