/**
 * `xsnap recover --adopt ID | --discard ID` (DESIGN §4/§5): settles one intent that a plan cannot
 * settle alone (an ambiguous one), or any intent on request. Adopt claims the object the step created
 * (markers without a spec: the next plan shows the spec as an update, which the apply records); discard removes the record
 * and uninstalls, with its disks, whatever the step half-created. The caller holds the stack lock.
 */
import type { XapiClient } from "../resources/client";
import { builtinKinds } from "../resources";
import type { KindIntentOutcome, KindRegistry } from "../resources/kind";
import type { RetryPolicy } from "../xapi";
import type { Uuid } from "../xapi/types";
import { poolRefOf, kindEntries } from "./registry";
import { readIntents, removeIntent } from "./intents";
import { standaloneContext } from "./standalone-context";

export type RecoverResult =
  | { readonly ok: true; readonly summary: string }
  | { readonly ok: false; readonly reason: "not_found" | "needs_choice" | "nothing_to_adopt" | "unsupported"; readonly message: string; readonly candidates?: readonly string[] };

export interface RecoverArgs {
  readonly client: XapiClient;
  readonly stack: string;
  /** The intent id shown by `xsnap plan` ("pending operations from an interrupted apply"). */
  readonly id: string;
  readonly decision: "adopt" | "discard";
  /** With several candidates, the uuid of the one to adopt. */
  readonly uuid?: Uuid;
  readonly kinds?: KindRegistry;
  readonly retryPolicy?: RetryPolicy;
}

export async function recoverIntent(args: RecoverArgs): Promise<RecoverResult> {
  const kinds = args.kinds ?? builtinKinds();
  const view = await args.client.readPoolView();
  const intent = readIntents(view, args.stack).find((i) => i.id === args.id);
  if (!intent) return { ok: false, reason: "not_found", message: `no pending operation ${args.id} for stack "${args.stack}"` };
  const poolRef = await poolRefOf(args.client);
  const removeRecord = (): Promise<unknown> => removeIntent(args.client, poolRef, args.stack, args.id, "tasks" in intent ? intent.tasks?.length ?? 0 : 0);
  const kind = "unreadable" in intent ? undefined : kinds.managed.get(intent.type);
  if ("unreadable" in intent || !kind) {
    if (args.decision === "adopt") return { ok: false, reason: "unsupported", message: `pending operation ${args.id} cannot be adopted by this version of xsnap; use --discard` };
    await removeRecord();
    return { ok: true, summary: `Discarded pending operation ${args.id} (its record only).` };
  }
  const ctx = standaloneContext({ client: args.client, poolRef, stack: args.stack, address: intent.address, kind, ...(args.retryPolicy ? { retryPolicy: args.retryPolicy } : {}) });
  const outcome = kind.resolveIntent(view, intent, kindEntries(view, args.stack, kinds).get(kind.type) ?? new Map());
  const candidates = candidatesOf(outcome);
  if (args.decision === "discard") {
    const cleanup = outcome.status === "discard" || outcome.status === "done" ? outcome.cleanup ?? [] : [];
    // Only an object known to be the step's is uninstalled; of several look-alikes, one may be a
    // user's own snapshot, so an ambiguous discard leaves them all (unmanaged, listed by inventory).
    const uninstall = outcome.status === "adopt" ? candidates : outcome.status === "discard" ? outcome.uninstall ?? [] : [];
    await kind.finishIntent({ status: "discard", detail: outcome.detail, cleanup, uninstall }, ctx);
    await removeRecord();
    const what = [uninstall.length ? `uninstalled ${uninstall.join(", ")} with its disks` : "", cleanup.length ? `destroyed ${cleanup.length} leftover disk(s)` : ""].filter(Boolean).join("; ");
    return { ok: true, summary: `Discarded pending operation ${args.id} for ${intent.address}${what ? `: ${what}` : ""}.` };
  }
  if (outcome.status === "done") {
    await removeRecord();
    return { ok: true, summary: `Pending operation ${args.id} had finished; its record was removed.` };
  }
  if (candidates.length === 0) return { ok: false, reason: "nothing_to_adopt", message: `${outcome.detail}; nothing to adopt (use --discard ${args.id})` };
  const chosen = args.uuid ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!chosen || !candidates.includes(chosen)) {
    return { ok: false, reason: "needs_choice", message: `pending operation ${args.id} has ${candidates.length} candidates; say which one to adopt by uuid`,
      candidates: outcome.status === "ambiguous" ? outcome.candidates : candidates };
  }
  await kind.adopt(chosen, ctx);
  await removeRecord();
  return { ok: true, summary: `Adopted ${chosen} as ${intent.address}; the next apply records its configuration.` };
}

/** Objects the interrupted step may have created and that nobody has claimed. */
function candidatesOf(outcome: KindIntentOutcome): Uuid[] {
  if (outcome.status === "adopt") return outcome.live.uuid ? [outcome.live.uuid] : [];
  if (outcome.status === "ambiguous") return [...(outcome.candidateUuids ?? [])] as Uuid[];
  return [];
}
