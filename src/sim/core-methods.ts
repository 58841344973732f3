/**
 * session.*, system.listMethods, task.* and event.* (reference §1.5, §1.7, §1.8).
 */
import { randomUUID } from "node:crypto";
import { XapiFailure } from "./errors";
import { p, type Registry } from "./registry";
import { CLASSES, recordToWire } from "./schema";
import type { Simulator } from "./simulator";
import { createTask } from "./tasks";
import { type EncodableValue, XmlInt32 } from "./xml-encode";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function registerCoreMethods(reg: Registry): void {
  reg.set("system.listMethods", {
    params: [],
    session: false,
    handler: (ctx) => [...ctx.sim.registry.keys()].sort(),
  });
  reg.set("session.login_with_password", {
    params: [p("string", "uname"), p("string", "pwd"), p("string", "version"), p("string", "originator")],
    optional: 2,
    session: false,
    handler: async (ctx, [uname, pwd, , originator]) => {
      const { user, password, authFailureDelayMs, memberOf } = ctx.sim.config;
      // A member refuses before it looks at the credentials (xapi_session.ml l.996-1002).
      if (memberOf !== undefined) throw new XapiFailure("HOST_IS_SLAVE", [memberOf]);
      if (uname !== user || pwd !== password) {
        await sleep(authFailureDelayMs);
        throw new XapiFailure("SESSION_AUTHENTICATION_FAILED", [String(uname), "Authentication failure"]);
      }
      const ref = `OpaqueRef:${randomUUID()}`;
      ctx.sim.sessions.set(ref, { user: String(uname), originator: String(originator ?? ""), created: Date.now() });
      ctx.sim.db.notify();
      return ref;
    },
  });
  reg.set("session.logout", {
    params: [],
    handler: (ctx) => {
      ctx.sim.sessions.delete(ctx.session);
      ctx.sim.db.notify();
    },
  });
  registerTaskMethods(reg);
  registerEventMethods(reg);
}

function registerTaskMethods(reg: Registry): void {
  reg.set("task.create", {
    params: [p("string", "label"), p("string", "description")],
    handler: (ctx, [label, description]) => createTask(ctx.sim, String(label), String(description), { cancellable: true }),
  });
  reg.set("task.cancel", {
    params: [p("task ref", "task")],
    handler: (ctx, [task]) => {
      const rec = ctx.sim.db.require("task", String(task));
      const allowed = rec.allowed_operations as string[];
      if (rec.status !== "pending" || !allowed.includes("cancel")) {
        throw new XapiFailure("OPERATION_NOT_ALLOWED", ["task cannot be cancelled"]);
      }
      ctx.sim.cancelRequests.add(String(task));
    },
  });
  reg.set("task.destroy", {
    params: [p("task ref", "self")],
    handler: (ctx, [task]) => {
      const rec = ctx.sim.db.require("task", String(task));
      if (rec.status === "pending") {
        // A pending task only records the request (xapi_task.ml `destroy`).
        ctx.sim.db.set("task", String(task), "current_operations", { [String(task)]: "destroy" });
        return;
      }
      ctx.sim.db.delete("task", String(task));
    },
  });
}

const tokenOf = (generation: number): string => `${String(generation).padStart(20, "0")},${"0".padStart(20, "0")}`;

function parseToken(token: string): number {
  if (token === "") return -1;
  const m = /^(\d+),(\d+)$/.exec(token);
  if (!m) throw new XapiFailure("EVENT_FROM_TOKEN_PARSE_FAILURE", [token]);
  return Number(m[1]);
}

interface Subscription {
  readonly cls: string; // table name, or "*"
  readonly ref?: string;
}

function parseSubscriptions(classes: readonly string[]): Subscription[] {
  const byLower = new Map([...CLASSES.keys()].map((c) => [c.toLowerCase(), c]));
  const subs: Subscription[] = [];
  for (const entry of classes) {
    if (entry === "*") { subs.push({ cls: "*" }); continue; }
    const [name = "", ref] = entry.split("/", 2);
    const cls = byLower.get(name.toLowerCase());
    if (cls) subs.push(ref ? { cls, ref } : { cls });
  }
  return subs;
}

const matches = (subs: readonly Subscription[], cls: string, ref: string): boolean =>
  subs.some((s) => s.cls === "*" || (s.cls === cls && (s.ref === undefined || s.ref === ref)));

function eventBatch(sim: Simulator, subs: readonly Subscription[], since: number): EncodableValue[] {
  const events: EncodableValue[] = [];
  const resync = since < 0 || since < sim.db.logStart;
  if (resync) {
    for (const cls of sim.db.classes()) {
      for (const [ref, rec] of sim.db.table(cls)) {
        if (!matches(subs, cls, ref)) continue;
        events.push({ id: String(sim.db.generation), timestamp: "0.0", class: cls.toLowerCase(), operation: since < 0 ? "add" : "mod", ref, snapshot: recordToWire(cls, rec) });
      }
    }
    return events;
  }
  for (const change of sim.db.changesSince(since)) {
    if (!matches(subs, change.cls, change.ref)) continue;
    const rec = sim.db.get(change.cls, change.ref);
    const event: Record<string, EncodableValue> = {
      id: String(change.generation),
      timestamp: "0.0",
      class: change.cls.toLowerCase(),
      operation: change.op,
      ref: change.ref,
    };
    if (rec && change.op !== "del") event.snapshot = recordToWire(change.cls, rec);
    events.push(event);
  }
  return events;
}

function registerEventMethods(reg: Registry): void {
  reg.set("event.get_current_id", { params: [], handler: (ctx) => ctx.sim.db.generation });
  reg.set("event.inject", {
    params: [p("string", "class"), p("string", "ref")],
    handler: (ctx, [cls, ref]) => {
      // The class must be the exact table name (`pool`, `VM`, `task`), else HANDLE_INVALID.
      if (!CLASSES.has(String(cls)) || !ctx.sim.db.exists(String(cls), String(ref))) {
        throw new XapiFailure("HANDLE_INVALID", [String(cls), String(ref)]);
      }
      const token = tokenOf(ctx.sim.db.generation);
      ctx.sim.db.touch(String(cls), String(ref));
      return token;
    },
  });
  reg.set("event.from", {
    params: [p("string set", "classes"), p("string", "token"), p("float", "timeout")],
    handler: async (ctx, [classes, token, timeout]) => {
      const sim = ctx.sim;
      const since = parseToken(String(token));
      const subs = parseSubscriptions(classes as string[]);
      const deadline = Date.now() + Math.max(0, Number(timeout)) * 1000;
      let events = eventBatch(sim, subs, since);
      while (events.length === 0 && Date.now() < deadline && !sim.stopping.aborted) {
        await waitForChange(sim, subs, deadline - Date.now());
        events = eventBatch(sim, subs, since);
      }
      const counts: Record<string, EncodableValue> = {};
      for (const cls of CLASSES.keys()) {
        if (subs.some((s) => s.cls === "*" || s.cls === cls)) counts[cls.toLowerCase()] = new XmlInt32(sim.db.table(cls).size);
      }
      return { events, valid_ref_counts: counts, token: tokenOf(sim.db.generation) };
    },
  });
}

/** Resolves on a change the subscriptions match (or one of unknown extent), the deadline, or shutdown. */
function waitForChange(sim: Simulator, subs: readonly Subscription[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      off();
      sim.stopping.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // Other objects' changes (other tasks' progress, say) must not make every waiter rescan the log.
    const off = sim.db.onChange((change) => {
      if (!change || matches(subs, change.cls, change.ref)) done();
    });
    sim.stopping.addEventListener("abort", done);
  });
}
