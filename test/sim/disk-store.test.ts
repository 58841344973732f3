// The simulator's disk content: sparse, copy-on-write, bounded in memory, generated where asked.
import { CHUNK, DiskStore, isAllZero } from "../../src/sim/disk-store";
import { pattern } from "./xva-fixtures";

describe("DiskStore", () => {
  let store: DiskStore;
  beforeEach(() => { store = new DiskStore({ memoryBudget: 2 * CHUNK }); });
  afterEach(() => store.close());

  it("keeps only non-zero chunks and reads zeros elsewhere", () => {
    store.write("a", 3, pattern(CHUNK, 1));
    store.write("a", 5, Buffer.alloc(CHUNK));
    expect(store.nonZeroChunks("a", 10)).toEqual([3]);
    expect(store.read("a", 3, CHUNK).equals(pattern(CHUNK, 1))).toBe(true);
    expect(isAllZero(store.read("a", 5, CHUNK))).toBe(true);
  });

  it("spills past its memory budget to the pack file and reads the chunks back", () => {
    for (let i = 0; i < 5; i++) store.write("a", i, pattern(CHUNK, i + 1));
    expect(store.bytesInMemory).toBe(2 * CHUNK);
    for (let i = 0; i < 5; i++) expect(store.read("a", i, CHUNK).equals(pattern(CHUNK, i + 1))).toBe(true);
  });

  it("gives a copy the content as of the copy: later writes on either side stay on that side", () => {
    store.write("a", 0, pattern(CHUNK, 1));
    store.copy("a", "snap");
    store.write("a", 0, pattern(CHUNK, 2));
    store.write("snap", 1, pattern(100, 3));
    expect(store.read("snap", 0, CHUNK).equals(pattern(CHUNK, 1))).toBe(true);
    expect(store.read("a", 0, CHUNK).equals(pattern(CHUNK, 2))).toBe(true);
    expect(store.nonZeroChunks("a", 10)).toEqual([0]);
    expect(store.bytesInMemory).toBe(2 * CHUNK); // chunk 1's 100 bytes went to the pack: the budget was full
  });

  it("frees a chunk's memory when the last VDI holding it goes", () => {
    store.write("a", 0, pattern(CHUNK, 1));
    store.copy("a", "b");
    store.drop("a");
    expect(store.bytesInMemory).toBe(CHUNK);
    store.drop("b");
    expect(store.bytesInMemory).toBe(0);
  });

  it("generates synthetic content per chunk: deterministic, non-zero, distinct, nothing held", () => {
    store.fillSynthetic("big", 5 * 1024 * CHUNK, 7);
    expect(store.nonZeroChunks("big", 8192)).toHaveLength(5120);
    const a = store.read("big", 4000, CHUNK);
    expect(isAllZero(a)).toBe(false);
    expect(a.equals(store.read("big", 4000, CHUNK))).toBe(true);
    expect(a.equals(store.read("big", 4001, CHUNK))).toBe(false);
    expect(store.bytesInMemory).toBe(0);
    store.write("big", 4000, Buffer.alloc(CHUNK)); // zeros written over generated content stay zeros
    expect(isAllZero(store.read("big", 4000, CHUNK))).toBe(true);
    expect(store.nonZeroChunks("big", 8192)).toHaveLength(5119);
  });

  it("seeds fixture disks with a few chunks that name the disk", () => {
    store.seedFixture("d", "1b2c", 100 * CHUNK);
    expect(store.nonZeroChunks("d", 100)).toEqual([0, 1, 50]);
    expect(store.read("d", 0, 19).toString()).toBe("XAPI-SIM-DISK 1b2c\n");
  });
});
