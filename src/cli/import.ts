/**
 * `xsnap import ADDR UUID` (DESIGN §4, Terraform's `import ADDRESS ID`): an existing snapshot or
 * checkpoint becomes the object of ADDR. Only its markers are written; nothing is created or deleted.
 */
import type { Command } from "commander";
import { importObject } from "../engine";
import { asAddress, type Address } from "../model";
import { asUuid } from "../xapi/types";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { processIo, type Io } from "./io";
import { poolsOf, withLockedStack, withLockedStackOptions, type LockedStackFlags } from "./locked-stack";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function register(program: Command, setExit: (code: number) => void): void {
  withLockedStackOptions(program.command("import <address> <uuid>")
    .description("adopt an existing snapshot, checkpoint, template or schedule as ADDRESS (nothing is created or deleted; the next apply records its configuration)"))
    .action(async (address: string, uuid: string, opts: LockedStackFlags) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runImport(asAddress(address), uuid, opts, io));
    });
}

export async function runImport(address: Address, uuid: string, opts: LockedStackFlags, io: Io): Promise<ExitCode> {
  if (!UUID.test(uuid)) throw new CliFailure(`${address}: "${uuid}" is not a uuid; \`xsnap inventory\` lists the uuid of every snapshot and checkpoint`);
  return withLockedStack(opts, io, "import", async (s) => {
    // As Terraform: an address the configuration does not declare would be destroyed by the next apply.
    if (!s.desired) throw new CliFailure(`${address}: import needs the configuration that declares it (--config, or run in the cdktf app's folder), so that the object is not planned for destruction`);
    if (!s.desired.resources.some((r) => r.address === address && r.mode === "managed")) {
      throw new CliFailure(`${address}: the configuration of stack "${s.stack}" does not declare it; add it there first (else the next apply destroys what you import), then import`);
    }
    // A declared address names its provider, so exactly one pool.
    const [session] = poolsOf(s, address);
    if (!session) throw new Error(`${address}: no pool session for its provider`);
    const result = await importObject({ client: session.client, stack: s.stack, address, uuid: asUuid(uuid.toLowerCase()) });
    if (!result.ok) throw new CliFailure(result.message);
    io.out(io.paint.green(result.summary));
    return EXIT.ok;
  });
}
