/**
 * The identities XAPI hands out. Branded so a ref can never be passed where a uuid is expected
 * (STYLE: "three string identities").
 */
export type Uuid = string & { readonly __brand: "Uuid" };
export type OpaqueRef = string & { readonly __brand: "OpaqueRef" };

export const NULL_REF = "OpaqueRef:NULL" as OpaqueRef;

export const asUuid = (s: string): Uuid => s as Uuid;
export const asRef = (s: string): OpaqueRef => s as OpaqueRef;
export const isNullRef = (r: string | undefined): boolean => !r || r === NULL_REF;

/** A decoded XML-RPC value as XAPI sends it (ints are decimal strings on the wire). */
export type XapiValue =
  | string
  | number
  | boolean
  | Date
  | readonly XapiValue[]
  | { readonly [key: string]: XapiValue };

/** A `get_all_records` result: a struct of records by ref (an empty one for an empty class), never null or an array. */
export const isRecordMap = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value's shape in an error about an answer no pool sends (the value itself may be large). */
export const describeValue = (v: unknown): string =>
  v === null ? "null" : v === undefined ? "nothing" : Array.isArray(v) ? "an array" : typeof v === "object" ? "a struct" : `a ${typeof v}`;
