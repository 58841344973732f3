/**
 * Intents record the XAPI tasks their step started: a process killed while its snapshot task still
 * runs leaves an intent the next plan will not guess about (it waits: blocking), and once the task
 * has finished the object it made is adopted — never a second snapshot, never an unmarked look-alike.
 */
import { connect } from "../../src/xapi";
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { applyPlan } from "../../src/engine/applier";
import { readTaskStates } from "../../src/engine/intents";
import { planStack } from "../../src/engine/planner";
import { hasBlockingIntents, type DesiredStack, type Plan } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import type { OpaqueRef } from "../../src/xapi/types";
import { stackOf, STACK } from "../helpers/stack";

let sim: RunningSimulator;
let client: XapiClient;

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo", port: 0, taskMs: 1500 });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client?.close();
  await sim?.close();
});

async function planNow(stack: DesiredStack): Promise<Plan> {
  const view = await client.readPoolView();
  const tasks = await readTaskStates(client, view, STACK);
  return planStack({ stack, provider: "default", view, tasks, pool: { uuid: view.pool.uuid, name_label: "", url: sim.url, xapi_version: view.xapiVersion, insecure: false } });
}

/** A client whose process dies once its first Async task has started (and the intent recorded it). */
function dyingOnceTaskStarts(): XapiClient {
  let dead = false;
  const alive = <T>(run: () => Promise<T>): Promise<T> => (dead ? Promise.reject(new Error("process is dead")) : run());
  return {
    ...client,
    url: client.url,
    readPoolView: () => client.readPoolView(),
    close: async () => undefined,
    call: (m, p) => alive(() => client.call(m, p)),
    callAsync: (m, p, o) => alive(async () => {
      const task = String(await client.call(`Async.${m}`, p ?? [])) as OpaqueRef;
      o?.onTask?.(task);
      await new Promise((r) => setTimeout(r, 300));   // the intent's task ref lands
      dead = true;
      throw new Error("killed while the task runs");
    }),
    httpGet: (path, q, o) => alive(() => client.httpGet(path, q, o)),
    httpPut: (path, q, b, o) => alive(() => client.httpPut(path, q, b, o)),
    waitTask: (t, m, o) => alive(() => client.waitTask(t, m, o)),
  };
}

const WEB = stackOf({ address: "xapi_snapshot.web", attrs: { vm: "web-01", name_label: "slow snapshot" } });
const snapshots = async (): Promise<number> => [...(await client.readPoolView()).vms.values()].filter((v) => v.is_a_snapshot && v.name_label === "slow snapshot").length;

describe("an apply killed while its XAPI task still runs", () => {
  it("blocks the next plan while the task runs, then adopts what the task made", async () => {
    await applyPlan({ plan: await planNow(WEB), client: dyingOnceTaskStarts() });
    const view = await client.readPoolView();
    const intent = Object.entries(view.pool.other_config).find(([k]) => k.startsWith("xsnap.pending/") && !k.includes("#task"));
    expect(JSON.parse(intent?.[1] ?? "{}")).toMatchObject({ op: "create" });
    expect(Object.entries(view.pool.other_config).filter(([k]) => k.startsWith(`${intent?.[0]}#task`)).map(([, v]) => v)).toEqual([expect.stringMatching(/^OpaqueRef:/)]);

    const during = await planNow(WEB);
    expect(hasBlockingIntents(during)).toBe(true);
    expect(during.intents?.[0]?.detail).toMatch(/still running; wait for it to finish, then plan again/);

    await new Promise((r) => setTimeout(r, 1800));   // the task finishes on its own
    const after = await planNow(WEB);
    expect(after.intents?.map((i) => i.status)).toEqual(["adopt"]);
    expect((await applyPlan({ plan: after, client })).failed).toEqual([]);
    expect(await snapshots()).toBe(1);
    const settled = await planNow(WEB);
    expect(settled.changes.map((c) => c.action)).toEqual(["no-op"]);
    expect(settled.intents).toEqual([]);
  });
});
