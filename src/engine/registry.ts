/**
 * The pool registry: `pool.other_config["xsnap.<name>/<stack>/<address>"]`. Two uses, one shape:
 * - `managed`: the uuid an address last had. Markers say which object an address is; this entry
 *   remembers that the address HAD an object, so one deleted outside xsnap shows as "deleted outside
 *   xsnap" instead of a silent new create.
 * - a kind's own identity (`Identity.by === "registry"`, e.g. `xsnap.revert/…`): a JSON value the kind
 *   writes through `ApplyContext.registry` and decodes in `observe`.
 */
import type { Address } from "../model";
import { type XapiClient, xapiCode } from "../resources/client";
import type { KindRegistry, RegistryEntryWriter } from "../resources/kind";
import type { PoolView } from "../xapi/records";
import type { OpaqueRef, Uuid, XapiValue } from "../xapi/types";

const MANAGED = "managed";

export const entryPrefix = (name: string, stack: string): string => `xsnap.${name}/${stack}/`;
export const entryKey = (name: string, stack: string, address: Address): string => `${entryPrefix(name, stack)}${address}`;
export const registryKey = (stack: string, address: Address): string => entryKey(MANAGED, stack, address);

/** The entries `xsnap.<name>/<stack>/*` of the pool, by address. */
export function readEntries(view: PoolView, name: string, stack: string): ReadonlyMap<Address, string> {
  const prefix = entryPrefix(name, stack);
  const out = new Map<Address, string>();
  for (const [key, value] of Object.entries(view.pool.other_config)) {
    if (key.startsWith(prefix)) out.set(key.slice(prefix.length) as Address, value);
  }
  return out;
}

/** Registered addresses of the stack and the uuid each last had. */
export const readRegistry = (view: PoolView, stack: string): ReadonlyMap<Address, Uuid> =>
  readEntries(view, MANAGED, stack) as ReadonlyMap<Address, Uuid>;

/** Each registry-identified kind's entries for the stack, by kind type (what `observe` is handed). */
export function kindEntries(view: PoolView, stack: string, kinds: KindRegistry): ReadonlyMap<string, ReadonlyMap<Address, string>> {
  const out = new Map<string, ReadonlyMap<Address, string>>();
  for (const kind of kinds.managed.values()) {
    out.set(kind.type, kind.identity.by === "registry" ? readEntries(view, kind.identity.name, stack) : new Map());
  }
  return out;
}

/** Sets `key` to `value`, replacing what it held (add_to_other_config refuses an existing key). */
export async function writeEntry(client: XapiClient, poolRef: OpaqueRef, key: string, value: string): Promise<void> {
  try {
    await client.call("pool.add_to_other_config", [poolRef, key, value]);
  } catch (e) {
    if (xapiCode(e) !== "MAP_DUPLICATE_KEY") throw e;
    await client.call("pool.remove_from_other_config", [poolRef, key]);
    await client.call("pool.add_to_other_config", [poolRef, key, value]);
  }
}

/** Removes `key` (XAPI's remove is a no-op for an absent key). */
export async function clearEntry(client: XapiClient, poolRef: OpaqueRef, key: string): Promise<void> {
  await client.call("pool.remove_from_other_config", [poolRef, key]);
}

/** The writer a registry-identified kind gets for one address. */
export const entryWriter = (client: XapiClient, poolRef: OpaqueRef, key: string): RegistryEntryWriter => ({
  write: (value) => writeEntry(client, poolRef, key, value),
  clear: () => clearEntry(client, poolRef, key),
});

interface ManagedEntry {
  readonly client: XapiClient;
  readonly poolRef: OpaqueRef;
  readonly stack: string;
  readonly address: Address;
}

/** Records that `address` now manages `uuid`, replacing what it managed before. */
export const writeRegistry = (e: ManagedEntry & { readonly uuid: string }): Promise<void> =>
  writeEntry(e.client, e.poolRef, registryKey(e.stack, e.address), e.uuid);

/** Forgets that `address` had an object. */
export const clearRegistry = (e: ManagedEntry): Promise<void> => clearEntry(e.client, e.poolRef, registryKey(e.stack, e.address));

/** The pool's ref (a pool has exactly one pool object). */
export async function poolRefOf(client: Pick<XapiClient, "call">): Promise<OpaqueRef> {
  const pools = (await client.call("pool.get_all")) as readonly XapiValue[];
  const ref = pools[0];
  if (typeof ref !== "string") throw new Error("pool.get_all returned no pool");
  return ref as OpaqueRef;
}
