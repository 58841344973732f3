/**
 * A RecordTable column of strings, refs, shared maps and lists (record-table.ts). Most of them hold
 * few distinct values (a disk's type, SR, on_boot and name_description; a VBD's mode and
 * other_config), so a row keeps a 16-bit code into the column's dictionary: 2 bytes where a pointer
 * takes 8. A column that passes CODES distinct values turns into plain pointer pages once, and stays
 * so.
 */
const PAGE_BITS = 12;
const PAGE_ROWS = 1 << PAGE_BITS;
const ROW_IN_PAGE = PAGE_ROWS - 1;
/**
 * Past this many distinct values a column is not worth coding (a VBD's VDI, a VDI's sm_config): it
 * turns into pointers early, while its index and the copy are small.
 */
const CODES = 1 << 12;

export class ValueColumn {
  /** While coded: each row's code, in pages of PAGE_ROWS (never copied as the column grows). */
  private codePages: Uint16Array[] | undefined = [];
  private dictionary: unknown[] = [];
  /** Value → code, while values are being added (`seal` drops it; a later `set` builds it again). */
  private codes: Map<unknown, number> | undefined = new Map();
  /** Once past CODES distinct values: each row's value. */
  private valuePages: unknown[][] = [];

  set(row: number, value: unknown): void {
    const page = row >>> PAGE_BITS;
    if (this.codePages) {
      this.codes ??= new Map(this.dictionary.map((known, code) => [known, code]));
      let code = this.codes.get(value);
      if (code === undefined) {
        if (this.dictionary.length === CODES) {
          this.uncode();
          this.set(row, value);
          return;
        }
        code = this.dictionary.length;
        this.dictionary.push(value);
        this.codes.set(value, code);
      }
      while (this.codePages.length <= page) this.codePages.push(new Uint16Array(PAGE_ROWS));
      (this.codePages[page] as Uint16Array)[row & ROW_IN_PAGE] = code;
      return;
    }
    while (this.valuePages.length <= page) this.valuePages.push(new Array<unknown>(PAGE_ROWS));
    (this.valuePages[page] as unknown[])[row & ROW_IN_PAGE] = value;
  }

  /** Whether rows are still 16-bit codes (false once the column passed CODES distinct values). */
  get coded(): boolean {
    return this.codePages !== undefined;
  }

  /** The value set at `row` (a row set before). */
  get(row: number): unknown {
    const page = row >>> PAGE_BITS;
    if (this.codePages) return this.dictionary[(this.codePages[page] as Uint16Array)[row & ROW_IN_PAGE] as number];
    return (this.valuePages[page] as unknown[])[row & ROW_IN_PAGE];
  }

  /** The read is over: the index from values to codes is no longer needed. */
  seal(): void {
    this.codes = undefined;
  }

  /** Every code page becomes a value page; the dictionary and its index go. */
  private uncode(): void {
    const dictionary = this.dictionary;
    this.valuePages = (this.codePages ?? []).map((codes) => Array.from(codes, (code) => dictionary[code]));
    this.codePages = undefined;
    this.codes = undefined;
    this.dictionary = [];
  }
}
