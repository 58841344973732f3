// `xsnap recover` from the CLI: operations left by a killed apply, listed, adopted and discarded
// (DESIGN §4/§5, exit 6), against a real simulator process.
import type { ChildProcess } from "node:child_process";
import { intentKey } from "../../src/engine";
import { connect, type XapiClient } from "../../src/xapi";
import type { PoolView } from "../../src/xapi/records";
import { startSim, stackDir, writeStack, xsnap, type Sim } from "./harness";

let sim: Sim;
let client: XapiClient;

beforeAll(async () => {
  sim = await startSim(["--task-ms", "1000"]);
  client = await connect({ url: sim.url, username: "root", password: "xsnap" });
});
afterAll(async () => {
  await client.close();
  await sim.stop();
});

const snapshotsNamed = (view: PoolView, name: string): string[] =>
  [...view.vms.values()].filter((v) => v.is_a_snapshot && v.name_label === name).map((v) => v.uuid);
/** Intent records of the stack (the task keys beside them are counted apart). */
const pendingKeys = (view: PoolView, stack: string): string[] => Object.keys(view.pool.other_config).filter((k) => k.startsWith(`xsnap.pending/${stack}/`) && !k.includes("#task"));
const taskKeys = (view: PoolView, stack: string): string[] => Object.keys(view.pool.other_config).filter((k) => k.startsWith(`xsnap.pending/${stack}/`) && k.includes("#task"));

