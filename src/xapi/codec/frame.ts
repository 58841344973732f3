/** The decoder's stack frames: an open `<array>` or `<struct>`, and how structs are made. */
import type { XmlRpcValue } from "./values";

export const ARRAY = 0;
export const STRUCT = 1;

/** An open `<array>` or `<struct>`. One shape for both keeps the hot path monomorphic. */
export class Frame {
  name: string | undefined = undefined;
  /** The previous member name of this struct: the key that predicts the next one. */
  lastName: string | undefined = undefined;
  constructor(
    readonly kind: typeof ARRAY | typeof STRUCT,
    readonly items: XmlRpcValue[],
    readonly members: { [key: string]: XmlRpcValue },
    /** The member name this struct is the value of ("" at the top): predicts its first member. */
    readonly context: string,
  ) {}
}

/** Bound on remembered member-name transitions (a 50,000-ref map must not fill it). */
export const MAX_PREDICTIONS = 4096;

/**
 * Structs inherit from an empty object that has no prototype: `__proto__`, `constructor` or
 * `toString` are then ordinary keys (no Object.prototype in the chain, nothing to pollute). Large
 * structs still become V8 dictionaries; the PoolView copies what it keeps into fast-mode records.
 */
const STRUCT_PROTO: object = Object.freeze(Object.create(null));
export const newStruct = (): { [key: string]: XmlRpcValue } => Object.create(STRUCT_PROTO);

export const NO_ITEMS: XmlRpcValue[] = [];
export const NO_MEMBERS: { [key: string]: XmlRpcValue } = newStruct();
