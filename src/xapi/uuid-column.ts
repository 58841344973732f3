/**
 * The uuid column of a RecordTable (record-table.ts): a canonical uuid (lowercase, dashed) as its
 * 16 bytes, found again through an open-addressing hash over those bytes, instead of a 56-byte
 * string plus a Map entry in PoolView.byUuid (~100 bytes per VDI or VBD: 70 MB at 10,000 VMs).
 * Anything else (an empty uuid, upper case, a fixture's "u1") is kept as the string it was, so
 * every value reads back exactly as given.
 */
const HEX = Buffer.from("0123456789abcdef", "latin1");

/**
 * Rows of 16 bytes in pages of 4,096 (64 KiB): a column grows by a page, never copied (doubling one
 * Buffer left every smaller copy outside the heap until the next full GC: ~100 MB at 10,000 VMs).
 */
const PAGE_BITS = 12;
const PAGE_ROWS = 1 << PAGE_BITS;
const ROW_IN_PAGE = PAGE_ROWS - 1;

/** Scratch space shared by every column (JavaScript runs one call at a time). */
const KEY = Buffer.alloc(16);
/** Room for a prefix (a ref's `OpaqueRef:`) and the 36 characters. */
const TEXT = Buffer.alloc(64);
const NO_PREFIX = Buffer.alloc(0);

export class UuidColumn {
  private readonly pages: Buffer[] = [];
  private readonly others = new Map<number, string>();
  private readonly otherRows = new Map<string, number>();
  /** row + 1 per slot (0 = free), at most half full; a row whose uuid changed leaves a stale slot that never matches. */
  private slots = new Int32Array(16);
  private used = 0;
  /** Rows set so far (0 … rows - 1). */
  private rows = 0;

  set(row: number, uuid: string): void {
    const before = this.others.get(row);
    if (before !== undefined && this.otherRows.get(before) === row) this.otherRows.delete(before);
    this.makeRoom();
    if (!canonicalInto(KEY, uuid)) {
      this.keepOther(row, uuid);
      return;
    }
    this.others.delete(row);
    this.store(row);
    this.insertKey(row);
  }

  /**
   * The last row holding `uuid`; when there is none, `uuid` is stored at `row` (a row not set
   * before) and `row` returned. One parse and one probe: a RecordTable's ref index adds 750,000
   * rows this way at 10,000 VMs.
   */
  findOrSet(row: number, uuid: string): number {
    this.makeRoom();
    if (!canonicalInto(KEY, uuid)) {
      const found = this.otherRows.get(uuid);
      if (found !== undefined) return found;
      this.keepOther(row, uuid);
      return row;
    }
    const slot = this.slotOfKey();
    const taken = this.slots[slot] as number;
    if (taken !== 0) return taken - 1;
    this.store(row);
    this.slots[slot] = row + 1;
    this.used++;
    return row;
  }

  /** The uuid of `row`, as a flat string of its own. */
  get(row: number): string {
    return this.otherAt(row) ?? this.canonical(row, NO_PREFIX);
  }

  /** The value of `row` when it is not a canonical uuid, else undefined. */
  otherAt(row: number): string | undefined {
    return this.others.size === 0 ? undefined : this.others.get(row);
  }

  /**
   * `prefix` and the canonical uuid of `row` (a row holding one), as one flat string: a ref is
   * written in one go, not concatenated (iterating 418,000 VDIs builds each record's ref).
   */
  canonical(row: number, prefix: Buffer): string {
    const page = this.pages[row >>> PAGE_BITS] as Buffer;
    const from = 16 * (row & ROW_IN_PAGE);
    prefix.copy(TEXT);
    let at = prefix.length;
    for (let i = 0; i < 16; i++) {
      const byte = page[from + i] as number;
      TEXT[at++] = HEX[byte >> 4] as number;
      TEXT[at++] = HEX[byte & 15] as number;
      if (i === 3 || i === 5 || i === 7 || i === 9) TEXT[at++] = 45; /* - */
    }
    return TEXT.toString("latin1", 0, at);
  }

