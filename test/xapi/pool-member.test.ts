/**
 * HOST_IS_SLAVE as XAPI sends it (reference/xapi.md §1.5): a pool member answers every login with
 * the bare address of the master, no port; the client keeps its scheme and port. Two simulators on
 * the SAME port of two loopback addresses (127.0.0.1 and 127.0.0.2) stand in for two hosts.
 */
import { startSimulator, type RunningSimulator } from "../../src/sim";
import { connect } from "../../src/xapi";

let master: RunningSimulator;
let member: RunningSimulator;

beforeAll(async () => {
  master = await startSimulator({ fixture: "demo", host: "127.0.0.1" });
  // A member refuses every login, naming the master by address only (no port, as XAPI does).
  member = await startSimulator({ fixture: "demo", host: "127.0.0.2", port: master.port, memberOf: "127.0.0.1" });
});

afterAll(async () => {
  await member?.close();
  await master?.close();
});

beforeEach(() => {
  master.reset();
  member.reset();
});

const calls = (target: RunningSimulator, method: string): number => target.sim.calls.get(method) ?? 0;

describe("connect to a pool member", () => {
  it("ends up on the master at the address HOST_IS_SLAVE names, with the member URL's scheme and port", async () => {
    expect(member.url).toBe(`http://127.0.0.2:${master.port}`);
    const client = await connect({ url: member.url, username: "root", password: "xsnap" });
    try {
      expect(client.url).toBe(master.url);
      expect(new URL(client.url).port).toBe(String(master.port));
      const vms = await client.call("VM.get_all");
      expect(Array.isArray(vms) && vms.length > 0).toBe(true);
      expect(calls(master, "session.login_with_password")).toBe(1);
      expect(calls(master, "VM.get_all")).toBe(1);
      expect(calls(member, "session.login_with_password")).toBe(1);
      expect(calls(member, "VM.get_all")).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("runs async calls and the pool read on the master once redirected", async () => {
    const client = await connect({ url: member.url, username: "root", password: "xsnap" });
    try {
      const view = await client.readPoolView();
      const web = [...view.vms.values()].find((v) => v.name_label === "web-01");
      expect(web).toBeDefined();
      const snapshot = await client.callAsync("VM.snapshot", [web?.ref ?? "", "via member"]);
      expect(await client.call("VM.get_is_a_snapshot", [snapshot])).toBe(true);
      expect(calls(master, "Async.VM.snapshot")).toBe(1);
      expect(calls(member, "Async.VM.snapshot")).toBe(0);
    } finally {
      await client.close();
    }
  });
});
