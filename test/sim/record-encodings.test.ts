/**
 * get_all_records keeps each record's encoding for the next call: after any write (a setter, a VMSS
 * or VDI change, a destroy, a snapshot that changes the reverse fields) both wire formats and
 * get_record show the new values, never the kept bytes.
 */
import { login, refByName, rpc, useSimulator, type RunningSimulator } from "../helpers/sim";

type Rec = Record<string, unknown>;

async function jsonRpc<T>(sim: RunningSimulator, method: string, ...params: unknown[]): Promise<T> {
  const res = await fetch(`${sim.url}/jsonrpc`, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }) });
  const body = (await res.json()) as { result?: T; error?: unknown };
  if (body.error !== undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result as T;
}

/** The record as get_all_records answers it over JSON-RPC and XML-RPC, and as get_record does. */
async function seen(sim: RunningSimulator, s: string, cls: string, ref: string): Promise<(Rec | undefined)[]> {
  const viaJson = await jsonRpc<Record<string, Rec>>(sim, `${cls}.get_all_records`, s);
  const viaXml = await rpc<Record<string, Rec>>(sim, `${cls}.get_all_records`, s);
  const exists = (await rpc<string[]>(sim, `${cls}.get_all`, s)).includes(ref);
  return [viaJson[ref], viaXml[ref], exists ? await jsonRpc<Rec>(sim, `${cls}.get_record`, s, ref) : undefined];
}

describe.each([
  ["kept encodings", { encodingBudgetBytes: 64 * 1024 * 1024 }],
  ["a budget too small to keep any", { encodingBudgetBytes: 1 }],
  ["no cache (the default)", {}],
])("get_all_records with %s", (_why, options) => {
  const sim = useSimulator(options);

  it("shows a field set by an API call", async () => {
    const s = await login(sim());
    const vm = await refByName(sim(), s, "VM", "web-01");
    expect((await seen(sim(), s, "VM", vm)).map((r) => r?.name_label)).toEqual(["web-01", "web-01", "web-01"]);
    const budget = (options as { encodingBudgetBytes?: number }).encodingBudgetBytes ?? 0;
    expect(sim().sim.db.encodings.size > 0).toBe(budget > 1024 * 1024); // the first call kept what it encoded
    await rpc(sim(), "VM.set_name_label", s, vm, 'web "01" <renamed>');
    await rpc(sim(), "VM.add_to_other_config", s, vm, "k", "v");
    for (const rec of await seen(sim(), s, "VM", vm)) {
      expect(rec?.name_label).toBe('web "01" <renamed>');
      expect(rec?.other_config).toMatchObject({ k: "v" });
    }
  });

  it("shows a VMSS change on the schedule and on the VM it now holds", async () => {
    const s = await login(sim());
    const vm = await refByName(sim(), s, "VM", "db-01");
    const vmss = await rpc<string>(sim(), "VMSS.create", s, { name_label: "nightly", type: "snapshot", frequency: "daily", schedule: { hour: "07" } });
    await seen(sim(), s, "VMSS", vmss);
    await seen(sim(), s, "VM", vm);
    await rpc(sim(), "VM.set_snapshot_schedule", s, vm, vmss);
    await rpc(sim(), "VMSS.set_retained_snapshots", s, vmss, 3);
    for (const rec of await seen(sim(), s, "VMSS", vmss)) {
      expect(rec?.VMs).toEqual([vm]);
      expect(Number(rec?.retained_snapshots)).toBe(3); // XML-RPC sends an int64 as a string
    }
    for (const rec of await seen(sim(), s, "VM", vm)) expect(rec?.snapshot_schedule).toBe(vmss);
  });

  it("shows a VDI change, a new snapshot in the reverse fields and a destroy", async () => {
    const s = await login(sim());
    const vm = await refByName(sim(), s, "VM", "batch-01");
    const [vbd] = await rpc<string[]>(sim(), "VM.get_VBDs", s, vm);
    const vdi = await rpc<string>(sim(), "VBD.get_VDI", s, String(vbd));
    await seen(sim(), s, "VDI", vdi);
    await rpc(sim(), "VDI.add_to_other_config", s, vdi, "backup", "yes");
    for (const rec of await seen(sim(), s, "VDI", vdi)) expect(rec?.other_config).toMatchObject({ backup: "yes" });
    const snap = await rpc<string>(sim(), "VM.snapshot", s, vm, "before");
    for (const rec of await seen(sim(), s, "VM", vm)) expect(rec?.snapshots).toContain(snap);
    await rpc(sim(), "VM.destroy", s, snap);
    expect(await seen(sim(), s, "VM", snap)).toEqual([undefined, undefined, undefined]);
    for (const rec of await seen(sim(), s, "VM", vm)) expect(rec?.snapshots).not.toContain(snap);
  });
});
