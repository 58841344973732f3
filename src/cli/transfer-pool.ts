/**
 * The one pool `xsnap export` / `xsnap restore` talk to, found like every pool command finds it
 * (`--config` / `--stack`, or XAPI_URL / XAPI_USERNAME / XAPI_PASSWORD alone). A stack with several
 * pools is refused rather than guessed.
 */
import type { XapiClient } from "../xapi";
import { CliFailure } from "./exit-codes";
import type { Io } from "./io";
import { closeAll } from "./pools";
import { loadOptionalStack, openPools, type StackFlags } from "./planning";

export interface SinglePool {
  /** The full client: these commands stream over HTTP. */
  readonly client: XapiClient;
  readonly close: () => Promise<void>;
}

export async function openSinglePool(flags: StackFlags, io: Io): Promise<SinglePool> {
  const stack = await loadOptionalStack(flags, io);
  const sessions = await openPools(stack, io);
  if (sessions.length !== 1) {
    await closeAll(sessions);
    throw new CliFailure(`the stack has ${sessions.length} pools (${sessions.map((s) => s.alias).join(", ")}); point at one with XAPI_URL and no --config`);
  }
  const session = sessions[0]!;
  return { client: session.client, close: () => closeAll(sessions) };
}
