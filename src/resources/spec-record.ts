/**
 * The `xsnap.spec` marker: a hash of the last applied spec, kept per attribute so that a plan can
 * tell WHICH attribute changed (a rename updates in place, a new `vm` is refused, a new
 * `retake_token` replaces) without a state file. Values a destroy needs after the address left the
 * configuration (`on_destroy`) are kept in clear: they are never secret.
 */
import { type AttrValue, canonicalJson, hashValue } from "../model";
import type { RecordedSpec } from "./kind";

const FORMAT = 1;
/** 64 bits of sha256 per attribute: collisions would need an adversary with write access to the pool. */
const DIGEST_CHARS = 16;

export const digestOf = (value: AttrValue | undefined): string => hashValue(value ?? null).slice(0, DIGEST_CHARS);

/**
 * `digests` carries attributes whose value is no longer known but whose last applied digest stays
 * (the `vm` of a snapshot whose VM was destroyed). The overall hash covers the digests, so it is the
 * same whichever way an attribute came in.
 */
export function encodeSpec(args: {
  readonly hashed: Readonly<Record<string, AttrValue | undefined>>;
  readonly kept: Readonly<Record<string, string>>;
  readonly digests?: Readonly<Record<string, string>>;
}): string {
  const digests: Record<string, string> = { ...(args.digests ?? {}) };
  for (const [k, v] of Object.entries(args.hashed)) digests[k] = digestOf(v);
  return canonicalJson({ v: FORMAT, sha256: hashValue(digests), attrs: digests, kept: args.kept });
}

/** Undefined for a marker written by another format (treated as "not marked by this version"). */
export function decodeSpec(text: string | undefined): RecordedSpec | undefined {
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const p = parsed as { v?: unknown; sha256?: unknown; attrs?: unknown; kept?: unknown };
  if (p.v !== FORMAT || typeof p.sha256 !== "string" || !isStringMap(p.attrs) || !isStringMap(p.kept)) return undefined;
  return { sha256: p.sha256, digests: p.attrs, kept: p.kept };
}

const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
