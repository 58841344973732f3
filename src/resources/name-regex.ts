/** The `name_regex` filter shared by the data sources: absent, a compiled RegExp, or a diagnostic. */
import { type Address, type Diagnostic, errorAt } from "../model";
import type { Spec } from "./kind";

export type NameRegex = { readonly ok: true; readonly regex?: RegExp } | { readonly ok: false; readonly diagnostic: Diagnostic };

export function nameRegex(spec: Spec, address: Address): NameRegex {
  if (typeof spec.name_regex !== "string") return { ok: true };
  try {
    return { ok: true, regex: new RegExp(spec.name_regex) };
  } catch (e) {
    return { ok: false, diagnostic: errorAt(address, `name_regex is not a valid regular expression: ${(e as Error).message}`) };
  }
}
