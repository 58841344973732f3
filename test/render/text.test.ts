import { asAddress, error, UNKNOWN, warning } from "../../src/model";
import { ansi, plain, stripAnsi } from "../../src/render/paint";
import { planFooter, renderPlanText } from "../../src/render/text";
import { change, createWeb, plan, removeOld, renameDb, retakeApp, revertWeb } from "./plans";

describe("renderPlanText", () => {
  it("marks the change's replacePaths as forcing the replacement, with no reason line for replace_because_cannot_update", () => {
    const template = change({
      action: "replace", type: "xapi_template", name: "golden", reason: "replace_because_cannot_update", replacePaths: ["source"],
      before: { source: "5a0e0000-1111-4222-8333-444455556666", name_label: "golden", uuid: "7e00aaaa-1111-4222-8333-444455556666" },
      after: { source: UNKNOWN, name_label: "golden", uuid: UNKNOWN },
    });
    const text = renderPlanText(plan([template]));
    expect(text).toContain(`  # xapi_template.golden must be replaced
-/+ resource "xapi_template" "golden" {
      ~ source = "5a0e0000-1111-4222-8333-444455556666" -> (known after apply) # forces replacement
      ~ uuid   = "7e00aaaa-1111-4222-8333-444455556666" -> (known after apply)
`);
  });

  it("renders every action in Terraform's grammar, with a legend of the used actions, the summary and the Destructive line", () => {
    expect(renderPlanText(plan([createWeb, renameDb, removeOld, retakeApp, revertWeb]))).toBe(`\
Stack "quickstart" on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16

xsnap used pool "demo-pool" to generate the following execution plan. Resource actions are indicated with the following symbols:
  + create
  - destroy
  ~ update in-place
-/+ replace (the new object is created before the old one is destroyed)
  ! revert VM to snapshot (discards VM state written after the snapshot)

xsnap will perform the following actions:

  # xapi_checkpoint.app must be replaced
  # (because retake_token changed)
-/+ resource "xapi_checkpoint" "app" {
      ~ retake_token = "1" -> "2" # forces replacement
      ~ uuid         = "d00d0000-1111-4222-8333-444455556666" -> (known after apply)
        # (2 unchanged attributes hidden)
    }

  # xapi_snapshot.db will be updated in-place
  ~ resource "xapi_snapshot" "db" {
      ~ name_label = "db nightly" -> "db-01 nightly"
        uuid       = "9b0e4c1d-1111-4222-8333-444455556666"
        # (3 unchanged attributes hidden)
    }

  # xapi_snapshot.old will be destroyed
  # (because xapi_snapshot.old is not in configuration)
  # (destroys VDI "web-01 disk" (7a11c3e0-aaaa-4bbb-8ccc-ddddeeeeffff))
  - resource "xapi_snapshot" "old" {
      - name_label = "old" -> null
      - uuid       = "c41e0000-1111-4222-8333-444455556666" -> null
      - vm         = "web-01" -> null
    }

  # xapi_snapshot.web will be created
  # (captures web-01's state at apply time)
  + resource "xapi_snapshot" "web" {
      + name_label    = "web-01 before upgrade"
      + on_destroy    = "uninstall"
      + snapshot_time = (known after apply)
      + uuid          = (known after apply)
      + vm            = "web-01"
    }

  # xapi_vm_revert.web will be REVERTED
  # (because revert_token changed)
  # (VM state written after 2026-11-01T02:00:00Z will be lost)
  ! resource "xapi_vm_revert" "web" {
      ~ revert_token = "t1" -> "t2"
        # (2 unchanged attributes hidden)
    }

Plan: 2 to add, 2 to change, 2 to destroy.
Destructive: 1 to destroy (xapi_snapshot.old), 1 to replace (xapi_checkpoint.app), 1 to revert (xapi_vm_revert.web).
`);
  });

  it("lists only the create symbol and has no Destructive line for a create-only plan", () => {
    expect(renderPlanText(plan([createWeb]))).toBe(`\
Stack "quickstart" on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16

xsnap used pool "demo-pool" to generate the following execution plan. Resource actions are indicated with the following symbols:
  + create

xsnap will perform the following actions:

  # xapi_snapshot.web will be created
  # (captures web-01's state at apply time)
  + resource "xapi_snapshot" "web" {
      + name_label    = "web-01 before upgrade"
      + on_destroy    = "uninstall"
      + snapshot_time = (known after apply)
      + uuid          = (known after apply)
      + vm            = "web-01"
    }

Plan: 1 to add, 0 to change, 0 to destroy.
`);
  });

  it("says No changes in Terraform's words when nothing differs, and prints warnings after it", () => {
    const noop = change({ action: "no-op", before: { name_label: "x" }, after: { name_label: "x" } });
    const warn = warning("VM web-01 has other_config:snapmanager=true", asAddress("xapi_snapshot.web"));
    expect(renderPlanText(plan([noop], { diagnostics: [warn] }))).toBe(`\
Stack "quickstart" on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16

No changes. Your infrastructure matches the configuration.

xsnap has compared the pool against your configuration and found no differences, so no changes are needed.

Warning: xapi_snapshot.web: VM web-01 has other_config:snapmanager=true
`);
  });

  it("says there is nothing to destroy for an empty destroy plan", () => {
    expect(renderPlanText(plan([], { destroyMode: true }))).toBe(`\
Stack "quickstart" on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16

No changes. No objects need to be destroyed.
`);
  });

  it("prints insecure = true in the header and errors with their address and detail", () => {
    const pool = { ...plan([]).pool, insecure: true };
    const err = error("a checkpoint needs a running, paused or suspended VM", asAddress("xapi_checkpoint.batch"), "batch-01 is Halted");
    expect(renderPlanText(plan([], { pool, diagnostics: [err] }))).toBe(`\
Stack "quickstart" on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16
Warning: insecure = true: the pool's TLS certificate is not verified.

Error: xapi_checkpoint.batch: a checkpoint needs a running, paused or suspended VM
  batch-01 is Halted
`);
  });

  it("shows drift before the plan: deleted and changed objects, then a rule", () => {
    const drift = [
      { address: asAddress("xapi_snapshot.web"), type: "xapi_snapshot", name: "web", kind: "deleted" as const, before: { name_label: "web", uuid: "9b0e" }, after: null },
      { address: asAddress("xapi_snapshot.db"), type: "xapi_snapshot", name: "db", kind: "changed" as const, before: { name_label: "a", uuid: "c41e" }, after: { name_label: "b", uuid: "c41e" } },
    ];
    const recreate = change({ action: "create", reason: "deleted_outside", after: { name_label: "web", uuid: { unknown: true } } });
    expect(renderPlanText(plan([recreate], { drift }))).toBe(`\
Stack "quickstart" on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16

Note: Objects have changed outside of xsnap

xsnap detected the following changes made outside of xsnap since the last "xsnap apply" which may have affected this plan:

  # xapi_snapshot.db has changed
  ~ resource "xapi_snapshot" "db" {
      ~ name_label = "a" -> "b"
        uuid       = "c41e"
    }

  # xapi_snapshot.web has been deleted
  - resource "xapi_snapshot" "web" {
      - name_label = "web" -> null
      - uuid       = "9b0e" -> null
    }

Unless you have made equivalent changes to your configuration, the following plan may include actions to undo or respond to these changes.

─────────────────────────────────────────────────────────────────────────────

xsnap used pool "demo-pool" to generate the following execution plan. Resource actions are indicated with the following symbols:
  + create

xsnap will perform the following actions:

  # xapi_snapshot.web will be created
  # (because the object was deleted outside xsnap)
  + resource "xapi_snapshot" "web" {
      + name_label = "web"
      + uuid       = (known after apply)
    }

Plan: 1 to add, 0 to change, 0 to destroy.
`);
  });

  it("marks a requested replacement as requested and renders lists and data sources", () => {
    const replace = change({ action: "replace", reason: "replace_by_request",
      before: { ignore_disks: ["a", "b"], uuid: "1" }, after: { ignore_disks: ["a", "b"], uuid: { unknown: true } } });
    const read = change({ action: "read", type: "xapi_vm", name: "web", after: { name_label: "web-01", uuid: { unknown: true } } });
    const text = renderPlanText(plan([replace, { ...read, address: asAddress("data.xapi_vm.web") }]));
    expect(text).toContain(`\
  # xapi_snapshot.web will be replaced, as requested
-/+ resource "xapi_snapshot" "web" {
      ~ uuid = "1" -> (known after apply)
        # (1 unchanged attribute hidden)
    }`);
    expect(text).toContain(`\
  # data.xapi_vm.web will be read during apply
 <= data "xapi_vm" "web" {
      + name_label = "web-01"
      + uuid       = (known after apply)
    }`);
  });

  it("colours symbols with ansi paint and reads the same once colours are stripped", () => {
    const p = plan([createWeb, removeOld]);
    const coloured = renderPlanText(p, ansi);
    expect(coloured).not.toBe(renderPlanText(p, plain));
    expect(coloured).toContain("\u001b[32m+\u001b[39m");
    expect(stripAnsi(coloured)).toBe(renderPlanText(p, plain));
  });
});

