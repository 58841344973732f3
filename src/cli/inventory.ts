/** `xsnap inventory`: snapshots, checkpoints, templates and schedules of the pool, as a tree per VM. */
import type { Command } from "commander";
import { buildInventory } from "../engine";
import { renderInventoryText } from "../render/inventory";
import { EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { processIo, type Io } from "./io";
import { withPoolOptions } from "./options";
import { loadOptionalStack, type StackFlags, openPools } from "./planning";
import { closeAll } from "./pools";

interface InventoryOptions extends StackFlags {
  readonly vm?: string;
  readonly json?: boolean;
  readonly color: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  withPoolOptions(program.command("inventory").description("list snapshots, checkpoints, templates and schedules: managed, unmanaged, owned by a schedule"))
    .option("--vm <vm>", "only this VM (uuid or exact name)")
    .option("--json", "print the inventory as JSON")
    .action(async (opts: InventoryOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runInventory(opts, io));
    });
}

export async function runInventory(opts: InventoryOptions, io: Io): Promise<ExitCode> {
  const stack = await loadOptionalStack(opts, io);
  const sessions = await openPools(stack, io);
  try {
    const views = await Promise.all(sessions.map((s) => s.client.readPoolView()));
    const inventories = views.map((view) => buildInventory(view, opts.vm !== undefined ? { vm: opts.vm } : {}));
    if (opts.json) io.out(JSON.stringify(inventories.length === 1 ? inventories[0] : inventories, null, 2));
    else io.out(inventories.map((inv) => renderInventoryText(inv, io.paint)).join("\n"));
    const missing = opts.vm !== undefined && inventories.every((inv) => inv.vms.length === 0);
    if (missing) io.err(`${io.errPaint.bold(io.errPaint.red("Error:"))} no VM has the uuid or name "${opts.vm}"`);
    return missing ? EXIT.error : EXIT.ok;
  } finally {
    await closeAll(sessions);
  }
}
