/**
 * The ApplyContext of work done outside an apply's steps (import, forget, recover, settling intents):
 * no progress display, no apply-time inputs, the kind's registry entry when it has one.
 */
import type { Address } from "../model";
import type { XapiClient } from "../resources/client";
import type { ApplyContext, ResourceKind } from "../resources/kind";
import { defaultRetryPolicy, retryingClient, type RetryPolicy } from "../xapi";
import type { OpaqueRef } from "../xapi/types";
import { entryKey, entryWriter } from "./registry";

export function standaloneContext(args: {
  readonly client: XapiClient;
  readonly poolRef: OpaqueRef;
  readonly stack: string;
  readonly address: Address;
  readonly kind: ResourceKind;
  readonly retryPolicy?: RetryPolicy;
}): ApplyContext {
  const { kind } = args;
  return {
    client: retryingClient(args.client, args.retryPolicy ?? defaultRetryPolicy), poolRef: args.poolRef, stack: args.stack, address: args.address, inputs: {},
    ...(kind.identity.by === "registry" ? { registry: entryWriter(args.client, args.poolRef, entryKey(kind.identity.name, args.stack, args.address)) } : {}),
    progress: () => undefined, transferred: () => undefined, task: () => undefined,
  };
}
