/**
 * A client whose process "dies" at its call number `at` (1-based): before the call reaches the pool,
 * or right after it took effect. `staysDead`: every later call fails too, as after a real kill -9;
 * otherwise only that call fails. `pool.get_all` (read once per apply) is not counted.
 *
 * A dead process leaves nothing open: a kill -9 closes its sockets. So an export stream the killed
 * call would have handed over is destroyed, and with `staysDead` the death also aborts whatever is
 * still in flight (task waits, downloads, uploads; an Async call's task runs on in the pool) and
 * destroys every export stream handed out
 * earlier; an answer that arrives after the death is never seen. Without this a download nobody reads
 * stays open, the pool keeps writing into it and holds the snapshot's export lock, which no real
 * pool would see from a dead client.
 */
import type { IncomingMessage } from "node:http";
import type { XapiClient } from "../../src/resources/client";

export class Killed extends Error {}

/** Anything with a destroy() (a response stream); other values are left alone. */
const destroyIfStream = (value: unknown): void => {
  if (typeof value === "object" && value !== null && typeof (value as { destroy?: unknown }).destroy === "function") (value as { destroy: () => void }).destroy();
};

export interface DyingOptions {
  readonly staysDead?: boolean;
  /** Told of every counted call, with its number, as it is made. */
  readonly onCall?: (n: number, method: string) => void;
  /**
   * Called at the moment of death, synchronously. The code around the client goes on running (its
   * catch blocks remove temporary files a killed process would leave): a test records here what a
   * kill -9 would have left on disk, and puts it back once the apply returns.
   */
  readonly onDeath?: () => void;
}

export function dyingAt(client: XapiClient, at: number, when: "before" | "after", options: DyingOptions = {}): XapiClient & { calls: () => number } {
  let n = 0;
  let dead = false;
  const death = new AbortController();
  const streams = new Set<IncomingMessage>();
  let died = false;
  const die = (why: string): Killed => {
    if (!died) {
      died = true;
      options.onDeath?.();
    }
    if (options.staysDead && !dead) {
      dead = true;
      death.abort(new Killed(why));
      for (const s of streams) s.destroy();
      streams.clear();
    }
    return new Killed(why);
  };
  const gate = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    const mine = ++n;
    options.onCall?.(mine, method);
    if (dead || (options.staysDead && mine > at) || (mine === at && when === "before")) throw die(`dead at call ${at}`);
    let value: T;
    try {
      value = await run();
    } catch (error) {
      if (dead) throw new Killed(`dead at call ${at}`);   // the dead process never saw this answer
      throw error;
    }
    if (dead || (mine === at && when === "after")) {
      destroyIfStream(value);
      throw die("killed after the call");
    }
    return value;
  };
  /** The caller's signal, or the death's when the process dies first. */
  const signal = (own: AbortSignal | undefined): AbortSignal => (own ? AbortSignal.any([own, death.signal]) : death.signal);
  const track = (res: IncomingMessage): IncomingMessage => {
    if (dead) res.destroy();
    else {
      streams.add(res);
      res.once("close", () => streams.delete(res));
    }
    return res;
  };
  return {
    url: client.url, readPoolView: () => client.readPoolView(), close: async () => undefined,
    call: (m, p, o) => (m === "pool.get_all" ? client.call(m, p, o) : gate(m, () => client.call(m, p, o))),
    // No death signal here: the real client cancels a task whose wait was aborted, a dead process cannot.
    callAsync: (m, p, o) => gate(`Async.${m}`, () => client.callAsync(m, p, o)),
    httpGet: (path, q, o) => gate(`GET ${path}`, async () => track(await client.httpGet(path, q, { ...o, signal: signal(o?.signal) }))),
    httpPut: (path, q, b, o) => gate(`PUT ${path}`, () => client.httpPut(path, q, b, { ...o, signal: signal(o?.signal) })),
    waitTask: (t, m, o) => gate(`task wait ${m}`, () => client.waitTask(t, m, { ...o, signal: signal(o?.signal) })),
    calls: () => n,
  };
}
