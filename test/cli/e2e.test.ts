// The real CLI against a real simulator process: what a user and a CI pipeline see (DESIGN §4).
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { asUuid, connect } from "../../src/xapi";
import { startSim, stackDir, writeStack, xsnap, type Resources, type Sim } from "./harness";

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";

interface InventoryJson {
  readonly vms: readonly { readonly name_label: string; readonly objects: readonly { readonly uuid: string; readonly name_label: string; readonly owner: { readonly kind: string } }[] }[];
}
const objectsOf = (stdout: string, vm: string): InventoryJson["vms"][number]["objects"] =>
  (JSON.parse(stdout) as InventoryJson).vms.find((v) => v.name_label === vm)?.objects ?? [];

describe("xsnap plan / apply / inventory on the demo pool", () => {
  let sim: Sim;
  let config: string;
  let dir: string;
  const write = (resources: Resources): string => (config = writeStack(dir, { url: sim.url, resources }));
  const webSnapshot = (name: string): Resources => ({ xapi_snapshot: { web: { vm: "web-01", name_label: name } } });
  let uuid = "";

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir();
  });
  afterAll(async () => { await sim.stop(); });

  it("plans a new snapshot and exits 2 with --detailed-exitcode", async () => {
    write(webSnapshot("web-01 before upgrade"));
    const run = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("  # xapi_snapshot.web will be created\n");
    expect(run.stdout).toMatch(/^ {6}\+ name_label +(= "web-01 before upgrade")$/m);
    expect(run.stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
  });

  it("exits 0 for the same plan without --detailed-exitcode", async () => {
    expect((await xsnap(["plan", "--config", config])).code).toBe(0);
  });

  it("refuses to apply without a terminal or --auto-approve (fails closed, exit 1)", async () => {
    const run = await xsnap(["apply", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("no terminal to ask for approval");
    expect(objectsOf((await xsnap(["inventory", "--config", config, "--json"])).stdout, "web-01").map((o) => o.name_label)).toEqual(["web-01 manual"]);
  });

  it("applies with --auto-approve and reports the new snapshot's uuid", async () => {
    const run = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(run.code).toBe(0);
    const done = /xapi_snapshot\.web: Creation complete after \d+s \[uuid=([0-9a-f-]{36})\]/.exec(run.stdout);
    expect(done).not.toBeNull();
    uuid = done?.[1] ?? "";
    expect(run.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
  });

  it("plans no changes afterwards (exit 0 with --detailed-exitcode)", async () => {
    const run = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(NO_CHANGES);
  });

  it("renames in place, keeping the snapshot's uuid", async () => {
    write(webSnapshot("web-01 pre-upgrade"));
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toMatch(/^ {6}~ name_label += "web-01 before upgrade" -> "web-01 pre-upgrade"$/m);
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
    const objects = objectsOf((await xsnap(["inventory", "--config", config, "--json"])).stdout, "web-01");
    expect(objects.find((o) => o.uuid === uuid)).toMatchObject({ name_label: "web-01 pre-upgrade", owner: { kind: "managed" } });
  });

  it("destroys the snapshot and its disks when it leaves the configuration, leaving the unmanaged one alone", async () => {
    write({});
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toContain("  # xapi_snapshot.web will be destroyed\n  # (because xapi_snapshot.web is not in configuration)");
    expect(plan.stdout).toContain("Destructive: 1 to destroy (xapi_snapshot.web).");
    const json = JSON.parse((await xsnap(["plan", "--config", config, "--format", "json"])).stdout) as
      { resource_changes: { change: { before: { disk_uuids?: string[] } | null } }[] };
    const disks = json.resource_changes[0]?.change.before?.disk_uuids ?? [];
    expect(disks.length).toBeGreaterThan(0);
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 0 changed, 1 destroyed.");
    const objects = objectsOf((await xsnap(["inventory", "--config", config, "--json"])).stdout, "web-01");
    expect(objects.map((o) => [o.name_label, o.owner.kind])).toEqual([["web-01 manual", "unmanaged"]]);
    const client = await connect({ url: sim.url, username: "root", password: "xsnap" });
    try {
      const view = await client.readPoolView();
      expect(disks.filter((d) => view.byUuid.has(asUuid(d)))).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("refuses a saved plan once the pool changed (exit 4, naming the address)", async () => {
    const dbSnapshot = (name: string): Resources => ({ xapi_snapshot: { db: { vm: "db-01", name_label: name } } });
    write(dbSnapshot("db-01 nightly"));
    expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
    write(dbSnapshot("db-01 nightly v2"));
    const planFile = join(dir, "plan.xsnap");
    expect((await xsnap(["plan", "--config", config, "--out", planFile])).code).toBe(0);
    // Meanwhile another checkout of the same stack renames the snapshot differently.
    const other = writeStack(stackDir(), { url: sim.url, resources: dbSnapshot("db-01 nightly v3") });
    expect((await xsnap(["apply", "--config", other, "--auto-approve"])).code).toBe(0);
    const stale = await xsnap(["apply", planFile, "--config", config]);
    expect(stale.code).toBe(4);
    expect(stale.stderr).toContain("Saved plan is stale");
    expect(stale.stderr).toContain("xapi_snapshot.db");
    expect(stale.stdout).not.toContain("Modifying...");
  });

  it("rejects a checkpoint of a Halted VM at plan time (exit 1, naming the address)", async () => {
    write({ xapi_checkpoint: { batch: { vm: "batch-01", name_label: "batch-01 checkpoint" } } });
    const run = await xsnap(["plan", "--config", config]);
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Error: xapi_checkpoint\.batch: .*Halted/);
  });

  it("writes only the JSON document to stdout with --format json", async () => {
    write(webSnapshot("web-01 json"));
    const run = await xsnap(["plan", "--config", config, "--format", "json"]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { format_version: string; resource_changes: { address: string; change: { actions: string[] } }[] };
    expect(doc.format_version).toBe("1.0");
    expect(doc.resource_changes.map((c) => [c.address, c.change.actions])).toContainEqual(["xapi_snapshot.web", ["create"]]);
  });
});

describe("xsnap apply and the pool lock", () => {
  let sim: Sim;
  beforeAll(async () => { sim = await startSim(["--task-ms", "4000"]); });
  afterAll(async () => { await sim.stop(); });

  it("refuses a second concurrent apply with exit 3 and shows who holds the lock", async () => {
    const dir = stackDir("lock");
    const config = writeStack(dir, { url: sim.url, stack: "locked", resources: { xapi_snapshot: { web: { vm: "web-01", name_label: "slow" } } } });
    let started!: () => void;
    const creating = new Promise<void>((resolve) => { started = resolve; });
    const first = xsnap(["apply", "--config", config, "--auto-approve"], { onStdout: (out) => { if (out.includes("Creating...")) started(); } });
    await creating;
    const second = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain("Error acquiring the pool lock");
    expect(second.stderr).toContain("Operation: apply");
    expect((await first).code).toBe(0);
  });

  it("on Ctrl-C finishes the running step, starts nothing new, releases the lock and exits 5", async () => {
    const dir = stackDir("interrupt");
    // Two snapshots of one VM run one after the other, so the second has not started at the interrupt.
    const config = writeStack(dir, { url: sim.url, stack: "interrupted", resources: { xapi_snapshot: {
      a: { vm: "win-app-01", name_label: "first" }, b: { vm: "win-app-01", name_label: "second" } } } });
    let child: ChildProcess | undefined;
    let interrupted = false;
    const run = xsnap(["apply", "--config", config, "--auto-approve"], {
      onSpawn: (c) => { child = c; },
      onStdout: (out) => { if (out.includes("Creating...") && child?.exitCode === null && !interrupted) { interrupted = true; child.kill("SIGINT"); } },
    });
    const done = await run;
    expect(done.stderr).toContain("Interrupt received.");
    expect(done.stdout).toMatch(/Creation complete after \d+s/);
    expect(done.stdout).toContain("Apply incomplete! Resources: 1 added, 0 changed, 0 destroyed; 0 failed, 1 skipped.");
    expect(done.code).toBe(5);
    const status = await xsnap(["lock", "status", "--config", config]);
    expect(status.stdout).toContain('Stack "interrupted" is not locked');
  });

  it("shows a lock left by a killed apply and removes it with force-unlock ID", async () => {
    const dir = stackDir("killed");
    const config = writeStack(dir, { url: sim.url, stack: "killed", resources: { xapi_snapshot: { web: { vm: "bigmem-01", name_label: "killed" } } } });
    let child: ChildProcess | undefined;
    await xsnap(["apply", "--config", config, "--auto-approve"], {
      onSpawn: (c) => { child = c; },
      onStdout: (out) => { if (out.includes("Creating...")) child?.kill("SIGKILL"); },
    });
    const locked = await xsnap(["lock", "status", "--config", config]);
    expect(locked.stdout).toContain('Stack "killed" is locked on pool');
    const id = /ID: +(\S+)/.exec(locked.stdout)?.[1] ?? "";
    expect(id).not.toBe("");
    expect((await xsnap(["force-unlock", "wrong-id", "--force", "--config", config])).code).toBe(1);
    const unlock = await xsnap(["force-unlock", id, "--force", "--config", config]);
    expect(unlock.code).toBe(0);
    expect(unlock.stdout).toContain("This did not modify your infrastructure.");
    expect((await xsnap(["lock", "status", "--config", config])).stdout).toContain('Stack "killed" is not locked');
  });
});

describe("xsnap errors", () => {
  let sim: Sim;
  beforeAll(async () => { sim = await startSim(); });
  afterAll(async () => { await sim.stop(); });

  it("prints an XAPI error as one line with its code and a hint, never a stack trace", async () => {
    const config = writeStack(stackDir("auth"), { url: sim.url, resources: {} });
    await fetch(`${sim.url}/sim/faults`, { method: "POST", body: JSON.stringify([
      { method: "session.login_with_password", error: ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"], times: 1 }]) });
    const run = await xsnap(["plan", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^Error: XAPI SESSION_AUTHENTICATION_FAILED\(root, Authentication failure\) from session\.login_with_password: /);
  });

  it("says it cannot reach a pool that is not there", async () => {
    const config = writeStack(stackDir("down"), { url: "http://127.0.0.1:1", resources: {} });
    const run = await xsnap(["plan", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: cannot talk to the pool: ECONNREFUSED/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the missing password variable", async () => {
    const config = writeStack(stackDir("nopw"), { url: sim.url, resources: {} });
    const run = await xsnap(["plan", "--config", config], { env: { XAPI_PASSWORD: undefined } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Error: no password: set the XAPI_PASSWORD environment variable");
  });
});
