/**
 * The ApplyContext of work done outside an apply's steps (import, forget, recover, settling intents):
 * no progress display, no apply-time inputs, the kind's registry entry when it has one.
 */
import type { Address } from "../model";
import type { XapiClient } from "../resources/client";
import type { ApplyContext, ResourceKind } from "../resources/kind";
import type { OpaqueRef } from "../xapi/types";
import { entryKey, entryWriter } from "./registry";

export function standaloneContext(args: {
  readonly client: XapiClient;
  readonly poolRef: OpaqueRef;
  readonly stack: string;
  readonly address: Address;
  readonly kind: ResourceKind;
  readonly sleep?: (ms: number) => Promise<void>;
}): ApplyContext {
  const { kind } = args;
  return {
    client: args.client, poolRef: args.poolRef, stack: args.stack, address: args.address, inputs: {},
    ...(kind.identity.by === "registry" ? { registry: entryWriter(args.client, args.poolRef, entryKey(kind.identity.name, args.stack, args.address)) } : {}),
    sleep: args.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    progress: () => undefined, task: () => undefined, retry: () => undefined,
  };
}
