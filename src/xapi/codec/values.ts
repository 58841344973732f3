/** The decoder's value and option types. */

/** A decoded XML-RPC value. `null` only comes from `<nil/>`, which XAPI never sends. */
export type XmlRpcValue =
  | string
  | number
  | boolean
  | Date
  | null
  | XmlRpcValue[]
  | { [key: string]: XmlRpcValue };

export class XmlRpcDecodeError extends Error {
  override readonly name = "XmlRpcDecodeError";
}

export interface DecodeOptions {
  /** Struct member names whose values are dropped while decoding, never kept in memory. */
  readonly skipMembers?: ReadonlySet<string>;
  /**
   * When set, members of structs at `skipLevel` that are NOT in this set are skipped too: a reader
   * that needs 30 of a record's 100 fields never builds the other 70.
   */
  readonly keepMembers?: ReadonlySet<string>;
  /**
   * Only skip members of structs at this nesting level (1 = the outermost struct), so that a map
   * key that happens to share a field's name (other_config["snapshot_metadata"]) is kept.
   */
  readonly skipLevel?: number;
  /**
   * Members of structs at `level` are handed to `accept` as they complete instead of being stored:
   * a reader converts each record of a 150 MB `get_all_records` as it arrives and never holds them
   * all in wire form. The struct itself decodes as empty.
   */
  readonly memberSink?: MemberSink;
}

export interface MemberSink {
  readonly level: number;
  accept(name: string, value: XmlRpcValue): void;
}

/** The outcome of a whole `<methodResponse>`: its single param, or the fault struct. */
export interface DecodedResponse {
  readonly fault: boolean;
  readonly value: XmlRpcValue;
}
