/**
 * The pool lock per stack (DESIGN §5, iac-conventions §6.8): `pool.add_to_other_config(
 * "xsnap.lock/<stack>", LockInfo)` is an atomic test-and-set (MAP_DUPLICATE_KEY when held). A lease
 * is renewed by a heartbeat key `xsnap.lock/<stack>.hb` that only the holder writes; a lock whose
 * lease ran out is reported as abandoned with the exact force-unlock command, never taken over.
 */
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { type XapiClient, xapiCode } from "../resources/client";
import { sleep as abortableSleep } from "../xapi/sleep";
import type { PoolView } from "../xapi/records";
import { poolRefOf } from "./registry";

export interface LockInfo {
  readonly id: string;
  readonly who: string;
  readonly operation: string;
  /** ISO 8601. */
  readonly created: string;
  /** ISO 8601: end of the lease as first granted; the heartbeat key extends it. */
  readonly expires: string;
  readonly version?: string;
}

export interface LockStatus {
  readonly info: LockInfo;
  /** The later of the lease in the info and the last heartbeat. */
  readonly expiresAt: string;
  readonly abandoned: boolean;
  /** `xsnap force-unlock <id>`, printed for a contender. */
  readonly forceUnlockCommand: string;
}

export interface HeldLock {
  readonly info: LockInfo;
  /** Stops the heartbeat and removes the lock (only if it is still ours). */
  release(): Promise<void>;
}

export type AcquireResult =
  | { readonly ok: true; readonly lock: HeldLock }
  /** `cancelled`: the signal aborted before the lock was taken; nothing is held. */
  | { readonly ok: false; readonly holder: LockStatus | undefined; readonly cancelled?: true };

export const lockKey = (stack: string): string => `xsnap.lock/${stack}`;
export const heartbeatKey = (stack: string): string => `xsnap.lock/${stack}.hb`;

const DEFAULT_LEASE_SECONDS = 300;

/**
 * The id of the lock a live run holds on the stack as the view saw it (lease or heartbeat not yet
 * expired at `view.readAt`), or undefined. Its intents are work in progress, not leftovers.
 */
export function liveLockId(view: PoolView, stack: string): string | undefined {
  const raw = view.pool.other_config[lockKey(stack)];
  if (raw === undefined) return undefined;
  try {
    const info = JSON.parse(raw) as Partial<LockInfo>;
    const until = [info.expires, view.pool.other_config[heartbeatKey(stack)]].filter((t): t is string => typeof t === "string").sort().at(-1);
    return typeof info.id === "string" && until !== undefined && Date.parse(until) > view.readAt.getTime() ? info.id : undefined;
  } catch {
    return undefined;
  }
}

export interface AcquireArgs {
  readonly client: XapiClient;
  readonly stack: string;
  readonly operation: string;
  readonly who?: string;
  /** `--lock-timeout` in ms; 0 = fail at once (the default, like Terraform). */
  readonly timeoutMs?: number;
  readonly leaseSeconds?: number;
  /** Called once while waiting, with the holder (print "Acquiring pool lock..."). */
  readonly onWait?: (holder: LockStatus | undefined) => void;
  /**
   * Stops the wait: once it aborts no further attempt is made and the result is `cancelled` (a lock
   * taken by an attempt already on the wire is still returned, for the caller to release).
   */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Waits `ms`, or less when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export async function acquireLock(args: AcquireArgs): Promise<AcquireResult> {
  const now = args.now ?? (() => new Date());
  const sleep = args.sleep ?? abortableSleep;
  const signal = args.signal;
  const lease = args.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const poolRef = await poolRefOf(args.client);
  const deadline = now().getTime() + (args.timeoutMs ?? 0);
  let delay = 1000;
  let waited = false;
  for (;;) {
    if (signal?.aborted) return { ok: false, holder: undefined, cancelled: true };
    const created = now();
    const info: LockInfo = {
      id: randomUUID(), who: args.who ?? defaultWho(), operation: args.operation,
      created: created.toISOString(), expires: new Date(created.getTime() + lease * 1000).toISOString(),
    };
    try {
      await args.client.call("pool.add_to_other_config", [poolRef, lockKey(args.stack), JSON.stringify(info)]);
      return { ok: true, lock: hold(args.client, poolRef, args.stack, info, lease, now) };
    } catch (e) {
      if (xapiCode(e) !== "MAP_DUPLICATE_KEY") throw e;
    }
    const holder = await lockStatus({ client: args.client, stack: args.stack, now });
    if (signal?.aborted) return { ok: false, holder, cancelled: true };
    const left = deadline - now().getTime();
    if (left <= 0) return { ok: false, holder };
    if (!waited) { args.onWait?.(holder); waited = true; }
    await sleep(Math.min(delay, left), signal);
    if (signal?.aborted) return { ok: false, holder, cancelled: true };
    delay = Math.min(delay * 2, 16000);
  }
}

function hold(client: XapiClient, poolRef: string, stack: string, info: LockInfo, leaseSeconds: number, now: () => Date): HeldLock {
  const beat = async (): Promise<void> => {
    const until = new Date(now().getTime() + leaseSeconds * 1000).toISOString();
    await client.call("pool.remove_from_other_config", [poolRef, heartbeatKey(stack)]);
    await client.call("pool.add_to_other_config", [poolRef, heartbeatKey(stack), JSON.stringify({ id: info.id, expires: until })]);
  };
  // A missed heartbeat is not fatal: the lease in the info still holds, and the next beat retries.
  const timer = setInterval(() => { beat().catch(() => undefined); }, Math.max(1000, (leaseSeconds * 1000) / 3));
  timer.unref();
  let released = false;
  return {
    info,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      const current = await readLock(client, poolRef, stack);
      if (current?.info.id !== info.id) return;   // force-unlocked meanwhile: not ours to remove
      await client.call("pool.remove_from_other_config", [poolRef, lockKey(stack)]);
      await client.call("pool.remove_from_other_config", [poolRef, heartbeatKey(stack)]);
    },
  };
}

