/**
 * The pool registry of managed objects: `pool.other_config["xsnap.managed/<stack>/<address>"] = uuid`.
 * Markers say which object an address is; the registry remembers that the address HAD an object, so
 * an object deleted outside xsnap shows as "deleted outside xsnap" instead of a silent new create.
 */
import type { PoolView } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import type { Address } from "./diagnostics";

export const registryPrefix = (stack: string): string => `xsnap.managed/${stack}/`;
export const registryKey = (stack: string, address: Address): string => `${registryPrefix(stack)}${address}`;

/** Registered addresses of the stack and the uuid each last had. */
export function readRegistry(view: PoolView, stack: string): ReadonlyMap<Address, Uuid> {
  const prefix = registryPrefix(stack);
  const out = new Map<Address, Uuid>();
  for (const [key, value] of Object.entries(view.pool.other_config)) {
    if (key.startsWith(prefix)) out.set(key.slice(prefix.length) as Address, value as Uuid);
  }
  return out;
}
