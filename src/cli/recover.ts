/**
 * `xsnap recover [--adopt ID | --discard ID]` (DESIGN §4/§5): the pending operations an interrupted
 * apply left. Without a flag it lists them with what each choice would do (a read: no lock, so it
 * works while a killed run's lock is held), and exits 6 when one of them blocks apply (ambiguous).
 * With a flag it settles that one under the lock: adopt claims the object the step created, discard
 * removes the record and uninstalls what the step half-created.
 */
import type { Command } from "commander";
import { builtinKinds, outcomeOfIntent, readIntents, recoverIntent, resolveIntents } from "../engine";
import { assertNever, type IntentResolution } from "../model";
import type { KindIntentOutcome, IntentRecord, KindRegistry } from "../resources/kind";
import type { Paint } from "../render/paint";
import { asUuid } from "../xapi/types";
import type { PoolView } from "../xapi/records";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { xsnapCommand } from "./hints";
import { processIo, type Io } from "./io";
import { withLockedStack, withLockedStackOptions, type LockedStack, type LockedStackFlags } from "./locked-stack";

interface RecoverOptions extends LockedStackFlags {
  readonly adopt?: string;
  readonly discard?: string;
  readonly uuid?: string;
}

export function register(program: Command, setExit: (code: number) => void): void {
  withLockedStackOptions(program.command("recover")
    .description("list the pending operations an interrupted apply left, or settle one with --adopt ID / --discard ID"))
    .option("--adopt <id>", "claim what the interrupted step created as its address (the next apply records its configuration)")
    .option("--discard <id>", "drop the record and uninstall, with its disks, whatever the step half-created")
    .option("--uuid <uuid>", "with --adopt, which candidate to claim when the step left several")
    .action(async (opts: RecoverOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runRecover(opts, io));
    });
}

export async function runRecover(opts: RecoverOptions, io: Io): Promise<ExitCode> {
  if (opts.adopt !== undefined && opts.discard !== undefined) throw new CliFailure("--adopt and --discard settle one operation in one way: give only one of them");
  if (opts.uuid !== undefined && opts.adopt === undefined) throw new CliFailure("--uuid chooses the object to adopt: it goes with --adopt ID");
  if (opts.adopt === undefined && opts.discard === undefined) return withLockedStack(opts, io, "recover", (s) => list(s, io), { lock: false });
  return withLockedStack(opts, io, "recover", (s) => settle(s, opts, io));
}

async function settle(s: LockedStack, opts: RecoverOptions, io: Io): Promise<ExitCode> {
  const decision = opts.adopt !== undefined ? "adopt" : "discard";
  const id = opts.adopt ?? opts.discard ?? "";
  for (const session of s.sessions) {
    const result = await recoverIntent({ client: session.client, stack: s.stack, id, decision, ...(opts.uuid ? { uuid: asUuid(opts.uuid.toLowerCase()) } : {}) });
    if (result.ok) {
      io.out(io.paint.green(result.summary));
      return EXIT.ok;
    }
    if (result.reason === "not_found") continue;   // another pool of the stack may hold it
    const candidates = result.candidates?.length ? `\n\nCandidates:\n${result.candidates.map((c) => `  - ${c}`).join("\n")}\n\nChoose one with: ${xsnapCommand(["recover", "--adopt", id, "--uuid", "UUID"], opts)}` : "";
    throw new CliFailure(`${result.message}${candidates}`);
  }
  throw new CliFailure(`no pending operation ${id} for stack "${s.stack}"; run \`${xsnapCommand(["recover"], opts)}\` to list them`);
}