describe("header", () => {
  it("names the provider alias when a stack spans several pools", () => {
    expect(renderPlanText(plan([], { provider: "dr" })).split("\n")[0])
      .toBe('Stack "quickstart" (provider xapi.dr) on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16');
  });
});

describe("planFooter", () => {
  it("tells how to apply a saved plan, quoting paths with spaces", () => {
    expect(planFooter("plan.xsnap")).toBe("Saved the plan to: plan.xsnap\n\nTo perform exactly these actions, run the following command to apply:\n    xsnap apply plan.xsnap");
    expect(planFooter("my plan")).toContain('xsnap apply "my plan"');
  });
  it("warns that an unsaved plan may not be what apply does", () => {
    expect(planFooter(undefined)).toMatch(/^Note: You didn't use the --out option/);
  });
  it("does not recommend --out for a stack of several pools, which --out refuses", () => {
    expect(planFooter(undefined, "xsnap apply", 2)).toBe('Note: a plan of 2 pools cannot be saved with --out (split the stack per pool to save plans); "xsnap apply" plans again and asks before changing anything.');
  });
});

describe("renderPlanText with leftovers of an interrupted apply", () => {
  it("lists each intent with its resolution, and how to settle an ambiguous one", () => {
    const intents = [
      { id: "op1", address: asAddress("xapi_snapshot.web"), type: "xapi_snapshot", op: "create" as const, started: "2026-11-25T22:00:00Z",
        status: "adopt" as const, detail: "snapshot \"web\" (9b0e) exists without markers" },
      { id: "op2", address: asAddress("xapi_snapshot.db"), type: "xapi_snapshot", op: "create" as const, started: "2026-11-25T22:00:01Z",
        status: "ambiguous" as const, detail: "2 snapshots carry the expected name", candidates: ["aaaa", "bbbb"] },
    ];
    expect(renderPlanText(plan([], { intents }))).toBe(`\
Stack "quickstart" on pool "demo-pool" (3f1c2e7a) at http://127.0.0.1:8080, xapi 26.1.16

Pending operations from an interrupted apply:
  # xapi_snapshot.web: create started 2026-11-25T22:00:00Z (intent op1) will be adopted
      snapshot "web" (9b0e) exists without markers
  # xapi_snapshot.db: create started 2026-11-25T22:00:01Z (intent op2) is AMBIGUOUS: run \`xsnap recover --adopt op2\` or \`xsnap recover --discard op2\`
      2 snapshots carry the expected name
      candidates: aaaa, bbbb

No changes to resources. The next apply settles what is listed above.
`);
  });

  it("lists records of objects deleted outside xsnap that apply drops, and never says \"No changes\" then", () => {
    const text = renderPlanText(plan([], { forgotten: [asAddress("xapi_snapshot.old")] }));
    expect(text).toContain("Deleted outside xsnap and gone from the configuration; apply drops xsnap's records of:\n  # xapi_snapshot.old\n\nNo changes to resources. The next apply settles what is listed above.\n");
    expect(text).not.toContain("No changes. Your infrastructure");
    expect(renderPlanText(plan([]))).toContain("No changes. Your infrastructure matches the configuration.");
  });
});

describe("renderPlanText with omitErrors", () => {
  it("keeps warnings with the plan and leaves errors to the caller", () => {
    const diagnostics = [warning("w", asAddress("xapi_snapshot.a")), error("e", asAddress("xapi_snapshot.b"))];
    const text = renderPlanText(plan([], { diagnostics }), plain, { omitErrors: true });
    expect(text).toContain("Warning: xapi_snapshot.a: w");
    expect(text).not.toContain("Error:");
    expect(text).not.toContain("No changes.");
  });
});

describe("sizes in the text plan", () => {
  it("shows *_bytes values also as people read them", () => {
    const c = change({ action: "create", type: "xapi_checkpoint", name: "db", after: { name_label: "db", estimated_bytes: 86_221_668_352, memory_bytes: 512 } });
    const text = renderPlanText(plan([c]));
    expect(text).toContain("      + estimated_bytes = 86221668352 # ≈ 80.3 GiB\n");
    expect(text).toContain("      + memory_bytes    = 512\n");
  });
});