  /** The last row holding `uuid`, or -1. */
  find(uuid: string): number {
    if (!canonicalInto(KEY, uuid)) return this.otherRows.get(uuid) ?? -1;
    return (this.slots[this.slotOfKey()] as number) - 1; // a free slot holds 0: -1
  }

  /** Grows the hash before a row may be added, so it stays at most half full. Before KEY is filled: rehashing uses it. */
  private makeRoom(): void {
    if (2 * (this.used + 1) > this.slots.length) this.rehash(2 * this.slots.length);
  }

  /** A value that is not a canonical uuid, kept as the string it is. */
  private keepOther(row: number, uuid: string): void {
    this.others.set(row, uuid);
    this.otherRows.set(uuid, row);
  }

  /** The slot of the row holding the uuid in KEY, or the free slot where it would go. */
  private slotOfKey(): number {
    const mask = this.slots.length - 1;
    let slot = hashAt(KEY, 0) & mask;
    while (this.slots[slot] !== 0 && !this.holdsKey((this.slots[slot] as number) - 1)) slot = (slot + 1) & mask;
    return slot;
  }

  /** KEY's 16 bytes into `row` (pages added up to it). A loop: Buffer.copy's native call cost more. */
  private store(row: number): void {
    while (this.pages.length <= row >>> PAGE_BITS) this.pages.push(Buffer.alloc(16 * PAGE_ROWS));
    const page = this.pages[row >>> PAGE_BITS] as Buffer;
    const at = 16 * (row & ROW_IN_PAGE);
    for (let i = 0; i < 16; i++) page[at + i] = KEY[i] as number;
    this.rows = Math.max(this.rows, row + 1);
  }

  /** Puts `row`, whose uuid is in its page, in its slot (rehashing). */
  private insert(row: number): void {
    const page = this.pages[row >>> PAGE_BITS] as Buffer;
    const at = 16 * (row & ROW_IN_PAGE);
    for (let i = 0; i < 16; i++) KEY[i] = page[at + i] as number;
    this.insertKey(row);
  }

  /** Puts `row`, whose uuid is in KEY, in its slot; a slot of another row with the same uuid is taken over (the later row wins, as in a Map). */
  private insertKey(row: number): void {
    const slot = this.slotOfKey();
    if (this.slots[slot] === 0) this.used++;
    this.slots[slot] = row + 1;
  }

  /** Every row again, in order, under its current uuid (so the later of two rows with one uuid still wins). */
  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.used = 0;
    for (let row = 0; row < this.rows; row++) if (!this.others.has(row)) this.insert(row);
  }

  /** Whether `row` holds the uuid in KEY. */
  private holdsKey(row: number): boolean {
    if (this.others.size > 0 && this.others.has(row)) return false;
    const page = this.pages[row >>> PAGE_BITS] as Buffer;
    const at = 16 * (row & ROW_IN_PAGE);
    // A loop, not Buffer.compare: the native call cost more than comparing 16 bytes (2 % of a read).
    for (let i = 0; i < 16; i++) if (page[at + i] !== KEY[i]) return false;
    return true;
  }
}

/**
 * Whether `uuid` is canonical (36 characters, lower-case hex, dashes at 8, 13, 18 and 23); if so its
 * 16 bytes are written into `into`. One pass, no allocation (a regular expression, a replace and a
 * hex decode cost three).
 */
function canonicalInto(into: Buffer, uuid: string): boolean {
  if (uuid.length !== 36) return false;
  let byte = 0;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (uuid.charCodeAt(i) !== 45 /* - */) return false;
      i++;
      continue;
    }
    const high = hexValue(uuid.charCodeAt(i));
    const low = hexValue(uuid.charCodeAt(i + 1));
    if (high < 0 || low < 0) return false;
    into[byte++] = (high << 4) | low;
    i += 2;
  }
  return true;
}

/** 0–15 for a lower-case hex digit, else -1. */
function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Mixes the first and last 4 bytes (random in v4 uuids; the last ones vary in time-based ones too). */
function hashAt(bytes: Buffer, at: number): number {
  return (bytes.readUInt32LE(at) ^ Math.imul(bytes.readUInt32LE(at + 12), 0x9e3779b1)) >>> 0;
}
