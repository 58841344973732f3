/**
 * Intents (DESIGN §5, STYLE: Crossplane's create-pending annotation): before each mutating step the
 * applier records `pool.other_config["xsnap.pending/<stack>/<id>"]` and clears it once the markers
 * are on the object. A process killed at any point leaves either nothing, or an intent that the next
 * plan resolves through the kind: done (record only), discard (nothing created), adopt (created
 * without markers), or ambiguous (blocks: exit 6).
 */
import { randomUUID } from "node:crypto";
import type { IntentRecord, IntentSubject, KindIntentOutcome, KindRegistry, Live } from "../resources/kind";
import { type XapiClient, xapiCode } from "../resources/client";
import type { PoolView } from "../xapi/records";
import type { OpaqueRef } from "../xapi/types";
import type { Address, Action, Change, IntentResolution } from "../model";
import { liveLockId } from "./lock";
import { kindEntries } from "./registry";

export const intentPrefix = (stack: string): string => `xsnap.pending/${stack}/`;
export const intentKey = (stack: string, id: string): string => `${intentPrefix(stack)}${id}`;
/**
 * A task the step started sits beside its intent, under a key of its own: pool.other_config has no
 * atomic update of one key, and removing then re-adding the intent would leave a window without it.
 */
const taskKey = (stack: string, id: string, n: number): string => `${intentKey(stack, id)}#task${n}`;

/**
 * Removes an intent and the task keys beside it (XAPI's remove is a no-op for an absent key). The
 * last task key goes first: a process killed midway leaves keys 0..k-1, which the next plan counts
 * (`tasks`) and removes; removed from 0 up, it would leave k..n-1, and the count would miss the top ones.
 */
export async function removeIntent(client: Pick<XapiClient, "call">, poolRef: OpaqueRef, stack: string, id: string, taskCount = 0): Promise<void> {
  for (let n = taskCount - 1; n >= 0; n--) await client.call("pool.remove_from_other_config", [poolRef, taskKey(stack, id, n)]);
  await client.call("pool.remove_from_other_config", [poolRef, intentKey(stack, id)]);
}

const ACTIONS: readonly Action[] = ["no-op", "create", "update", "replace", "revert", "destroy", "read"];

/** Leftover intents of the stack, oldest first. Records that do not parse are reported as ambiguous. */
export function readIntents(view: PoolView, stack: string): readonly (IntentRecord | { readonly id: string; readonly unreadable: string })[] {
  const prefix = intentPrefix(stack);
  const out: (IntentRecord | { id: string; unreadable: string })[] = [];
  const tasks = new Map<string, string[]>();
  for (const [key, value] of Object.entries(view.pool.other_config)) {
    const m = key.startsWith(prefix) ? /^(.*)#task(\d+)$/.exec(key.slice(prefix.length)) : null;
    if (m) tasks.set(m[1] ?? "", Object.assign(tasks.get(m[1] ?? "") ?? [], { [Number(m[2])]: value }));
  }
  for (const [key, value] of Object.entries(view.pool.other_config)) {
    if (!key.startsWith(prefix) || key.includes("#task")) continue;
    const id = key.slice(prefix.length);
    const record = parseIntent(id, value);
    const started = tasks.get(id)?.filter((t) => typeof t === "string");
    out.push(record ? { ...record, ...(started?.length ? { tasks: started } : {}) } : { id, unreadable: value });
  }
  return out.sort((a, b) => ("started" in a ? a.started : "").localeCompare("started" in b ? b.started : ""));
}

function parseIntent(id: string, text: string): IntentRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.address !== "string" || typeof r.type !== "string" || typeof r.started !== "string") return undefined;
  if (typeof r.op !== "string" || !(ACTIONS as readonly string[]).includes(r.op)) return undefined;
  const strings = (x: unknown): readonly string[] | undefined =>
    Array.isArray(x) && x.every((s) => typeof s === "string") ? (x as string[]) : undefined;
  const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
  const existing = strings(r.existing);
  const disks = strings(r.disks);
  const facts = typeof r.facts === "object" && r.facts !== null && Object.values(r.facts).every((f) => typeof f === "string")
    ? (r.facts as Readonly<Record<string, string>>) : undefined;
  return {
    id, op: r.op as Action, address: r.address as Address, type: r.type, started: r.started,
    ...(str(r.lock) ? { lock: str(r.lock) } : {}),
    ...(str(r.vm) ? { vm: str(r.vm) as IntentRecord["vm"] } : {}),
    ...(str(r.expected_name) !== undefined ? { expected_name: str(r.expected_name) } : {}),
    ...(existing ? { existing: existing as IntentRecord["existing"] } : {}),
    ...(str(r.object) ? { object: str(r.object) as IntentRecord["object"] } : {}),
    ...(disks ? { disks: disks as IntentRecord["disks"] } : {}),
    ...(facts ? { facts } : {}),
  };
}

export interface IntentPlan {
  readonly resolutions: readonly IntentResolution[];
  /** Objects found through an intent, to be treated as the address's live object (markers to write). */
  readonly adopted: ReadonlyMap<Address, Live>;
}

/** Pure: classifies every leftover intent of the stack through its kind. */
/** What became of a task an interrupted step started: XAPI's task status, or gone (destroyed). */
export type TaskState = "pending" | "success" | "failure" | "cancelling" | "cancelled" | "gone";

/** The tasks the stack's leftover intents name, as the pool reports them now (one read per task, only after a crash). */
export async function readTaskStates(client: Pick<XapiClient, "call">, view: PoolView, stack: string): Promise<ReadonlyMap<string, TaskState>> {
  const refs = readIntents(view, stack).flatMap((i) => ("tasks" in i ? i.tasks ?? [] : []));
  const out = new Map<string, TaskState>();
  for (const ref of refs) {
    try {
      out.set(ref, String(await client.call("task.get_status", [ref])) as TaskState);
    } catch (e) {
      if (xapiCode(e) !== "HANDLE_INVALID") throw e;
      out.set(ref, "gone");
    }
  }
  return out;
}

