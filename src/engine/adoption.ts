/**
 * `xsnap import ADDR UUID` and `xsnap forget ADDR` (DESIGN §4): adopt an existing object for an
 * address (markers without a spec; the next plan shows the spec as an update, which the apply records), or stop managing
 * one without deleting it (markers and registry entry removed). The caller holds the stack lock.
 */
import type { XapiClient } from "../resources/client";
import { builtinKinds } from "../resources";
import type { KindRegistry } from "../resources/kind";
import type { Uuid } from "../xapi/types";
import { poolRefOf, clearRegistry, writeRegistry } from "./registry";
import type { Address } from "../model";
import { resolveIntents } from "./intents";
import { kindOfAddress, observeAll } from "./planner";
import { standaloneContext } from "./standalone-context";

export type AdoptionResult =
  | { readonly ok: true; readonly summary: string }
  | { readonly ok: false; readonly message: string };

interface Args {
  readonly client: XapiClient;
  readonly stack: string;
  readonly address: Address;
  readonly kinds?: KindRegistry;
}

export async function importObject(args: Args & { readonly uuid: Uuid }): Promise<AdoptionResult> {
  const kinds = args.kinds ?? builtinKinds();
  const kind = kindOfAddress(args.address, kinds);
  if (!kind) return { ok: false, message: `${args.address}: not an address of a resource type this xsnap manages (${[...kinds.managed.keys()].join(", ")})` };
  const view = await args.client.readPoolView();
  const why = kind.unadoptable(view, args.uuid, args.stack);
  if (why) return { ok: false, message: `${args.address}: cannot import: ${why}` };
  const observed = observeAll(view, args.stack, kinds, resolveIntents(view, args.stack, kinds).adopted);
  const current = observed.get(args.address) ?? [];
  if (current.some((l) => l.uuid === args.uuid)) return { ok: true, summary: `${args.address} already manages ${args.uuid}; nothing to do.` };
  if (current.length > 0) return { ok: false, message: `${args.address} already manages ${current.map((l) => l.uuid).join(", ")}; run xsnap forget ${args.address} first` };
  const claimedBy = [...observed].find(([, lives]) => lives.some((l) => l.uuid === args.uuid))?.[0];
  if (claimedBy) return { ok: false, message: `${args.uuid} is already managed as ${claimedBy} in stack "${args.stack}"` };
  const poolRef = await poolRefOf(args.client);
  await kind.adopt(args.uuid, standaloneContext({ ...args, poolRef, kind }));
  await writeRegistry({ client: args.client, poolRef, stack: args.stack, address: args.address, uuid: args.uuid });
  return { ok: true, summary: `Import successful: ${args.uuid} is now managed as ${args.address}. The next apply records its configuration (xsnap plan shows that as an update in place).` };
}

export async function forgetAddress(args: Args): Promise<AdoptionResult> {
  const kinds = args.kinds ?? builtinKinds();
  const kind = kindOfAddress(args.address, kinds);
  if (!kind) return { ok: false, message: `${args.address}: not an address of a resource type this xsnap manages` };
  const view = await args.client.readPoolView();
  const lives = observeAll(view, args.stack, kinds, new Map()).get(args.address) ?? [];
  const poolRef = await poolRefOf(args.client);
  const ctx = standaloneContext({ ...args, poolRef, kind });
  for (const live of lives) if (live.uuid) await kind.release(live.uuid, ctx);
  await ctx.registry?.clear();
  await clearRegistry({ client: args.client, poolRef, stack: args.stack, address: args.address });
  if (lives.length === 0) return { ok: true, summary: `${args.address} manages nothing in stack "${args.stack}"; nothing to forget.` };
  return { ok: true, summary: `${args.address} is no longer managed; ${lives.map((l) => l.uuid ?? "its record").join(", ")} stays in the pool, untouched. Remove it from the configuration too, or the next apply takes a new one.` };
}