async function list(s: LockedStack, io: Io): Promise<ExitCode> {
  const kinds = builtinKinds();
  let blocking = false;
  let pending = 0;
  const sections: string[] = [];
  for (const session of s.sessions) {
    const view = await session.client.readPoolView();
    const resolutions = resolveIntents(view, s.stack, kinds).resolutions;
    const where = `stack "${s.stack}" on pool ${session.settings.url}`;
    if (resolutions.length === 0) {
      sections.push(`No pending operations for ${where}.`);
      continue;
    }
    pending += resolutions.length;
    blocking ||= resolutions.some((r) => r.status === "ambiguous");
    const records = new Map(readIntents(view, s.stack).map((r) => [r.id, r]));
    sections.push([io.paint.bold(`Pending operations from an interrupted apply, ${where}:`),
      ...resolutions.map((r) => describeIntent(r, outcomeOf(records.get(r.id), view, s.stack, kinds), io.paint))].join("\n\n"));
  }
  if (blocking) sections.push("Apply is blocked (exit 6) until each AMBIGUOUS operation is settled with --adopt or --discard.");
  else if (pending > 0) sections.push("None of them blocks apply: the next `xsnap apply` settles them as its plan shows, or settle one here.");
  io.out(sections.join("\n\n"));
  return blocking ? EXIT.unresolvedIntents : EXIT.ok;
}

/** The kind's own reading of the intent: what recoverIntent acts on. */
function outcomeOf(record: IntentRecord | { readonly unreadable: string } | undefined, view: PoolView, stack: string, kinds: KindRegistry): KindIntentOutcome | undefined {
  if (!record || "unreadable" in record) return undefined;
  return outcomeOfIntent(view, stack, record, kinds);
}

/** How `xsnap apply` settles the intent by itself (the same words as the plan's section). */
const NEXT_APPLY: Readonly<Record<Exclude<IntentResolution["status"], "ambiguous">, string>> = {
  done: "clears the record", adopt: "adopts it", discard: "discards it",
};

function describeIntent(r: IntentResolution, outcome: KindIntentOutcome | undefined, paint: Paint): string {
  const status = r.status === "ambiguous" ? paint.red("AMBIGUOUS: blocks apply") : `the next apply ${NEXT_APPLY[r.status]}`;
  const head = `  ${paint.bold(r.id)}  ${r.address || "(unreadable record)"}: ${r.op} started ${r.started || "?"} [${status}]`;
  const candidates = (r.candidates ?? []).map((c) => `      candidate: ${c}`);
  const { adopt, discard } = choices(r, outcome);
  return [head, `      ${r.detail}`, ...candidates,
    `      --adopt ${r.id}${needsUuid(outcome) ? " --uuid UUID" : ""}: ${adopt}`, `      --discard ${r.id}: ${discard}`].join("\n");
}

const needsUuid = (outcome: KindIntentOutcome | undefined): boolean => outcome?.status === "ambiguous" && (outcome.candidateUuids?.length ?? 0) > 1;

/** What `--adopt` and `--discard` would do, in the same cases recoverIntent distinguishes. */
function choices(r: IntentResolution, outcome: KindIntentOutcome | undefined): { readonly adopt: string; readonly discard: string } {
  if (!outcome) return { adopt: "refused: this version of xsnap cannot adopt it", discard: "removes the record only" };
  const disks = (list: readonly unknown[] | undefined): string => (list?.length ? `, and destroys ${list.length} leftover disk(s)` : "");
  switch (outcome.status) {
    case "done":
      return { adopt: "removes the record (the step had finished)", discard: `removes the record${disks(outcome.cleanup)}` };
    case "discard":
      return { adopt: "refused: nothing to adopt", discard: `removes the record${disks(outcome.cleanup)}` };
    case "adopt":
      return { adopt: `claims ${outcome.live.uuid} as ${r.address}; the next apply records its configuration`,
        discard: `uninstalls ${outcome.live.uuid} with its disks and removes the record` };
    case "ambiguous": {
      const n = outcome.candidateUuids?.length ?? 0;
      const keep = "removes the record; every candidate stays in the pool, unmanaged (`xsnap inventory` lists them)";
      if (n === 0) return { adopt: "refused: nothing to adopt", discard: keep };
      return { adopt: n === 1 ? `claims ${outcome.candidateUuids?.[0]} as ${r.address}` : `claims the candidate UUID as ${r.address}; the next apply records its configuration`, discard: keep };
    }
    default:
      return assertNever(outcome);
  }
}
