/**
 * The pool registry of managed objects: `pool.other_config["xsnap.managed/<stack>/<address>"] = uuid`.
 * Markers say which object an address is; the registry remembers that the address HAD an object, so
 * an object deleted outside xsnap shows as "deleted outside xsnap" instead of a silent new create.
 */
import { type XapiClient, xapiCode } from "../resources/client";
import type { PoolView } from "../xapi/records";
import type { OpaqueRef, Uuid } from "../xapi/types";
import type { Address } from "../model";

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

interface RegistryEntry {
  readonly client: XapiClient;
  readonly poolRef: OpaqueRef;
  readonly stack: string;
  readonly address: Address;
}

/** Records that `address` now manages `uuid`, replacing what it managed before. */
export async function writeRegistry(entry: RegistryEntry & { readonly uuid: string }): Promise<void> {
  const key = registryKey(entry.stack, entry.address);
  try {
    await entry.client.call("pool.add_to_other_config", [entry.poolRef, key, entry.uuid]);
  } catch (e) {
    if (xapiCode(e) !== "MAP_DUPLICATE_KEY") throw e;
    await entry.client.call("pool.remove_from_other_config", [entry.poolRef, key]);
    await entry.client.call("pool.add_to_other_config", [entry.poolRef, key, entry.uuid]);
  }
}

/** Forgets that `address` had an object (XAPI's remove is a no-op for an absent key). */
export async function clearRegistry(entry: RegistryEntry): Promise<void> {
  await entry.client.call("pool.remove_from_other_config", [entry.poolRef, registryKey(entry.stack, entry.address)]);
}
