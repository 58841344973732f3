/** `xsnap destroy`: plan the removal of every object the stack manages, ask, and apply it. */
import type { Command } from "commander";
import { applyFresh, type ApplyOptions } from "./apply";
import { runCommand } from "./failure";
import { processIo } from "./io";
import { withPlanOptions } from "./options";

export function register(program: Command, setExit: (code: number) => void): void {
  const cmd = program.command("destroy").description("destroy every object the stack manages (after approval)");
  withPlanOptions(cmd, { destroyMode: true })
    .option("--auto-approve", "skip the approval prompt")
    .option("--json", "print progress as JSON lines (needs --auto-approve)")
    .action(async (opts: ApplyOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => applyFresh(opts, io, { destroy: true }), { json: opts.json === true });
    });
}
