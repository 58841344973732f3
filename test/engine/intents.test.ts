import { intentKey, intentWriter, resolveIntents } from "../../src/engine/intents";
import { hasBlockingIntents, type Address, type Change } from "../../src/model";
import type { XapiClient } from "../../src/resources/client";
import { builtinKinds } from "../../src/resources";
import { markerValues } from "../../src/resources/markers";
import type { OpaqueRef, Uuid, XapiValue } from "../../src/xapi/types";
import { demoLikePool } from "../helpers/demo-like-pool";
import { changeAt, plan, stackOf, STACK } from "../helpers/stack";

const WEB = "xapi_snapshot.web";
const stack = () => stackOf({ address: WEB, attrs: { vm: "web-01", name_label: "nightly" } });

/** A pool where an apply recorded a create intent for WEB, then was killed `after` some step. */
function interrupted(after: "intent" | "snapshot" | "markers", extraSameName = 0) {
  const fx = demoLikePool();
  const { b, vms } = fx;
  const create = changeAt(plan(b, stack()), WEB);
  if (!create) throw new Error("fixture");
  const record = { op: "create", address: WEB, type: "xapi_snapshot", started: "2026-11-25T00:00:00Z", vm: vms.web.uuid, expected_name: "nightly", existing: [] };
  b.pool.other_config = { ...b.pool.other_config, [intentKey(STACK, "op-1")]: JSON.stringify(record) };
  if (after !== "intent") {
    const snap = b.snapshot(vms.web, { name_label: "nightly" });
    if (after === "markers") {
      const spec = (create.private as { spec: string }).spec;
      b.edit(snap, { other_config: { ...snap.other_config, ...markerValues({ stack: STACK, address: WEB as Address, spec, self: snap.uuid as Uuid }) } });
    }
  }
  for (let i = 0; i < extraSameName; i++) b.snapshot(vms.web, { name_label: "nightly" });
  return fx;
}

describe("intents left by an interrupted apply", () => {
  it.each([
    ["killed before the snapshot call: discarded, and the create is planned again", "intent", 0, "discard", "create"],
    ["killed after the snapshot, before its markers: the snapshot is adopted, not duplicated", "snapshot", 0, "adopt", "update"],
    ["killed after the markers, before clearing the record: done", "markers", 0, "done", "no-op"],
    ["two unmarked candidates: ambiguous, apply is blocked", "snapshot", 1, "ambiguous", "create"],
  ] as const)("%s", (_why, after, extra, status, action) => {
    const { b } = interrupted(after, extra);
    const p = plan(b, stack());
    expect(p.intents?.map((i) => i.status)).toEqual([status]);
    expect(changeAt(p, WEB)?.action).toBe(action);
    expect(hasBlockingIntents(p)).toBe(status === "ambiguous");
  });

  it("an adopting change names the intent it settles and writes the markers", () => {
    const { b } = interrupted("snapshot");
    const change = changeAt(plan(b, stack()), WEB);
    expect(change?.resolvesIntent).toBe("op-1");
    expect(change?.notes.join("\n")).toContain("that an interrupted apply created");
  });

  it("never adopts a snapshot that already carried the expected name before the step", () => {
    const { b, vms } = demoLikePool();
    const before = b.snapshot(vms.web, { name_label: "nightly" });
    const record = { op: "create", address: WEB, type: "xapi_snapshot", started: "2026-11-25T00:00:00Z", vm: vms.web.uuid, expected_name: "nightly", existing: [before.uuid] };
    b.pool.other_config = { [intentKey(STACK, "op-2")]: JSON.stringify(record) };
    expect(resolveIntents(b.build(), STACK, builtinKinds()).resolutions.map((r) => r.status)).toEqual(["discard"]);
  });

  it("a destroy that removed the VM record but not all disks is finished by destroying the disks", () => {
    const { b, vms } = demoLikePool();
    const disk = [...b.vdis.values()].find((v) => v.name_label === "web-01 root");
    if (!disk) throw new Error("fixture");
    const record = { op: "destroy", address: WEB, type: "xapi_snapshot", started: "2026-11-25T00:00:00Z", vm: vms.web.uuid, object: "gone-uuid", disks: [disk.uuid] };
    b.pool.other_config = { [intentKey(STACK, "op-3")]: JSON.stringify(record) };
    const [r] = resolveIntents(b.build(), STACK, builtinKinds()).resolutions;
    expect(r?.status).toBe("discard");
    expect(r?.cleanup).toEqual([{ uuid: disk.uuid, name_label: "web-01 root" }]);
  });

  it("an unreadable record is ambiguous rather than guessed at", () => {
    const { b } = demoLikePool();
    b.pool.other_config = { [intentKey(STACK, "op-4")]: "{not json" };
    expect(resolveIntents(b.build(), STACK, builtinKinds()).resolutions.map((r) => r.status)).toEqual(["ambiguous"]);
  });

  it("intents of other stacks are not this stack's business", () => {
    const { b } = interrupted("snapshot");
    expect(resolveIntents(b.build(), "other-stack", builtinKinds()).resolutions).toEqual([]);
  });
});

describe("intentWriter", () => {
  it("removes a task key only once its write has landed: a clear never overtakes it and leaves it behind", async () => {
    const calls: string[] = [];
    let land: () => void = () => undefined;
    const client = {
      call: async (method: string, params: readonly XapiValue[] = []) => {
        const key = String(params[1]).replace(/[0-9a-f-]{36}/, "ID");
        if (method === "pool.add_to_other_config" && key.includes("#task")) await new Promise<void>((resolve) => { land = resolve; });
        calls.push(`${method} ${key}`);
        return "";
      },
    } as unknown as XapiClient;
    const writer = intentWriter({ client, poolRef: "OpaqueRef:pool" as OpaqueRef, stack: STACK });
    const change = { address: WEB, type: "xapi_snapshot", action: "create" } as unknown as Change;
    const id = await writer.record(change, {});
    const adding = writer.addTask(id, "OpaqueRef:task");
    const clearing = writer.clear(id);
    await new Promise((r) => setImmediate(r));
    land();
    await Promise.all([adding, clearing]);
    expect(calls).toEqual([
      "pool.add_to_other_config xsnap.pending/demo/ID",
      "pool.add_to_other_config xsnap.pending/demo/ID#task0",
      "pool.remove_from_other_config xsnap.pending/demo/ID#task0",
      "pool.remove_from_other_config xsnap.pending/demo/ID",
    ]);
  });
});