/** The current holder, or undefined when the stack is not locked. */
export async function lockStatus(args: { readonly client: XapiClient; readonly stack: string; readonly now?: () => Date }): Promise<LockStatus | undefined> {
  const poolRef = await poolRefOf(args.client);
  const lock = await readLock(args.client, poolRef, args.stack);
  if (!lock) return undefined;
  const now = (args.now ?? (() => new Date()))();
  const expiresAt = [lock.info.expires, lock.heartbeat].filter((t): t is string => typeof t === "string").sort().at(-1) ?? lock.info.expires;
  return { info: lock.info, expiresAt, abandoned: Date.parse(expiresAt) < now.getTime(), forceUnlockCommand: `xsnap force-unlock ${lock.info.id}` };
}

export type ForceUnlockResult = "removed" | "not_locked" | "id_mismatch";

/** Removes the lock only when `id` is the holder's (Terraform's nonce rule). Modifies no infrastructure. */
export async function forceUnlock(args: { readonly client: XapiClient; readonly stack: string; readonly id: string }): Promise<ForceUnlockResult> {
  const poolRef = await poolRefOf(args.client);
  const lock = await readLock(args.client, poolRef, args.stack);
  if (!lock) return "not_locked";
  if (lock.info.id !== args.id) return "id_mismatch";
  await args.client.call("pool.remove_from_other_config", [poolRef, lockKey(args.stack)]);
  await args.client.call("pool.remove_from_other_config", [poolRef, heartbeatKey(args.stack)]);
  return "removed";
}

async function readLock(client: XapiClient, poolRef: string, stack: string): Promise<{ info: LockInfo; heartbeat?: string } | undefined> {
  const oc = (await client.call("pool.get_other_config", [poolRef])) as Readonly<Record<string, string>>;
  const raw = oc[lockKey(stack)];
  if (raw === undefined) return undefined;
  const info = parseInfo(raw);
  const hb = parseHeartbeat(oc[heartbeatKey(stack)], info.id);
  return { info, ...(hb ? { heartbeat: hb } : {}) };
}

/** A lock value we cannot read is still a lock: it is shown as abandoned so a human decides. */
function parseInfo(raw: string): LockInfo {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v.id === "string" && typeof v.expires === "string") {
      return { id: v.id, who: String(v.who ?? "?"), operation: String(v.operation ?? "?"), created: String(v.created ?? ""), expires: v.expires, ...(v.version ? { version: String(v.version) } : {}) };
    }
  } catch { /* fall through */ }
  return { id: raw, who: "?", operation: "?", created: "", expires: new Date(0).toISOString() };
}

function parseHeartbeat(raw: string | undefined, id: string): string | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { id?: unknown; expires?: unknown };
    return v.id === id && typeof v.expires === "string" ? v.expires : undefined;
  } catch {
    return undefined;
  }
}

function defaultWho(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
