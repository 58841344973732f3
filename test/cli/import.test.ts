// `xsnap import ADDR UUID` and `xsnap forget ADDR` from the CLI (DESIGN §4): adopt an existing
// snapshot, stop managing one without deleting it; against a real simulator process.
import { startSim, stackDir, writeStack, xsnap, type Resources, type Sim } from "./harness";

interface InventoryJson {
  readonly vms: readonly { readonly name_label: string; readonly objects: readonly { readonly uuid: string; readonly name_label: string; readonly owner: { readonly kind: string; readonly address?: string } }[] }[];
}

describe("xsnap import and forget on the demo pool", () => {
  let sim: Sim;
  let dir = "";
  let config = "";
  let manual = "";
  const write = (resources: Resources): string => (config = writeStack(dir, { url: sim.url, stack: "adopt", resources }));
  const MANUAL: Resources = { xapi_snapshot: { manual: { vm: "web-01", name_label: "web-01 manual" } } };
  const webObjects = async (): Promise<InventoryJson["vms"][number]["objects"]> =>
    (JSON.parse((await xsnap(["inventory", "--config", config, "--json"])).stdout) as InventoryJson).vms.find((v) => v.name_label === "web-01")?.objects ?? [];

  beforeAll(async () => {
    sim = await startSim();
    dir = stackDir("adopt");
    write(MANUAL);
    manual = (await webObjects()).find((o) => o.name_label === "web-01 manual")?.uuid ?? "";
    expect(manual).toMatch(/^[0-9a-f-]{36}$/);
  });
  afterAll(async () => { await sim.stop(); });

  /** The same stack with more addresses declared, for imports that must get past "not declared". */
  const wider = (): string => writeStack(stackDir("adopt-wider"), { url: sim.url, stack: "adopt", resources: {
    xapi_snapshot: { ...MANUAL.xapi_snapshot, other: { vm: "web-01", name_label: "other" } },
    xapi_checkpoint: { manual: { vm: "web-01", name_label: "web-01 manual" } },
  } });

  it("refuses what cannot be imported, naming the address (exit 1, nothing changed)", async () => {
    const cases: readonly (readonly [string, readonly string[], string])[] = [
      ["not a uuid", ["xapi_snapshot.manual", "web-01 manual"], 'xapi_snapshot.manual: "web-01 manual" is not a uuid'],
      ["an address the configuration does not declare", ["xapi_snapshot.web_snapp", manual], 'xapi_snapshot.web_snapp: the configuration of stack "adopt" does not declare it; add it there first (else the next apply destroys what you import), then import'],
      ["a type xsnap does not manage", ["xapi_vm.manual", manual], 'xapi_vm.manual: the configuration of stack "adopt" does not declare it'],
      ["a disk-only snapshot as a checkpoint", ["xapi_checkpoint.manual", manual, "wider"], `xapi_checkpoint.manual: cannot import: "web-01 manual" (${manual}) is a disk-only snapshot, not a checkpoint`],
      ["a uuid the pool does not hold", ["xapi_snapshot.manual", "00000000-0000-4000-8000-000000000000"], "xapi_snapshot.manual: cannot import: 00000000-0000-4000-8000-000000000000 is not a VM-class object of this pool"],
    ];
    const withoutConfig = await xsnap(["import", "xapi_snapshot.manual", manual, "--stack", "adopt"], { cwd: stackDir("adopt-no-config"), env: { XAPI_URL: sim.url, XAPI_USERNAME: "root" } });
    expect([withoutConfig.code, withoutConfig.stderr]).toEqual([1, expect.stringContaining("xapi_snapshot.manual: import needs the configuration that declares it")]);
    for (const [why, [address = "", uuid = "", which], message] of cases) {
      const run = await xsnap(["import", address, uuid, "--config", which === "wider" ? wider() : config]);
      expect({ why, code: run.code, stderr: run.stderr }).toEqual({ why, code: 1, stderr: expect.stringContaining(message) });
    }
    expect((await webObjects()).find((o) => o.uuid === manual)?.owner.kind).toBe("unmanaged");
  });

  it("imports an unmanaged snapshot: no create is planned, the first apply only records its configuration, then no changes", async () => {
    expect((await xsnap(["plan", "--config", config])).stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    const run = await xsnap(["import", "xapi_snapshot.manual", manual, "--config", config]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`Import successful: ${manual} is now managed as xapi_snapshot.manual. The next apply records its configuration (xsnap plan shows that as an update in place).`);
    expect((await webObjects()).find((o) => o.uuid === manual)?.owner).toMatchObject({ kind: "managed", address: "xapi_snapshot.manual" });
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toContain("  # xapi_snapshot.manual will be updated in-place\n");
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect((await xsnap(["apply", "--config", config, "--auto-approve"])).code).toBe(0);
    const again = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining("No changes. Your infrastructure matches the configuration.")]);
  });

  it("says so when the address already manages that object, and refuses a second object for it", async () => {
    const same = await xsnap(["import", "xapi_snapshot.manual", manual, "--config", config]);
    expect([same.code, same.stdout.trim()]).toEqual([0, `xapi_snapshot.manual already manages ${manual}; nothing to do.`]);
    const other = await xsnap(["import", "xapi_snapshot.other", manual, "--config", wider()]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`${manual} is already managed as xapi_snapshot.manual in stack "adopt"`);
  });

  it("refuses an object another stack manages: that stack's next plan would lose it (exit 1, markers untouched)", async () => {
    const otherConfig = writeStack(stackDir("adopt-other"), { url: sim.url, stack: "other", resources: { xapi_snapshot: { mine: { vm: "web-01", name_label: "web-01 manual" } } } });
    const run = await xsnap(["import", "xapi_snapshot.mine", manual, "--config", otherConfig]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`xapi_snapshot.mine: cannot import: "web-01 manual" (${manual}) is already managed as xapi_snapshot.manual in stack "adopt"; to move it, release it there first: xsnap forget xapi_snapshot.manual --stack "adopt"`);
    expect((await webObjects()).find((o) => o.uuid === manual)?.owner).toMatchObject({ kind: "managed", address: "xapi_snapshot.manual" });
    expect((await xsnap(["plan", "--config", config, "--detailed-exitcode"])).code).toBe(0);
  });

  it("forgets the address without deleting the snapshot; the configuration then plans a new one", async () => {
    const run = await xsnap(["forget", "xapi_snapshot.manual", "--config", config]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`xapi_snapshot.manual is no longer managed; ${manual} stays in the pool, untouched.`);
    expect((await webObjects()).find((o) => o.uuid === manual)?.owner.kind).toBe("unmanaged");
    expect((await xsnap(["plan", "--config", config])).stdout).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    write({});
    const empty = await xsnap(["plan", "--config", config, "--detailed-exitcode"]);
    expect(empty.code).toBe(0);
    const again = await xsnap(["forget", "xapi_snapshot.manual", "--config", config]);
    expect([again.code, again.stdout.trim()]).toEqual([0, 'xapi_snapshot.manual manages nothing in stack "adopt"; nothing to forget.']);
  });

  it("destroys an imported snapshot once its address leaves the configuration", async () => {
    write(MANUAL);
    expect((await xsnap(["import", "xapi_snapshot.manual", manual, "--config", config])).code).toBe(0);
    write({});
    const plan = await xsnap(["plan", "--config", config]);
    expect(plan.stdout).toContain("  # xapi_snapshot.manual will be destroyed\n");
    const apply = await xsnap(["apply", "--config", config, "--auto-approve"]);
    expect(apply.stdout).toContain("Apply complete! Resources: 0 added, 0 changed, 1 destroyed.");
    expect((await webObjects()).map((o) => o.uuid)).not.toContain(manual);
  });

  it("works from the environment alone with --stack, and asks for --stack without a configuration", async () => {
    const env = { XAPI_URL: sim.url, XAPI_USERNAME: "root" };
    const cwd = stackDir("env-only");
    const noStack = await xsnap(["forget", "xapi_snapshot.x"], { cwd, env });
    expect(noStack.code).toBe(1);
    expect(noStack.stderr).toContain("pass --stack NAME");
    const run = await xsnap(["forget", "xapi_snapshot.x", "--stack", "adopt"], { cwd, env });
    expect([run.code, run.stdout.trim()]).toEqual([0, 'xapi_snapshot.x manages nothing in stack "adopt"; nothing to forget.']);
  });
});
