import { get } from "node:http";
import { Readable } from "node:stream";
import { login, refByName, rpc, useSimulator, waitTask } from "../helpers/sim";
import { readXva } from "../../src/sim/xva";

type Rec = Record<string, unknown>;

async function download(url: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe("GET /export and PUT /import (reference §3.13)", () => {
  const sim = useSimulator({
    customize: (b) => {
      const sr = [...b.sim.db.table("SR")].find(([, r]) => r.name_label === "NFS store")?.[0] ?? "";
      b.vm({ name_label: "small", memory: 1024 ** 3, disks: [{ size: 3 * 1024 * 1024 + 512, used: 3 * 1024 * 1024, sr }] });
      b.vm({ name_label: "wide", memory: 1024 ** 3, disks: [{ size: 256 * 1024 * 1024, sr }] });
    },
  });

  it("streams a verifiable XVA of a snapshot whose VM record is a template but no longer a snapshot", async () => {
    const s = await login(sim());
    const small = await refByName(sim(), s, "VM", "small");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, small, "to export");
    const task = await rpc<string>(sim(), "task.create", s, "export", "");
    const res = await download(`${sim().url}/export?session_id=${s}&ref=${snap}&task_id=${task}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("task-id")).toBe(task);
    const chunks: { disk: string; offset: number; data: Buffer }[] = [];
    const parsed = await readXva(Readable.from([res.body]), { onChunk: (c) => void chunks.push(c) });
    const vm = parsed.ova.objects.find((o) => o.class === "VM")?.snapshot as Rec;
    expect(vm).toMatchObject({ is_a_snapshot: false, is_a_template: true, snapshot_of: "OpaqueRef:NULL", power_state: "Halted", name_label: "to export" });
    expect(parsed.ova.objects.filter((o) => o.class === "VDI")).toHaveLength(1);
    expect([...parsed.disks.values()][0]?.size).toBe(3 * 1024 * 1024 + 512);
    expect(chunks[0]?.data.subarray(0, 14).toString()).toBe("XAPI-SIM-DISK ");
    expect(await waitTask(sim(), s, task)).toMatchObject({ status: "success", progress: 1 });
  });

  it("refuses to export a Running VM: HTTP 500 and the task fails with VM_BAD_POWER_STATE", async () => {
    const s = await login(sim());
    const web = await refByName(sim(), s, "VM", "web-01");
    const task = await rpc<string>(sim(), "task.create", s, "export", "");
    const res = await download(`${sim().url}/export?session_id=${s}&uuid=${await rpc<string>(sim(), "VM.get_uuid", s, web)}&task_id=${task}`);
    expect(res.status).toBe(500);
    expect((await waitTask(sim(), s, task)).error_info).toEqual(["VM_BAD_POWER_STATE", web, "halted, suspended", "running"]);
  });

  it("fails the export's task and frees the snapshot when the client dies mid-stream (a real pool survives a killed client)", async () => {
    const s = await login(sim());
    const wide = await refByName(sim(), s, "VM", "wide");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, wide, "abandoned export");
    // Far more data than the socket buffers hold, so the pool is still writing when the client dies.
    await fetch(`${sim().url}/sim/disks`, { method: "POST", body: JSON.stringify({ vdi: await firstDiskOf(s, snap), synthetic_bytes: 64 * 1024 * 1024 }) });
    const task = await rpc<string>(sim(), "task.create", s, "export", "");
    await new Promise<void>((resolve) => {
      const req = get(`${sim().url}/export?session_id=${s}&ref=${snap}&task_id=${task}`, (res) => {
        res.once("data", () => req.destroy());   // what kill -9 does to the socket
      });
      req.on("error", () => undefined);
      req.on("close", resolve);
    });
    expect(await waitTask(sim(), s, task)).toMatchObject({ status: "failure" });
    expect(await rpc(sim(), "VM.get_current_operations", s, snap)).toEqual({});
    await rpc(sim(), "VM.destroy", s, snap);   // not held by an export nobody reads
    expect((await download(`${sim().url}/export?session_id=${s}&ref=${await rpc<string>(sim(), "VM.snapshot", s, wide, "next export")}`)).status).toBe(200);
  });

  async function firstDiskOf(s: string, vm: string): Promise<string> {
    for (const vbd of await rpc<string[]>(sim(), "VM.get_VBDs", s, vm)) {
      if ((await rpc<string>(sim(), "VBD.get_type", s, vbd)) === "Disk") return rpc<string>(sim(), "VBD.get_VDI", s, vbd);
    }
    throw new Error(`${vm} has no disk`);
  }

  it("answers 401 without a valid session", async () => {
    expect((await download(`${sim().url}/export?session_id=OpaqueRef:nope&ref=x`)).status).toBe(401);
  });

  it("imports an exported snapshot back as a template with new uuids, and refuses a corrupt archive", async () => {
    const s = await login(sim());
    const small = await refByName(sim(), s, "VM", "small");
    const snap = await rpc<string>(sim(), "VM.snapshot", s, small, "round trip");
    const xva = (await download(`${sim().url}/export?session_id=${s}&ref=${snap}`)).body;
    const local = await refByName(sim(), s, "SR", "NFS store");
    const task = await rpc<string>(sim(), "task.create", s, "import", "");
    const put = await fetch(`${sim().url}/import?session_id=${s}&sr_id=${local}&task_id=${task}`, { method: "PUT", body: xva });
    expect(put.status).toBe(200);
    const done = await waitTask(sim(), s, task);
    const imported = /OpaqueRef:[0-9a-f-]+/.exec(String(done.result))?.[0] ?? "";
    const rec = await rpc<Rec>(sim(), "VM.get_record", s, imported);
    expect(rec).toMatchObject({ name_label: "round trip", is_a_template: true, is_a_snapshot: false, power_state: "Halted" });
    expect(rec.uuid).not.toBe(await rpc(sim(), "VM.get_uuid", s, snap));
    const corrupt = Buffer.from(xva);
    corrupt[corrupt.length - 2048 - 700] ^= 0xff;
    const before = (await rpc<string[]>(sim(), "VM.get_all", s)).length;
    const task2 = await rpc<string>(sim(), "task.create", s, "import", "");
    const bad = await fetch(`${sim().url}/import?session_id=${s}&sr_id=${local}&task_id=${task2}`, { method: "PUT", body: corrupt });
    expect(bad.status).toBe(200); // xapi answers before reading the body: the task is the outcome
    expect(((await waitTask(sim(), s, task2)).error_info as string[])[0]).toBe("IMPORT_ERROR");
    expect((await rpc<string[]>(sim(), "VM.get_all", s)).length).toBe(before);
  });
});
