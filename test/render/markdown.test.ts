import { guard, renderPlanMarkdown, toDiffMarkers } from "../../src/render/markdown";
import { asAddress } from "../../src/model";
import { change, createWeb, plan, removeOld, revertWeb } from "./plans";

describe("renderPlanMarkdown", () => {
  it("starts with a hidden marker, puts destructive rows first and collapses the full diff", () => {
    expect(renderPlanMarkdown(plan([createWeb, removeOld, revertWeb]), { planFile: "plan.xsnap" })).toBe(`\
<!-- xsnap:plan stack=quickstart pool=3f1c2e7a-0000-4000-8000-000000000001 -->
## xsnap plan: \`quickstart\` on \`demo-pool\`: 1 to add, 1 to change, 1 to destroy

> [!WARNING]
> **Destructive changes:** 1 destroy, 1 revert. VM state written after the snapshot is discarded on revert.

| | Action | Address | Object |
|---|---|---|---|
| \`!\` | revert | \`xapi_vm_revert.web\` | revert_token "t1" → "t2" — VM state written after 2026-11-01T02:00:00Z will be lost |
| \`-\` | destroy | \`xapi_snapshot.old\` | "old" (destroys VDI "web-01 disk" (7a11c3e0-aaaa-4bbb-8ccc-ddddeeeeffff)) |
| \`+\` | create | \`xapi_snapshot.web\` | "web-01 before upgrade" (captures web-01's state at apply time) |

<details><summary>Full plan (3 changes)</summary>

\`\`\`diff
  # xapi_vm_revert.web will be REVERTED
  # (because revert_token changed)
  # (VM state written after 2026-11-01T02:00:00Z will be lost)
!   resource "xapi_vm_revert" "web" {
~       revert_token = "t1" -> "t2"
        # (2 unchanged attributes hidden)
    }

  # xapi_snapshot.old will be destroyed
  # (because xapi_snapshot.old is not in configuration)
  # (destroys VDI "web-01 disk" (7a11c3e0-aaaa-4bbb-8ccc-ddddeeeeffff))
-   resource "xapi_snapshot" "old" {
-       name_label = "old" -> null
-       uuid       = "c41e0000-1111-4222-8333-444455556666" -> null
-       vm         = "web-01" -> null
    }

  # xapi_snapshot.web will be created
  # (captures web-01's state at apply time)
+   resource "xapi_snapshot" "web" {
+       name_label    = "web-01 before upgrade"
+       on_destroy    = "uninstall"
+       snapshot_time = (known after apply)
+       uuid          = (known after apply)
+       vm            = "web-01"
    }
\`\`\`
</details>

Plan file \`plan.xsnap\`, generated 2026-11-25T23:00:00.000Z by xsnap 0.1.0. Apply with \`xsnap apply plan.xsnap\`.
`);
  });

  it("is a one-liner after the marker when nothing changes, so bots can skip posting", () => {
    expect(renderPlanMarkdown(plan([]))).toBe(`\
<!-- xsnap:plan stack=quickstart pool=3f1c2e7a-0000-4000-8000-000000000001 -->
✅ No changes. Your infrastructure matches the configuration.
`);
  });

  it("lists what apply settles (an interrupted apply's operations, records of deleted objects) instead of \"No changes\"", () => {
    const intents = [{ id: "op1", address: asAddress("xapi_snapshot.web"), type: "xapi_snapshot", op: "create" as const, started: "2026-11-25T22:00:00Z", status: "discard" as const, detail: "nothing was created" }];
    expect(renderPlanMarkdown(plan([], { intents, forgotten: [asAddress("xapi_snapshot.old")] }))).toBe(`\
<!-- xsnap:plan stack=quickstart pool=3f1c2e7a-0000-4000-8000-000000000001 -->
## xsnap plan: \`quickstart\` on \`demo-pool\`: 0 to add, 0 to change, 0 to destroy

No changes to resources. The next apply settles:

- Pending \`create\` of \`xapi_snapshot.web\` from an interrupted apply (intent op1): discard
- \`xapi_snapshot.old\`: deleted outside xsnap; apply drops xsnap's record of it

Plan generated 2026-11-25T23:00:00.000Z by xsnap 0.1.0.
`);
  });

  it("cuts only the collapsed diff when the comment would be too long, keeping table and warning whole", () => {
    const many = Array.from({ length: 400 }, (_, i) => change({ action: "destroy", name: `s${String(i).padStart(3, "0")}`,
      before: { name_label: `snapshot ${i}`, uuid: `uuid-${i}` } }));
    const md = renderPlanMarkdown(plan(many), { limit: 40_000 });
    expect(md.length).toBeLessThanOrEqual(40_000);
    expect(md).toContain("| `-` | destroy | `xapi_snapshot.s399` |");
    expect(md).toContain("**Destructive changes:** 400 destroy.");
    expect(md).toContain("characters of the full plan cut to fit a PR comment");
    expect(md).toContain("# xapi_snapshot.s000 will be destroyed");
    expect(md).toContain("# xapi_snapshot.s399 will be destroyed");
    expect(md).not.toContain("# xapi_snapshot.s200 will be destroyed");
    expect(md.endsWith("by xsnap 0.1.0.\n")).toBe(true);
  });
});

describe("toDiffMarkers", () => {
  it("moves markers to column 0, keeping ~ for in-place updates and ! for reverts only", () => {
    expect(toDiffMarkers('  ~ resource "t" "n" {\n      ~ a = 1 -> 2\n-/+ resource "t" "m" {\n        b = 3\n  ! resource "r" "v" {')).toBe(
      '~   resource "t" "n" {\n~       a = 1 -> 2\n-/+ resource "t" "m" {\n        b = 3\n!   resource "r" "v" {');
  });
});

describe("guard", () => {
  it("leaves a body within budget alone", () => {
    expect(guard("a\nb\n", 10)).toBe("a\nb\n");
  });
});

describe("guard on a long body", () => {
  it("keeps whole lines from both ends and says exactly how much it cut", () => {
    const body = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(2, "0")}`).join("\n") + "\n";
    const cut = guard(body, 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut.startsWith("line 00\n")).toBe(true);
    expect(cut.endsWith("line 99\n")).toBe(true);
    const kept = cut.split("\n").filter((l) => l.startsWith("line ")).length;
    expect(cut).toContain(`… ${(100 - kept) * 8} characters of the full plan cut`);
  });
});