/** Polls the pool until `test` holds: the simulator finishes a task after --task-ms. */
async function poolUntil(test: (view: PoolView) => boolean): Promise<PoolView> {
  for (;;) {
    const view = await client.readPoolView();
    if (test(view)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const webUuid = async (): Promise<string> => {
  const view = await client.readPoolView();
  return [...view.vms.values()].find((v) => v.name_label === "web-01" && !v.is_a_snapshot)?.uuid ?? "";
};

describe("xsnap recover after an apply killed while its snapshot task ran", () => {
  let config = "";
  let id = "";
  beforeAll(() => {
    config = writeStack(stackDir("killed"), { url: sim.url, stack: "killed", resources: { xapi_snapshot: { db: { vm: "db-01", name_label: "killed mid-task" } } } });
  });

  it("shows the task ref on the progress line, and leaves an intent behind when killed", async () => {
    let child: ChildProcess | undefined;
    const run = await xsnap(["apply", "--config", config, "--auto-approve"], {
      onSpawn: (c) => { child = c; },
      onStdout: (out) => { if (/\[task=OpaqueRef:[0-9a-f-]+\]/.test(out)) child?.kill("SIGKILL"); },
    });
    expect(run.stdout).toMatch(/^xapi_snapshot\.db: Creating\.\.\. \[task=OpaqueRef:[0-9a-f-]+\]$/m);
    expect(run.stdout).not.toContain("Creation complete");
    const view = await poolUntil((v) => snapshotsNamed(v, "killed mid-task").length === 1);
    expect(pendingKeys(view, "killed")).toHaveLength(1);
  });

  it("lists the operation without the lock (still held by the killed run), with what each choice does; exit 0: apply can settle it", async () => {
    const run = await xsnap(["recover", "--config", config]);
    expect(run.code).toBe(0);
    id = /^ {2}(\S+) {2}xapi_snapshot\.db: create started \S+ \[the next apply adopts it\]$/m.exec(run.stdout)?.[1] ?? "";
    expect(id).not.toBe("");
    const [uuid] = snapshotsNamed(await client.readPoolView(), "killed mid-task");
    expect(run.stdout).toContain(`--adopt ${id}: claims ${uuid} as xapi_snapshot.db; the next apply records its configuration`);
    expect(run.stdout).toContain(`--discard ${id}: uninstalls ${uuid} with its disks and removes the record`);
  });

  it("refuses to settle it while the killed run's lock is held (exit 3)", async () => {
    const run = await xsnap(["recover", "--config", config, "--discard", id]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('stack "killed" is locked');
  });

  it("discards it once unlocked: the half-made snapshot is uninstalled with its disks, and the next plan creates afresh", async () => {
    const status = await xsnap(["lock", "status", "--config", config]);
    const lockId = /ID: +(\S+)/.exec(status.stdout)?.[1] ?? "";
    expect((await xsnap(["force-unlock", lockId, "--force", "--config", config])).code).toBe(0);
    const before = await client.readPoolView();
    const run = await xsnap(["recover", "--config", config, "--discard", id]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Discarded pending operation ${id} for xapi_snapshot.db: uninstalled`);
    const after = await client.readPoolView();
    expect({ snapshots: snapshotsNamed(after, "killed mid-task"), pending: pendingKeys(after, "killed"), tasks: taskKeys(after, "killed") }).toEqual({ snapshots: [], pending: [], tasks: [] });
    expect(after.vdis.size).toBeLessThan(before.vdis.size);
    expect((await xsnap(["recover", "--config", config])).stdout).toContain('No pending operations for stack "killed"');
    expect((await xsnap(["plan", "--config", config])).stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
  });
});

describe("xsnap recover with an ambiguous operation", () => {
  let config = "";
  const id = "6d1f0c52-0000-4000-8000-000000000001";
  const twins: string[] = [];

  beforeAll(async () => {
    config = writeStack(stackDir("ambiguous"), { url: sim.url, stack: "ambiguous", resources: { xapi_snapshot: { web: { vm: "web-01", name_label: "twin" } } } });
    // What a killed apply leaves when, meanwhile, someone took a look-alike by hand: two unmarked
    // snapshots with the expected name, so nobody can tell which one the apply created.
    const vmRef = String(await client.call("VM.get_by_uuid", [await webUuid()]));
    for (let i = 0; i < 2; i++) {
      const ref = String(await client.call("VM.snapshot", [vmRef, "twin"]));
      twins.push(String(await client.call("VM.get_uuid", [ref])));
    }
    const [pool] = (await client.call("pool.get_all")) as string[];
    const record = { op: "create", address: "xapi_snapshot.web", type: "xapi_snapshot", started: new Date().toISOString(), vm: await webUuid(), expected_name: "twin", existing: [] };
    await client.call("pool.add_to_other_config", [pool ?? "", intentKey("ambiguous", id), JSON.stringify(record)]);
  });

  it("blocks apply with exit 6, and the plan names the recover commands with the --config that was used", async () => {
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(apply.code).toBe(6);
    expect(apply.stdout).toContain(`is AMBIGUOUS: run \`xsnap recover --adopt ${id} --config ${config}\` or \`xsnap recover --discard ${id} --config ${config}\``);
  });

  it("lists it with both candidates and exits 6", async () => {
    const run = await xsnap(["recover", "--config", config]);
    expect(run.code).toBe(6);
    expect(run.stdout).toContain(`${id}  xapi_snapshot.web: create started`);
    expect(run.stdout).toContain("[AMBIGUOUS: blocks apply]");
    for (const uuid of twins) expect(run.stdout).toMatch(new RegExp(`candidate: "twin" \\(${uuid}, taken `));
    expect(run.stdout).toContain(`--adopt ${id} --uuid UUID: claims the candidate UUID as xapi_snapshot.web`);
    expect(run.stdout).toContain("Apply is blocked (exit 6)");
  });

  it("asks which candidate to adopt when --uuid is missing (exit 1, nothing changed)", async () => {
    const run = await xsnap(["recover", "--config", config, "--adopt", id]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`pending operation ${id} has 2 candidates`);
    expect(run.stderr).toContain(`xsnap recover --adopt ${id} --uuid UUID`);
    expect(pendingKeys(await client.readPoolView(), "ambiguous")).toHaveLength(1);
  });

  it("refuses an unknown id and contradictory flags (exit 1)", async () => {
    const unknown = await xsnap(["recover", "--config", config, "--discard", "no-such-op"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no pending operation no-such-op for stack "ambiguous"');
    const both = await xsnap(["recover", "--config", config, "--adopt", id, "--discard", id]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("give only one of them");
    const uuidAlone = await xsnap(["recover", "--config", config, "--discard", id, "--uuid", twins[0] ?? ""]);
    expect(uuidAlone.code).toBe(1);
    expect(uuidAlone.stderr).toContain("--uuid chooses the object to adopt: it goes with --adopt ID");
    expect(pendingKeys(await client.readPoolView(), "ambiguous")).toHaveLength(1);
  });

  it("adopts the chosen candidate: apply is unblocked and records its configuration, the other stays unmanaged", async () => {
    const [chosen, other] = twins;
    const run = await xsnap(["recover", "--config", config, "--adopt", id, "--uuid", chosen ?? ""]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Adopted ${chosen} as xapi_snapshot.web`);
    const listed = await xsnap(["recover", "--config", config]);
    expect([listed.code, listed.stdout.trim()]).toEqual([0, `No pending operations for stack "ambiguous" on pool ${sim.url}.`]);
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    const inventory = JSON.parse((await xsnap(["inventory", "--config", config, "--json"])).stdout) as
      { vms: { objects: { uuid: string; owner: { kind: string } }[] }[] };
    const owners = new Map(inventory.vms.flatMap((v) => v.objects).map((o) => [o.uuid, o.owner.kind]));
    expect([owners.get(chosen ?? ""), owners.get(other ?? "")]).toEqual(["managed", "unmanaged"]);
  });
});
