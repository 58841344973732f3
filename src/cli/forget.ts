/**
 * `xsnap forget ADDR` (DESIGN §4, Terraform's `state rm`): stop managing ADDR's object without
 * deleting it. Its markers and registry entry go; the object stays in the pool, listed by
 * `xsnap inventory` as unmanaged. Forgetting an address that manages nothing succeeds (idempotent).
 */
import type { Command } from "commander";
import { forgetAddress } from "../engine";
import { asAddress, type Address } from "../model";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { processIo, type Io } from "./io";
import { poolsOf, withLockedStack, withLockedStackOptions, type LockedStackFlags } from "./locked-stack";

export function register(program: Command, setExit: (code: number) => void): void {
  withLockedStackOptions(program.command("forget <address>")
    .description("stop managing ADDRESS without deleting its object (it stays in the pool, unmanaged)"))
    .action(async (address: string, opts: LockedStackFlags) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runForget(asAddress(address), opts, io));
    });
}

export async function runForget(address: Address, opts: LockedStackFlags, io: Io): Promise<ExitCode> {
  return withLockedStack(opts, io, "forget", async (s) => {
    // Forgetting on a pool that holds nothing for the address is a no-op, so every candidate pool is asked.
    const pools = poolsOf(s, address);
    const lines: string[] = [];
    for (const session of pools) {
      const result = await forgetAddress({ client: session.client, stack: s.stack, address });
      if (!result.ok) throw new CliFailure(result.message);
      lines.push(pools.length > 1 ? `pool ${session.settings.url}: ${result.summary}` : result.summary);
    }
    io.out(io.paint.green(lines.join("\n")));
    return EXIT.ok;
  });
}
