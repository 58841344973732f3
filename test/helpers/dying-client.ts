/**
 * A client whose process "dies" at its call number `at` (1-based): before the call reaches the pool,
 * or right after it took effect. `staysDead`: every later call fails too, as after a real kill -9;
 * otherwise only that call fails. `pool.get_all` (read once per apply) is not counted.
 */
import type { XapiClient } from "../../src/resources/client";

export class Killed extends Error {}

export function dyingAt(client: XapiClient, at: number, when: "before" | "after", options: { readonly staysDead?: boolean } = {}): XapiClient & { calls: () => number } {
  let n = 0;
  const gate = async <T>(run: () => Promise<T>): Promise<T> => {
    n++;
    if ((options.staysDead && n > at) || (n === at && when === "before")) throw new Killed(`dead at call ${at}`);
    const value = await run();
    if (n === at && when === "after") throw new Killed("killed after the call");
    return value;
  };
  return {
    url: client.url, readPoolView: () => client.readPoolView(), close: async () => undefined,
    call: (m, p, o) => (m === "pool.get_all" ? client.call(m, p, o) : gate(() => client.call(m, p, o))),
    callAsync: (m, p, o) => gate(() => client.callAsync(m, p, o)),
    httpGet: (path, q, o) => gate(() => client.httpGet(path, q, o)),
    httpPut: (path, q, b, o) => gate(() => client.httpPut(path, q, b, o)),
    waitTask: (t, m, o) => gate(() => client.waitTask(t, m, o)),
    calls: () => n,
  };
}
