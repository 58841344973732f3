/**
 * The simulator as a pool member (`memberOf`): every login answers HOST_IS_SLAVE with the master's
 * bare address, before the credentials are looked at (reference/xapi.md §1.5).
 */
import { failureOf, useSimulator } from "../helpers/sim";

describe("simulator started with memberOf", () => {
  const member = useSimulator({ fixture: "demo", memberOf: "192.0.2.10", authFailureDelayMs: 10 });
  const master = useSimulator({ fixture: "demo" });

  it("answers every login with HOST_IS_SLAVE naming the master, even with wrong credentials", async () => {
    expect(await failureOf(member(), "session.login_with_password", "root", "xsnap")).toEqual(["HOST_IS_SLAVE", "192.0.2.10"]);
    expect(await failureOf(member(), "session.login_with_password", "root", "xsnap")).toEqual(["HOST_IS_SLAVE", "192.0.2.10"]);
    expect(await failureOf(member(), "session.login_with_password", "root", "wrong")).toEqual(["HOST_IS_SLAVE", "192.0.2.10"]);
  });

  it("leaves a simulator without memberOf a master that accepts logins", async () => {
    expect(await failureOf(master(), "session.login_with_password", "root", "wrong")).toEqual(["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"]);
  });
});
