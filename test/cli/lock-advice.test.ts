// What a contender is told to do about a lock it cannot take (cli/locking.ts).
import { forceUnlockAdvice } from "../../src/cli/locking";
import type { LockStatus } from "../../src/engine";

const status = (abandoned: boolean): LockStatus => ({
  info: { id: "7d0c1f4e", who: "ci@runner", operation: "apply", created: "2026-12-03T10:00:00.000Z", expires: "2026-12-03T10:05:00.000Z" },
  expiresAt: "2026-12-03T10:05:00.000Z", abandoned, forceUnlockCommand: "xsnap force-unlock 7d0c1f4e",
});

describe("forceUnlockAdvice", () => {
  it("for a live lease: when it would run out, and the command that ends it now, with the user's --config", () => {
    expect(forceUnlockAdvice(status(false), "prod", { config: "infra/cdktf.out" })).toBe(
      "If that run is gone (its job was killed, say), the lock stays until 2026-12-03T10:05:00.000Z. "
      + "To remove it now: xsnap force-unlock 7d0c1f4e --config infra/cdktf.out --stack prod");
  });

  it("for a lease that ran out: says its holder is probably gone", () => {
    expect(forceUnlockAdvice(status(true), "my stack")).toBe(
      "The lease ran out: its holder is probably gone. If it is, remove the lock with: xsnap force-unlock 7d0c1f4e --stack 'my stack'");
  });
});
