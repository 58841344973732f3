/**
 * `xsnap import ADDR UUID` and `xsnap forget ADDR` (DESIGN §4): adopt an existing object for an
 * address (markers without a spec; the next plan records the spec as an update), or stop managing
 * one without deleting it (markers and registry entry removed). The caller holds the stack lock.
 */
import type { XapiClient } from "../resources/client";
import { builtinKinds } from "../resources";
import type { ApplyContext, KindRegistry, ResourceKind } from "../resources/kind";
import type { Uuid } from "../xapi/types";
import { poolRefOf } from "./applier";
import type { Address } from "../model";
import { resolveIntents } from "./intents";
import { observeAll } from "./planner";
import { clearRegistry, writeRegistry } from "./registry";

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
  const kind = kindOf(kinds, args.address);
  if (!kind) return { ok: false, message: `${args.address}: not an address of a resource type this xsnap manages (${[...kinds.managed.keys()].join(", ")})` };
  const view = await args.client.readPoolView();
  const why = kind.unadoptable(view, args.uuid);
  if (why) return { ok: false, message: `${args.address}: cannot import: ${why}` };
  const observed = observeAll(view, args.stack, kinds, resolveIntents(view, args.stack, kinds).adopted);
  const current = observed.get(args.address) ?? [];
  if (current.some((l) => l.uuid === args.uuid)) return { ok: true, summary: `${args.address} already manages ${args.uuid}; nothing to do.` };
  if (current.length > 0) return { ok: false, message: `${args.address} already manages ${current.map((l) => l.uuid).join(", ")}; run xsnap forget ${args.address} first` };
  const claimedBy = [...observed].find(([, lives]) => lives.some((l) => l.uuid === args.uuid))?.[0];
  if (claimedBy) return { ok: false, message: `${args.uuid} is already managed as ${claimedBy} in stack "${args.stack}"` };
  await kind.adopt(args.uuid, contextFor(args));
  const poolRef = await poolRefOf(args.client);
  await writeRegistry({ client: args.client, poolRef, stack: args.stack, address: args.address, uuid: args.uuid });
  return { ok: true, summary: `Import successful: ${args.uuid} is now managed as ${args.address}. Run xsnap plan to record its configuration.` };
}

export async function forgetAddress(args: Args): Promise<AdoptionResult> {
  const kinds = args.kinds ?? builtinKinds();
  const kind = kindOf(kinds, args.address);
  if (!kind) return { ok: false, message: `${args.address}: not an address of a resource type this xsnap manages` };
  const view = await args.client.readPoolView();
  const lives = observeAll(view, args.stack, kinds, new Map()).get(args.address) ?? [];
  for (const live of lives) await kind.release(live.uuid, contextFor(args));
  const poolRef = await poolRefOf(args.client);
  await clearRegistry({ client: args.client, poolRef, stack: args.stack, address: args.address });
  if (lives.length === 0) return { ok: true, summary: `${args.address} manages nothing in stack "${args.stack}"; nothing to forget.` };
  return { ok: true, summary: `${args.address} is no longer managed; ${lives.map((l) => l.uuid).join(", ")} stays in the pool, untouched. Remove it from the configuration too, or the next apply takes a new one.` };
}

function kindOf(kinds: KindRegistry, address: Address): ResourceKind | undefined {
  for (const [type, kind] of kinds.managed) if (address.startsWith(`${type}.`)) return kind;
  return undefined;
}

function contextFor(args: Args): ApplyContext {
  return {
    client: args.client, stack: args.stack, address: args.address,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)), progress: () => undefined, task: () => undefined, retry: () => undefined,
  };
}
