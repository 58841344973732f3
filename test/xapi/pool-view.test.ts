/** The one batched read (DESIGN §2) of the simulator's `demo` fixture into a PoolView. */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { buildPoolView, connect, readPoolRecords, type PoolView, type XapiClient } from "../../src/xapi";
import { Session } from "../../src/xapi/session";
import type { CallOptions } from "../../src/xapi/transport";
import type { XapiValue } from "../../src/xapi/types";

const GiB = 1024 ** 3;
let sim: RunningSimulator;
let client: XapiClient;
let view: PoolView;
let callsDuringRead: Record<string, number> = {};

async function simCalls(): Promise<Record<string, number>> {
  return ((await (await fetch(`${sim.url}/sim/stats`)).json()) as { calls: Record<string, number> }).calls;
}

beforeAll(async () => {
  sim = await startSimulator({ fixture: "demo" });
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
  const before = await simCalls();
  view = await client.readPoolView();
  const after = await simCalls();
  callsDuringRead = Object.fromEntries(Object.entries(after).filter(([m, n]) => n !== (before[m] ?? 0)).map(([m, n]) => [m, n - (before[m] ?? 0)]));
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

const vmNamed = (name: string) => {
  const refs = view.vmsByName.get(name) ?? [];
  return refs.map((ref) => view.vms.get(ref)).filter((vm) => vm !== undefined);
};

describe("readPoolView", () => {
  it("reads the pool in one batch of get_all_records calls, whatever its size", () => {
    expect(callsDuringRead).toEqual(
      Object.fromEntries(["VM", "VDI", "VBD", "SR", "VMSS", "pool", "host"].map((c) => [`${c}.get_all_records`, 1])),
    );
  });

  it("reads the same view over XML-RPC, for hosts without JSON-RPC", async () => {
    const session = new Session(sim.url, { username: "root", password: "xsnap", originator: "xsnap", tls: {}, timeoutMs: 10_000 });
    try {
      const overXml = buildPoolView(await readPoolRecords({ call: (method, params, options) => session.call(method, params, options) }), view.readAt);
      expect(overXml).toEqual(view);
    } finally {
      await session.close();
    }
  });

  it("refuses an answer that is no map of records, rather than reading an empty class (a proxy or a broken host)", async () => {
    const session = new Session(sim.url, { username: "root", password: "xsnap", originator: "xsnap", tls: {}, timeoutMs: 10_000 });
    try {
      // Over XML-RPC (JSON-RPC: transport.test.ts): VMSS.get_all_records answers null, then a list; an empty map stays an empty class.
      for (const [wrong, shape] of [[null, "null"], [[], "an array"]] as const) {
        const reader = { call: (method: string, params?: readonly XapiValue[], options?: CallOptions) => (method === "VMSS.get_all_records" ? Promise.resolve(wrong as unknown as XapiValue) : session.call(method, params, options)) };
        await expect(readPoolRecords(reader)).rejects.toThrow(`BAD_RESPONSE talking to the pool: VMSS.get_all_records: the result is not a map of records (got ${shape})`);
      }
      const empty = { call: (method: string, params?: readonly XapiValue[], options?: CallOptions) => (method === "VMSS.get_all_records" ? Promise.resolve({}) : session.call(method, params, options)) };
      expect((await readPoolRecords(empty)).vmss.size).toBe(0);
    } finally {
      await session.close();
    }
  });

  it("names the pool, its master and the master's XAPI version", () => {
    expect(view.pool.name_label).toBe("demo-pool");
    expect(view.hosts.get(view.pool.master)?.name_label).toBe("xcp-host-1");
    expect(view.xapiVersion).toBe("26.1.16");
    expect(view.srs.get(view.pool.default_SR)?.name_label).toBe("Local storage");
    expect(view.srs.get(view.pool.suspend_image_SR)?.name_label).toBe("NFS store");
  });

  it("types fields: int64 as numbers, booleans, datetimes as Dates, maps and sets", () => {
    const [web] = vmNamed("web-01");
    expect(web?.memory_static_max).toBe(2 * GiB);
    expect(web?.power_state).toBe("Running");
    expect(web?.is_a_snapshot).toBe(false);
    expect(web?.tags).toEqual(["web", "prod"]);
    const [manual] = vmNamed("web-01 manual");
    expect(manual?.is_a_snapshot).toBe(true);
    expect(manual?.snapshot_time).toEqual(new Date(Date.UTC(2026, 0, 20, 9, 30)));
    const nfs = [...view.srs.values()].find((sr) => sr.name_label === "NFS store");
    expect(nfs?.physical_size).toBe(2 * 1024 * GiB);
    expect(typeof nfs?.shared).toBe("boolean");
  });

  it("indexes snapshots by their VM, VMs by name (two named app) and everything by uuid", () => {
    const [web] = vmNamed("web-01");
    const [manual] = vmNamed("web-01 manual");
    expect(view.snapshotsOf.get(web?.ref ?? ("" as never))).toEqual([manual?.ref]);
    expect(vmNamed("app")).toHaveLength(2);
    expect(view.byUuid.get(web?.uuid ?? ("" as never))).toEqual({ class: "VM", ref: web?.ref });
    expect(view.byUuid.get(view.pool.uuid)).toEqual({ class: "pool", ref: view.pool.ref });
  });

  it("links schedules, disks and SRs by ref", () => {
    const schedule = [...view.vmss.values()].find((s) => s.name_label === "legacy-hourly");
    const [batch] = vmNamed("batch-01");
    expect(schedule?.VMs).toEqual([batch?.ref]);
    expect(schedule?.retained_snapshots).toBe(3);
    const [db] = vmNamed("db-01");
    const disks = (db?.VBDs ?? []).map((vbd) => view.vbds.get(vbd)).filter((vbd) => vbd?.type === "Disk");
    expect(disks.map((vbd) => view.srs.get(view.vdis.get(vbd?.VDI ?? ("" as never))?.SR ?? ("" as never))?.name_label)).toEqual(["Local storage", "Local storage"]);
  });

  it("keeps no snapshot_metadata and hands out frozen records", () => {
    const [manual] = vmNamed("web-01 manual");
    expect(manual && "snapshot_metadata" in manual).toBe(false);
    expect(Object.isFrozen(manual)).toBe(true);
    expect(Object.isFrozen(manual?.other_config)).toBe(true);
  });
});
