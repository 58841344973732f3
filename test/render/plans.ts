// Plans for renderer tests, named by what they show a reviewer.
import { asAddress, UNKNOWN, type Change, type Plan } from "../../src/model";

export function change(partial: Partial<Change> & Pick<Change, "action">): Change {
  const type = partial.type ?? "xapi_snapshot";
  const name = partial.name ?? "web";
  return {
    address: asAddress(`${type}.${name}`), type, name, provider: "default",
    before: null, after: null, notes: [], dependsOn: [], ...partial,
  };
}

export function plan(changes: readonly Change[], extra: Partial<Plan> = {}): Plan {
  return {
    formatVersion: 1,
    tool: { name: "xsnap", version: "0.1.0" },
    createdAt: "2026-11-25T23:00:00.000Z",
    stack: "quickstart",
    provider: "default",
    pool: { uuid: "3f1c2e7a-0000-4000-8000-000000000001", name_label: "demo-pool", url: "http://127.0.0.1:8080", xapi_version: "26.1.16", insecure: false },
    configHash: "c0ffee",
    destroyMode: false,
    changes,
    drift: [],
    diagnostics: [],
    fingerprints: [],
    managedSetHash: "5e7",
    ...extra,
  };
}

export const createWeb = change({
  action: "create",
  notes: ["captures web-01's state at apply time"],
  after: { vm: "web-01", name_label: "web-01 before upgrade", on_destroy: "uninstall", uuid: UNKNOWN, snapshot_time: UNKNOWN },
});

export const renameDb = change({
  action: "update", name: "db",
  before: { vm: "db-01", name_label: "db nightly", name_description: "", on_destroy: "uninstall", uuid: "9b0e4c1d-1111-4222-8333-444455556666" },
  after: { vm: "db-01", name_label: "db-01 nightly", name_description: "", on_destroy: "uninstall", uuid: "9b0e4c1d-1111-4222-8333-444455556666" },
});

export const removeOld = change({
  action: "destroy", name: "old", reason: "not_in_configuration",
  notes: ["destroys VDI \"web-01 disk\" (7a11c3e0-aaaa-4bbb-8ccc-ddddeeeeffff)"],
  before: { vm: "web-01", name_label: "old", uuid: "c41e0000-1111-4222-8333-444455556666" },
});

export const retakeApp = change({
  action: "replace", type: "xapi_checkpoint", name: "app", reason: "retake_token_changed",
  before: { vm: "win-app-01", name_label: "app", retake_token: "1", uuid: "d00d0000-1111-4222-8333-444455556666" },
  after: { vm: "win-app-01", name_label: "app", retake_token: "2", uuid: UNKNOWN },
});

export const revertWeb = change({
  action: "revert", type: "xapi_vm_revert", name: "web", reason: "revert_token_changed",
  notes: ["VM state written after 2026-11-01T02:00:00Z will be lost"],
  before: { vm: "web-01", snapshot: "pre", revert_token: "t1" },
  after: { vm: "web-01", snapshot: "pre", revert_token: "t2" },
});
