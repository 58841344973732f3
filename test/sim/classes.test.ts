import { failureOf, login, refByName, rpc, useSimulator, waitTask } from "../helpers/sim";

type Rec = Record<string, unknown>;

describe("generated class methods (reference §1.6, §2.7, §3.7, §3.8, §3.11)", () => {
  const sim = useSimulator();

  it("serves every class with get_all, get_all_records, get_record, get_by_uuid and field getters", async () => {
    const s = await login(sim());
    for (const cls of ["pool", "host", "SR", "VDI", "VBD", "VM", "VMSS", "task", "VIF", "network", "PBD", "message"]) {
      const refs = await rpc<string[]>(sim(), `${cls}.get_all`, s);
      const records = await rpc<Record<string, Rec>>(sim(), `${cls}.get_all_records`, s);
      expect(Object.keys(records).sort()).toEqual([...refs].sort());
    }
    const [pool] = await rpc<string[]>(sim(), "pool.get_all", s);
    const rec = await rpc<Rec>(sim(), "pool.get_record", s, pool as string);
    expect(rec.name_label).toBe("demo-pool");
    expect(await rpc(sim(), "pool.get_by_uuid", s, rec.uuid as string)).toBe(pool);
    expect(await rpc(sim(), "SR.get_name_label", s, rec.default_SR as string)).toBe("Local storage");
    expect(await rpc(sim(), "SR.get_name_label", s, rec.suspend_image_SR as string)).toBe("NFS store");
  });

  it("returns every VM of a name from get_by_name_label (names are not unique)", async () => {
    const s = await login(sim());
    expect(await rpc<string[]>(sim(), "VM.get_by_name_label", s, "app")).toHaveLength(2);
    expect(await rpc<string[]>(sim(), "VM.get_by_name_label", s, "no such vm")).toEqual([]);
  });

  it("filters with get_all_records_where on DB columns (name__label, booleans, refs)", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const snaps = await rpc<Record<string, Rec>>(sim(), "VM.get_all_records_where", s, `field "is_a_snapshot" = "true" and field "snapshot_of" = "${web}"`);
    expect(Object.values(snaps).map((r) => r.name_label)).toEqual(["web-01 manual"]);
    const apps = await rpc<Record<string, Rec>>(sim(), "VM.get_all_records_where", s, 'field "name__label" = "app" or (field "power_state" = "Paused" and not false)');
    expect(Object.values(apps).map((r) => r.name_label).sort()).toEqual(["app", "app", "paused-01"]);
    const err = await failureOf(sim(), "VM.get_all_records_where", s, 'field "name__label" = ');
    expect(err.slice(0, 2)).toEqual(["INVALID_VALUE", 'field "name__label" = ']);
  });

  it("makes pool.add_to_other_config an atomic test-and-set: one of many concurrent callers wins", async () => {
    const s = await login(sim());
    const [pool] = await rpc<string[]>(sim(), "pool.get_all", s);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => rpc(sim(), "pool.add_to_other_config", s, pool as string, "xsnap.lock/demo", `holder-${i}`)),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const err = await failureOf(sim(), "pool.add_to_other_config", s, pool as string, "xsnap.lock/demo", "late");
    expect(err).toEqual(["MAP_DUPLICATE_KEY", "pool", "other_config", pool, "xsnap.lock/demo"]);
    await rpc(sim(), "pool.remove_from_other_config", s, pool as string, "xsnap.lock/demo");
    await rpc(sim(), "pool.remove_from_other_config", s, pool as string, "xsnap.lock/demo");
    await rpc(sim(), "pool.add_to_other_config", s, pool as string, "xsnap.lock/demo", "again");
  });

  it("adds, removes and sets tags; add_tags is idempotent", async () => {
    const s = await login(sim());
    const vm = await refByName(sim(), s, "VM", "batch-01");
    await rpc(sim(), "VM.add_tags", s, vm, "nightly");
    await rpc(sim(), "VM.add_tags", s, vm, "nightly");
    expect(await rpc(sim(), "VM.get_tags", s, vm)).toEqual(["nightly"]);
    await rpc(sim(), "VM.set_tags", s, vm, ["a", "b"]);
    await rpc(sim(), "VM.remove_tags", s, vm, "a");
    expect(await rpc(sim(), "VM.get_tags", s, vm)).toEqual(["b"]);
  });

  it("offers setters only for RW fields", async () => {
    const s = await login(sim());
    const vm = await refByName(sim(), s, "VM", "batch-01");
    expect(await failureOf(sim(), "VM.set_power_state", s, vm, "Running")).toEqual(["MESSAGE_METHOD_UNKNOWN", "VM.set_power_state"]);
    await rpc(sim(), "VM.set_name_label", s, vm, "batch-01");
  });
});