export function resolveIntents(view: PoolView, stack: string, kinds: KindRegistry,
  entries: ReadonlyMap<string, ReadonlyMap<Address, string>> = kindEntries(view, stack, kinds),
  tasks: ReadonlyMap<string, TaskState> = new Map()): IntentPlan {
  const resolutions: IntentResolution[] = [];
  const adopted = new Map<Address, Live>();
  const liveLock = liveLockId(view, stack);
  for (const intent of readIntents(view, stack)) {
    const runningTasks = "tasks" in intent ? (intent.tasks ?? []).filter((t) => tasks.get(t) === "pending" || tasks.get(t) === "cancelling") : [];
    // A step whose task runs under a lock that is still live is an apply at work beside this plan:
    // in progress, not left over (a killed run's intents show once its task ends or its lock goes).
    if (liveLock !== undefined && "lock" in intent && intent.lock === liveLock && runningTasks.length > 0) continue;
    if ("unreadable" in intent) {
      resolutions.push({ id: intent.id, address: "" as Address, type: "", op: "no-op", started: "", status: "ambiguous",
        detail: `the record cannot be read: ${intent.unreadable.slice(0, 200)}` });
      continue;
    }
    const kind = kinds.managed.get(intent.type);
    // A task still running may yet create the object: deciding now could leave a look-alike behind.
    const outcome: KindIntentOutcome = runningTasks.length > 0
      ? { status: "ambiguous", detail: `its XAPI task ${runningTasks.join(", ")} is still running; wait for it to finish, then plan again`, candidates: [] }
      : kind
      ? kind.resolveIntent(view, intent, entries.get(kind.type) ?? new Map())
      : { status: "ambiguous", detail: `resource type ${intent.type} is not supported by this version of xsnap`, candidates: [] };
    const base = { id: intent.id, address: intent.address, type: intent.type, op: intent.op, started: intent.started, detail: outcome.detail,
      ...(intent.tasks?.length ? { tasks: intent.tasks } : {}) };
    switch (outcome.status) {
      case "adopt":
        if (adopted.has(intent.address)) {
          resolutions.push({ ...base, status: "ambiguous", detail: `${outcome.detail}; another interrupted step also claims ${intent.address}`,
            candidates: [outcome.live.uuid ?? outcome.live.address, adopted.get(intent.address)?.uuid ?? intent.address] });
        } else {
          adopted.set(intent.address, { ...outcome.live, adoptedFrom: intent.id });
          resolutions.push({ ...base, status: "adopt" });
        }
        break;
      case "ambiguous":
        resolutions.push({ ...base, status: "ambiguous", candidates: outcome.candidates });
        break;
      case "discard":
        resolutions.push({ ...base, status: "discard", ...(outcome.cleanup?.length ? { cleanup: outcome.cleanup } : {}), ...(outcome.uninstall?.length ? { uninstall: outcome.uninstall } : {}) });
        break;
      case "done":
        resolutions.push({ ...base, status: "done", ...(outcome.cleanup?.length ? { cleanup: outcome.cleanup } : {}) });
        break;
    }
  }
  return { resolutions, adopted };
}

/** The kind's own reading of one intent, with the registry entries it may need. */
export function outcomeOfIntent(view: PoolView, stack: string, intent: IntentRecord, kinds: KindRegistry): KindIntentOutcome | undefined {
  const kind = kinds.managed.get(intent.type);
  return kind?.resolveIntent(view, intent, kindEntries(view, stack, kinds).get(kind.type) ?? new Map());
}

/** Writes and clears intent records during an apply. */
export interface IntentWriter {
  record(change: Change, subject: IntentSubject): Promise<string>;
  /** Adds a task the step started, so that a later plan waits for it instead of guessing. */
  addTask(id: string, task: string): Promise<void>;
  /** Removes the intent and its task keys (`taskCount`: of an intent another apply wrote). */
  clear(id: string, taskCount?: number): Promise<void>;
}

export function intentWriter(args: {
  readonly client: XapiClient;
  readonly poolRef: OpaqueRef;
  readonly stack: string;
  readonly lockId?: string;
  readonly now?: () => Date;
}): IntentWriter {
  const now = args.now ?? (() => new Date());
  const taskCounts = new Map<string, number>();
  // Task keys being written, by intent: a clear waits for them, or a remove could overtake its add.
  const adding = new Map<string, Promise<unknown>[]>();
  return {
    async record(change, subject) {
      const id = randomUUID();
      const record: Omit<IntentRecord, "id"> = {
        op: change.action, address: change.address, type: change.type, started: now().toISOString(),
        ...(args.lockId ? { lock: args.lockId } : {}), ...subject,
      };
      await args.client.call("pool.add_to_other_config", [args.poolRef, intentKey(args.stack, id), JSON.stringify(record)]);
      return id;
    },
    async addTask(id, task) {
      const n = taskCounts.get(id) ?? 0;
      taskCounts.set(id, n + 1);
      const written = args.client.call("pool.add_to_other_config", [args.poolRef, taskKey(args.stack, id, n), task]);
      adding.set(id, [...(adding.get(id) ?? []), written]);
      await written;
    },
    async clear(id, taskCount) {
      const count = taskCount ?? taskCounts.get(id) ?? 0;
      taskCounts.delete(id);
      await Promise.allSettled(adding.get(id) ?? []);
      adding.delete(id);
      await removeIntent(args.client, args.poolRef, args.stack, id, count);
    },
  };
}
