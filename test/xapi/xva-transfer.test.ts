// exportXva / importXva against the simulator: tasks, redirects, the task's error when a transfer fails.
import { Readable } from "node:stream";
import { connect, exportXva, importXva, isXapiError, type OpaqueRef, type XapiClient } from "../../src/xapi";
import { readXva } from "../../src/sim/xva";
import { useSimulator } from "../helpers/sim";

const MiB = 1024 * 1024;

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe("XVA transfers through the client", () => {
  const sim = useSimulator({
    customize: (b) => {
      const nfs = [...b.sim.db.table("SR")].find(([, r]) => r.name_label === "NFS store")?.[0] ?? "";
      b.vm({ name_label: "small", memory: 1024 ** 3, disks: [{ size: 3 * MiB, used: 3 * MiB, sr: nfs }] });
    },
  });
  let client: XapiClient;
  let snapshot: OpaqueRef;
  let nfs: OpaqueRef;
  const redirectNext = async (path: string): Promise<void> => {
    const res = await fetch(`${sim().url}/sim/redirect`, { method: "POST", body: JSON.stringify({ path, location: sim().url, times: 1 }) });
    expect(res.status).toBe(200);
  };
  const tasks = async (): Promise<number> => ((await client.call("task.get_all")) as string[]).length;

  beforeAll(async () => {
    client = await connect({ url: sim().url, username: "root", password: "xsnap" });
    const [small] = (await client.call("VM.get_by_name_label", ["small"])) as OpaqueRef[];
    snapshot = (await client.call("VM.snapshot", [small ?? "", "small for transfer"])) as OpaqueRef;
    [nfs] = (await client.call("SR.get_by_name_label", ["NFS store"])) as OpaqueRef[] as [OpaqueRef];
  });
  afterAll(async () => {
    await client.close();
  });

  it("exports a snapshot as a stream of a valid XVA, counts its bytes, and destroys its task", async () => {
    const before = await tasks();
    let seen = 0;
    const xport = await exportXva(client, { vm: snapshot, onBytes: (n) => (seen = n) });
    const xva = await collect(xport.stream);
    expect(xport.bytes()).toBe(xva.length);
    expect(seen).toBe(xva.length);
    const parsed = await readXva(Readable.from([xva]));
    expect(parsed.ova.objects.find((o) => o.class === "VM")?.snapshot.name_label).toBe("small for transfer");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await tasks()).toBe(before);
  });

  it("follows a 302 to the host that holds the VM", async () => {
    await redirectNext("/export");
    const xva = await collect((await exportXva(client, { vm: snapshot })).stream);
    expect(xva.subarray(0, 7).toString("latin1")).toBe("ova.xml");
  });

  it("asks the pool to gzip with compress", async () => {
    const xva = await collect((await exportXva(client, { vm: snapshot, compress: true })).stream);
    expect([...xva.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  });

  it("surfaces the task's error when the pool refuses the export", async () => {
    const [web] = (await client.call("VM.get_by_name_label", ["web-01"])) as OpaqueRef[];
    const error = await exportXva(client, { vm: web ?? ("" as OpaqueRef) }).catch((e: unknown) => e);
    expect(isXapiError(error, "VM_BAD_POWER_STATE")).toBe(true);
  });

  it("imports a stream with a task and returns the imported VM from the task's result, following a 302", async () => {
    const xva = await collect((await exportXva(client, { vm: snapshot })).stream);
    await redirectNext("/import");
    let opened = 0;
    const vms = await importXva(client, { body: () => { opened++; return Readable.from([xva]); }, length: xva.length, sr: nfs });
    expect(opened).toBe(2); // once for the redirected attempt, once for the real upload
    expect(vms).toHaveLength(1);
    expect(await client.call("VM.get_name_label", [vms[0] ?? ""])).toBe("small for transfer");
    expect(await client.call("VM.get_is_a_template", [vms[0] ?? ""])).toBe(true);
  });

  it("returns the imported VM when the pool finished and closed before the archive's trailing blocks were sent", async () => {
    // XAPI stops reading once every disk is covered (the tar's end blocks and padding stay unread),
    // completes the task and closes: the upload then breaks although the import succeeded.
    const xva = await collect((await exportXva(client, { vm: snapshot })).stream);
    let end = xva.length;
    while (end > 0 && xva[end - 1] === 0) end--;
    const firstEndBlock = Math.ceil(end / 512) * 512 + 512;
    let task: OpaqueRef | undefined;
    async function* body(): AsyncGenerator<Buffer> {
      yield xva.subarray(0, firstEndBlock);
      while (task === undefined || (await client.call("task.get_status", [task])) === "pending") await new Promise((resolve) => setTimeout(resolve, 10));
      yield xva.subarray(firstEndBlock);
    }
    const vms = await importXva(client, { body: () => Readable.from(body()), length: xva.length, sr: nfs, onTask: (t) => (task = t) });
    expect(vms).toHaveLength(1);
    expect(await client.call("VM.get_name_label", [vms[0] ?? ""])).toBe("small for transfer");
  });

  it("reports XAPI's refusal of an upload without a length (chunked) through the task", async () => {
    const error = await importXva(client, { body: () => Readable.from([Buffer.alloc(1024), Buffer.alloc(1024)]), sr: nfs }).catch((e: unknown) => e);
    expect(isXapiError(error, "IMPORT_ERROR_CANNOT_HANDLE_CHUNKED")).toBe(true);
  });

  it("throws the task's IMPORT_ERROR for a corrupt stream, and the pool keeps nothing", async () => {
    const xva = await collect((await exportXva(client, { vm: snapshot })).stream);
    const corrupt = Buffer.from(xva);
    corrupt[corrupt.length - 1024 - 600] ^= 0xff; // inside the last chunk of the disk
    const before = ((await client.call("VDI.get_all")) as string[]).length;
    const error = await importXva(client, { body: () => Readable.from([corrupt]), length: corrupt.length, sr: nfs }).catch((e: unknown) => e);
    expect(isXapiError(error)).toBe(true);
    expect((error as { code: string }).code).toMatch(/^IMPORT_ERROR/);
    expect(((await client.call("VDI.get_all")) as string[]).length).toBe(before);
  });
});