describe("tasks and events (reference §1.7, §1.8)", () => {
  const sim = useSimulator({ taskMs: 200 });

  it("reports progress while pending, error_info on failure, and cancels cancellable tasks", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const task = await rpc<string>(sim(), "Async.VM.snapshot", s, web, "slow");
    const pending = await rpc<Rec>(sim(), "task.get_record", s, task);
    expect(pending).toMatchObject({ status: "pending", name_label: "Async.VM.snapshot", result: "" });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await rpc(sim(), "task.cancel", s, task);
    const done = await waitTask(sim(), s, task);
    expect(done).toMatchObject({ status: "cancelled", error_info: ["TASK_CANCELLED", task] });
    const batch = await refByName(sim(), s, "VM", "batch-01");
    const failing = await rpc<string>(sim(), "Async.VM.checkpoint", s, batch, "x");
    expect(await waitTask(sim(), s, failing)).toMatchObject({ status: "failure", error_info: ["VM_BAD_POWER_STATE", batch, "paused, suspended, running", "halted"], result: "" });
    await rpc(sim(), "task.destroy", s, failing);
    expect((await failureOf(sim(), "task.get_record", s, failing))[0]).toBe("HANDLE_INVALID");
  });

  it("shows a checkpointed Running VM as Suspended while its memory is saved, then Running again; progress advances", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    let token = await rpc<string>(sim(), "event.inject", s, "VM", web);
    const task = await rpc<string>(sim(), "Async.VM.checkpoint", s, web, "watched");
    const seen: unknown[] = [];
    const progress: number[] = [];
    for (;;) {
      const batch = await rpc<Rec>(sim(), "event.from", s, [`vm/${web}`, `task/${task}`], token, 5.0);
      token = batch.token as string;
      for (const e of batch.events as Rec[]) {
        if (e.class === "vm") seen.push((e.snapshot as Rec).power_state);
        if (e.class === "task") progress.push(Number((e.snapshot as Rec).progress));
      }
      if ((batch.events as Rec[]).some((e) => e.class === "task" && (e.snapshot as Rec).status !== "pending")) break;
    }
    expect(seen).toContain("Suspended");
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(progress[progress.length - 1]).toBe(1);
    expect(await rpc(sim(), "VM.get_power_state", s, web)).toBe("Running");
  });

  it("returns the void result of a finished task as <value></value>", async () => {
    const s = await login(sim());
    const batch = await refByName(sim(), s, "VM", "batch-01");
    const task = await rpc<string>(sim(), "Async.VM.start", s, batch, false, false);
    expect((await waitTask(sim(), s, task)).result).toBe("<value></value>");
    await rpc(sim(), "VM.hard_shutdown", s, batch);
  });

  it("event.from blocks until a subscribed object changes, then returns it with a new token and counts", async () => {
    const s = await login(sim());
    const [pool] = await rpc<string[]>(sim(), "pool.get_all", s);
    const token = await rpc<string>(sim(), "event.inject", s, "pool", pool as string);
    expect(token).toMatch(/^\d{20},\d{20}$/);
    const first = await rpc<Rec>(sim(), "event.from", s, ["pool"], token, 5.0);
    expect((first.events as Rec[])[0]).toMatchObject({ class: "pool", operation: "mod", ref: pool });
    const waiting = rpc<Rec>(sim(), "event.from", s, ["vm"], first.token as string, 5.0);
    const web = await refByName(sim(), s, "VM", "web-01");
    await rpc(sim(), "VM.set_name_description", s, web, "touched");
    const batch = await waiting;
    const events = batch.events as Rec[];
    expect(events.some((e) => e.ref === web && (e.snapshot as Rec).name_description === "touched")).toBe(true);
    expect(Number((batch.valid_ref_counts as Rec).vm)).toBeGreaterThan(10);
  });

  it("event.from with an empty token returns every object, and times out with no events", async () => {
    const s = await login(sim());
    const all = await rpc<Rec>(sim(), "event.from", s, ["SR"], "", 1.0);
    expect((all.events as Rec[]).every((e) => e.operation === "add" && e.class === "sr")).toBe(true);
    const none = await rpc<Rec>(sim(), "event.from", s, ["vmss"], all.token as string, 0.1);
    expect(none.events).toEqual([]);
    expect(await failureOf(sim(), "event.from", s, ["vm"], "garbage", 0.1)).toEqual(["EVENT_FROM_TOKEN_PARSE_FAILURE", "garbage"]);
    expect(await failureOf(sim(), "event.inject", s, "vm", "OpaqueRef:x")).toEqual(["HANDLE_INVALID", "vm", "OpaqueRef:x"]);
  });
});
