/** `xsnap lock status` and `xsnap force-unlock ID`: inspect and, as a last resort, remove the pool lock. */
import type { Command } from "commander";
import { forceUnlock, lockStatus } from "../engine";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { processIo, type Io } from "./io";
import { xsnapCommand } from "./hints";
import { forceUnlockAdvice, lockInfoText } from "./locking";
import { stackName } from "./locked-stack";
import { withPoolOptions } from "./options";
import { loadOptionalStack, openPools, type StackFlags } from "./planning";
import { closeAll } from "./pools";
import { askYes } from "./prompt";

interface LockOptions extends StackFlags {
  readonly json?: boolean;
  readonly force?: boolean;
  readonly color: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  const lock = program.command("lock").description("the pool lock that apply and destroy hold");
  withPoolOptions(lock.command("status").description("show who holds the lock of the stack, per pool"))
    .option("--json", "print the lock status as JSON")
    .action(async (opts: LockOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runStatus(opts, io));
    });
  withPoolOptions(program.command("force-unlock <id>").description("remove a lock left by a run that died (does not modify infrastructure)"))
    .option("--force", "do not ask for confirmation")
    .action(async (id: string, opts: LockOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runForceUnlock(id, opts, io));
    });
}

async function runStatus(opts: LockOptions, io: Io): Promise<ExitCode> {
  const stack = await loadOptionalStack(opts, io);
  const name = stackName(stack, opts, "whose lock you mean");
  const sessions = await openPools(stack, io);
  try {
    const statuses = await Promise.all(sessions.map(async (s) => ({ session: s, status: await lockStatus({ client: s.client, stack: name }) })));
    if (opts.json) {
      io.out(JSON.stringify(statuses.map(({ session, status }) => ({ stack: name, provider: session.alias, url: session.settings.url, locked: status !== undefined,
        ...(status ? { lock: { ...status, forceUnlockCommand: xsnapCommand(["force-unlock", status.info.id], { config: opts.config, stack: name }) } } : {}) })), null, 2));
    } else {
      io.out(statuses.map(({ session, status }) => status
        ? `Stack "${name}" is locked on pool ${session.settings.url}.\n${lockInfoText(status)}\n\n${forceUnlockAdvice(status, name, opts)}`
        : `Stack "${name}" is not locked on pool ${session.settings.url}.`).join("\n\n"));
    }
    return EXIT.ok;
  } finally {
    await closeAll(sessions);
  }
}

async function runForceUnlock(id: string, opts: LockOptions, io: Io): Promise<ExitCode> {
  const stack = await loadOptionalStack(opts, io);
  const name = stackName(stack, opts, "whose lock you mean");
  if (!opts.force) {
    if (!io.interactive) throw new CliFailure("force-unlock asks for confirmation: pass --force when there is no terminal");
    const yes = await askYes(io, `Do you really want to force-unlock stack "${name}"?\n  xsnap will remove the lock ${id}. This will not modify your infrastructure.\n  Only 'yes' will be accepted to confirm.`);
    if (!yes) {
      io.out("force-unlock cancelled.");
      return EXIT.cancelled;
    }
  }
  const sessions = await openPools(stack, io);
  try {
    const results = await Promise.all(sessions.map((s) => forceUnlock({ client: s.client, stack: name, id })));
    if (results.includes("removed")) {
      io.out(io.paint.green(`Lock ${id} removed: stack "${name}" is unlocked. This did not modify your infrastructure.`));
      return EXIT.ok;
    }
    const why = results.includes("id_mismatch")
      ? `the lock of stack "${name}" has another ID; run \`${xsnapCommand(["lock", "status"], { config: opts.config, stack: name })}\` to see it`
      : `stack "${name}" is not locked`;
    throw new CliFailure(`nothing removed: ${why}`);
  } finally {
    await closeAll(sessions);
  }
}
