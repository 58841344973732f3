import { failureOf, login, refByName, rpc, useSimulator } from "../helpers/sim";

type Rec = Record<string, unknown>;

describe("VMSS (reference §2.5, §3.9, §3.10, §6)", () => {
  const sim = useSimulator();

  it("creates a schedule with defaults filled in for its frequency", async () => {
    const s = await login(sim());
    const ref = await rpc<string>(sim(), "VMSS.create", s, { name_label: "nightly", type: "snapshot", frequency: "daily", schedule: { hour: "07" } });
    const rec = await rpc<Rec>(sim(), "VMSS.get_record", s, ref);
    expect(rec).toMatchObject({ name_label: "nightly", type: "snapshot", frequency: "daily", retained_snapshots: "7", enabled: true, schedule: { hour: "07", min: "0" } });
    expect(rec.last_run_time).toEqual(new Date(0));
  });

  it.each([
    ["an hourly minute outside 0/15/30/45", { frequency: "hourly", schedule: { min: "10" } }, ["schedule:min", "10"]],
    ["an hour above 23", { frequency: "daily", schedule: { hour: "24" } }, ["schedule:hour", "24"]],
    ["a key the frequency does not allow", { frequency: "hourly", schedule: { hour: "3" } }, ["schedule:hour", "3"]],
    ["a duplicated weekday", { frequency: "weekly", schedule: { days: "monday,Monday" } }, ["schedule:days", "monday,Monday"]],
    ["retention above 10", { frequency: "hourly", schedule: {}, retained_snapshots: "11" }, ["retained_snapshots", "11"]],
    ["retention 0", { frequency: "hourly", schedule: {}, retained_snapshots: "0" }, ["retained_snapshots", "0"]],
  ])("refuses %s with INVALID_VALUE", async (_why, args, params) => {
    const s = await login(sim());
    expect(await failureOf(sim(), "VMSS.create", s, { name_label: "bad", type: "snapshot", ...args })).toEqual(["INVALID_VALUE", ...params]);
  });

  it("normalises weekday names and drops keys a new frequency does not allow", async () => {
    const s = await login(sim());
    const ref = await rpc<string>(sim(), "VMSS.create", s, { name_label: "weekly", type: "checkpoint", frequency: "weekly", schedule: { days: "monday,FRIDAY", hour: "3", min: "15" } });
    expect(await rpc(sim(), "VMSS.get_schedule", s, ref)).toEqual({ days: "Monday,Friday", hour: "3", min: "15" });
    await rpc(sim(), "VMSS.set_frequency", s, ref, "hourly");
    expect(await rpc(sim(), "VMSS.get_schedule", s, ref)).toEqual({ min: "15" });
    expect(await failureOf(sim(), "VMSS.set_retained_snapshots", s, ref, "12")).toEqual(["INVALID_VALUE", "retained_snapshots", "12"]);
    await rpc(sim(), "VMSS.destroy", s, ref);
  });

  it("refuses to destroy a schedule that still has VMs: VMSS_HAS_VM", async () => {
    const s = await login(sim());
    const legacy = await refByName(sim(), s, "VMSS", "legacy-hourly");
    expect(await failureOf(sim(), "VMSS.destroy", s, legacy)).toEqual(["VMSS_HAS_VM"]);
  });

  it("assigns VMs with VM.set_snapshot_schedule, moves them silently, and refuses snapshots and bad refs", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const a = await rpc<string>(sim(), "VMSS.create", s, { name_label: "a", type: "snapshot", frequency: "hourly", schedule: {} });
    const b = await rpc<string>(sim(), "VMSS.create", s, { name_label: "b", type: "snapshot", frequency: "hourly", schedule: {} });
    await rpc(sim(), "VM.set_snapshot_schedule", s, web, a);
    await rpc(sim(), "VM.set_snapshot_schedule", s, web, b);
    expect(await rpc(sim(), "VMSS.get_VMs", s, a)).toEqual([]);
    expect(await rpc(sim(), "VMSS.get_VMs", s, b)).toEqual([web]);
    const manual = await refByName(sim(), s, "VM", "web-01 manual");
    expect(await failureOf(sim(), "VM.set_snapshot_schedule", s, manual, a)).toEqual(["VM_IS_TEMPLATE", manual]);
    expect(await failureOf(sim(), "VM.set_snapshot_schedule", s, web, "OpaqueRef:bogus")).toEqual(["INVALID_VALUE", "OpaqueRef:bogus"]);
    await rpc(sim(), "VM.set_snapshot_schedule", s, web, "OpaqueRef:NULL");
    expect(await rpc(sim(), "VMSS.get_VMs", s, b)).toEqual([]);
  });

  it("snapshot_now takes is_vmss_snapshot snapshots and prunes to retained_snapshots, never manual ones", async () => {
    const s = await login(sim());
    const batch = await refByName(sim(), s, "VM", "batch-01");
    const legacy = await refByName(sim(), s, "VMSS", "legacy-hourly");
    const manual = await rpc<string>(sim(), "VM.snapshot", s, batch, "manual keep");
    for (let i = 0; i < 5; i++) {
      await rpc(sim(), "VMSS.snapshot_now", s, legacy);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const snaps = await Promise.all((await rpc<string[]>(sim(), "VM.get_snapshots", s, batch)).map((r) => rpc<Rec>(sim(), "VM.get_record", s, r)));
    expect(snaps.filter((r) => r.is_vmss_snapshot === true)).toHaveLength(3);
    expect(snaps.some((r) => r.name_label === "manual keep")).toBe(true);
    expect(await rpc(sim(), "VM.get_is_vmss_snapshot", s, manual)).toBe(false);
    expect((await rpc<Date>(sim(), "VMSS.get_last_run_time", s, legacy)).getTime()).toBeGreaterThan(0);
  });
});
