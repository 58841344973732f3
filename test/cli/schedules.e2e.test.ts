// examples/schedules through the real CLI and a real simulator process (issue 11's Done-when): two
// schedules created exactly as configured (the filter data source picks the tagged VMs), every
// attribute edited in place keeping the VMSS uuids, two VMSS.snapshot_now runs then a revert of
// web-01 to the newest scheduled snapshot from config alone, and removal detaching and destroying.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "../../src/cdktf";
import { SchedulesStack } from "../../examples/schedules/main";
import { connect, type XapiClient } from "../../src/xapi";
import type { PoolView, VmssRecord } from "../../src/xapi/records";
import { isNullRef } from "../../src/xapi/types";
import { startSim, stackDir, xsnap, type Sim } from "./harness";

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";

type Doc = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
};

describe("examples/schedules on the demo pool", () => {
  let sim: Sim;
  let dir: string;
  let env: Record<string, string>;
  let client: XapiClient;
  let doc: Doc;
  const uuids: Record<string, string> = {};

  const config = (): string => join(dir, "cdk.tf.json");
  const write = (): void => writeFileSync(config(), JSON.stringify(doc));
  const view = (): Promise<PoolView> => client.readPoolView();
  const calls = async (method: string): Promise<number> =>
    ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls[method] ?? 0;
  const vmssNamed = (v: PoolView, name: string): VmssRecord | undefined => [...v.vmss.values()].find((s) => s.name_label === name);
  const vmNames = (v: PoolView, s: VmssRecord | undefined): string[] => (s?.VMs ?? []).map((r) => v.vms.get(r)?.name_label ?? r).sort();
  const vmRef = (v: PoolView, name: string): string => [...v.vms.values()].find((x) => x.name_label === name && !x.is_a_snapshot && !x.is_a_template)?.ref ?? "";
  /** The nightly schedule's registry entry `xsnap.vmss/<stack>/xapi_snapshot_schedule.nightly`. */
  const entry = (v: PoolView): string | undefined => Object.entries(v.pool.other_config).find(([k]) => /^xsnap\.vmss\/[^/]+\/xapi_snapshot_schedule\.nightly$/.test(k))?.[1];
  const plan = (): ReturnType<typeof xsnap> => xsnap(["plan", "--config", config(), "--detailed-exitcode"], { env });
  const apply = async (): Promise<void> => {
    const run = await xsnap(["apply", "--config", config(), "--auto-approve"], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  };
  const expectNoChanges = async (): Promise<void> => {
    const run = await plan();
    expect(run.stdout).toContain(NO_CHANGES);
    expect(run.code).toBe(0);
  };

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("schedules");
    env = { XAPI_URL: sim.url, XAPI_USERNAME: "root" };
    client = await connect({ url: sim.url, username: "root", password: "xsnap" });
    // The demo fixture tags no VM "nightly": tag web-01 and batch-01 (batch-01 sits in the unmanaged "legacy-hourly").
    const v = await view();
    for (const name of ["web-01", "batch-01"]) await client.call("VM.add_tags", [vmRef(v, name), "nightly"]);
    doc = JSON.parse(Testing.synth(new SchedulesStack(Testing.app(), "schedules"))) as Doc;
    write();
  });
  afterAll(async () => {
    await client?.close();
    await sim.stop();
  });

  it("plans both schedules in words, warning that batch-01 leaves the unmanaged legacy-hourly", async () => {
    const run = await xsnap(["plan", "--config", config()], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\(daily at 02:30, keeps 7; snapshots (web-01, batch-01|batch-01, web-01)\)/);
    expect(run.stdout).toContain("(weekly on Wednesday and Saturday at 04:00, keeps 4; checkpoints db-01)");
    expect(run.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(`${run.stdout}${run.stderr}`).toContain('xapi_snapshot_schedule.nightly: VM "batch-01" is in the unmanaged schedule "legacy-hourly"');
  });

  it("creates the two schedules exactly as configured", async () => {
    await apply();
    const v = await view();
    const nightly = vmssNamed(v, "nightly");
    const weekly = vmssNamed(v, "db weekly checkpoint");
    expect(nightly).toMatchObject({ type: "snapshot", frequency: "daily", schedule: { hour: "2", min: "30" }, retained_snapshots: 7, enabled: true });
    expect(vmNames(v, nightly)).toEqual(["batch-01", "web-01"]);
    expect(weekly).toMatchObject({ type: "checkpoint", frequency: "weekly", schedule: { hour: "4", min: "0", days: "Wednesday,Saturday" }, retained_snapshots: 4, enabled: true });
    expect(vmNames(v, weekly)).toEqual(["db-01"]);
    expect(vmNames(v, vmssNamed(v, "legacy-hourly"))).toEqual([]);
    uuids.nightly = nightly?.uuid ?? "";
    uuids.weekly = weekly?.uuid ?? "";
    expect(JSON.parse(entry(v) ?? "{}")).toMatchObject({ uuid: uuids.nightly });
    await expectNoChanges();
  });

  it("edits every attribute in place, frequency and schedule together both ways, keeping the uuids", async () => {
    const r = doc.resource.xapi_snapshot_schedule as Record<string, Record<string, unknown>>;
    Object.assign(r.nightly as object, {
      name_label: "nightly-2", name_description: "edited", type: "checkpoint", frequency: "weekly",
      schedule: { hour: 5, min: 15, days: ["Friday", "Monday"] }, retained_snapshots: 3, enabled: false,
    });
    Object.assign(r.db_weekly as object, { frequency: "hourly", schedule: { min: 45 }, type: "snapshot", retained_snapshots: 10, vms: ["db-01", "paused-01"] });
    write();
    const planned = await plan();
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("Plan: 0 to add, 2 to change, 0 to destroy.");
    expect(planned.stdout).toContain("(weekly on Monday and Friday at 05:15, keeps 3, disabled; checkpoints");
    expect(planned.stdout).toContain("(hourly at :45, keeps 10; snapshots db-01, paused-01)");
    await apply();
    const v = await view();
    const nightly = vmssNamed(v, "nightly-2");
    const weekly = vmssNamed(v, "db weekly checkpoint");
    expect(nightly).toMatchObject({ uuid: uuids.nightly, name_description: "edited", type: "checkpoint", frequency: "weekly",
      schedule: { hour: "5", min: "15", days: "Friday,Monday" }, retained_snapshots: 3, enabled: false });
    expect(weekly).toMatchObject({ uuid: uuids.weekly, type: "snapshot", frequency: "hourly", schedule: { min: "45" }, retained_snapshots: 10 });
    expect(vmNames(v, weekly)).toEqual(["db-01", "paused-01"]);
    await expectNoChanges();
    // And back: weekly → daily (set_frequency drops `days`, set_schedule sets the rest).
    Object.assign(r.nightly as object, { frequency: "daily", schedule: { hour: 1, min: 0 }, enabled: true });
    write();
    await apply();
    expect((await view()).vmss.get(nightly?.ref as never)).toMatchObject({ uuid: uuids.nightly, frequency: "daily", schedule: { hour: "1", min: "0" }, enabled: true });
    await expectNoChanges();
  });

  it("reverts web-01 to the newest of two scheduled snapshots from config alone", async () => {
    const ref = vmssNamed(await view(), "nightly-2")?.ref ?? "";
    await client.call("VMSS.snapshot_now", [ref]);
    await new Promise((r) => setTimeout(r, 1100));
    await client.call("VMSS.snapshot_now", [ref]);
    const v = await view();
    const web = v.vms.get(vmRef(v, "web-01") as never);
    const taken = (v.snapshotsOf.get(web?.ref ?? ("" as never)) ?? []).map((s) => v.vms.get(s)).filter((s) => s?.is_vmss_snapshot).sort((a, b) => (b?.snapshot_time.getTime() ?? 0) - (a?.snapshot_time.getTime() ?? 0));
    expect(taken).toHaveLength(2);
    doc.data = { ...doc.data, xapi_snapshot: { latest: { vm: "web-01", schedule: "nightly-2", most_recent: true } } };
    doc.resource.xapi_vm_revert = { web_latest: { vm: "web-01", snapshot: "${data.xapi_snapshot.latest.uuid}", revert_token: "latest-1" } };
    write();
    const planned = await xsnap(["plan", "--config", config()], { env });
    expect(planned.stdout).toContain(`reverts web-01 to "${taken[0]?.name_label ?? "?"}"`);
    await apply();
    expect(await calls("Async.VM.revert")).toBe(1);
    const after = await view();
    expect(after.vms.get(vmRef(after, "web-01") as never)?.parent).toBe(taken[0]?.ref);
    await expectNoChanges();
    const tree = (await xsnap(["inventory", "--vm", "web-01"], { env })).stdout;
    expect(tree).toContain('schedule "nightly-2" (keeps 3)');
  });

  it("with most_recent = false, the two scheduled snapshots are listed in the error", async () => {
    (doc.data?.xapi_snapshot?.latest as Record<string, unknown>).most_recent = false;
    write();
    const run = await plan();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('data.xapi_snapshot.latest: 2 snapshots of VM "web-01" match (taken by schedule "nightly-2") and most_recent is false');
    (doc.data?.xapi_snapshot?.latest as Record<string, unknown>).most_recent = true;
  });

  it("removing a schedule detaches its VMs and destroys it", async () => {
    delete (doc.resource.xapi_snapshot_schedule as Record<string, unknown>).nightly;
    delete doc.resource.xapi_vm_revert;
    delete doc.data?.xapi_snapshot;
    write();
    const planned = await plan();
    expect(planned.stdout).toContain("Plan: 0 to add, 0 to change, 2 to destroy.");
    expect(planned.stdout).toMatch(/\(detaches (web-01, batch-01|batch-01, web-01), then destroys the schedule "nightly-2"\)/);
    await apply();
    const v = await view();
    expect(vmssNamed(v, "nightly-2")).toBeUndefined();
    for (const name of ["web-01", "batch-01"]) expect(isNullRef(v.vms.get(vmRef(v, name) as never)?.snapshot_schedule ?? "")).toBe(true);
    expect(entry(v)).toBeUndefined();
    expect(vmssNamed(v, "db weekly checkpoint")?.uuid).toBe(uuids.weekly);
    await expectNoChanges();
  });
});
