/**
 * `xsnap restore FILE --sr SR [--name NAME]`: import an XVA file into a pool (disaster recovery, a
 * copy, a move to another pool), with progress. A corrupt or truncated file is refused by the pool,
 * which keeps nothing of it (reference/xapi.md §3.15.3); exit 1 with the reason.
 */
import { InvalidArgumentError, type Command } from "commander";
import { statSync } from "node:fs";
import { importXvaFile, isXvaFileError } from "../resources/xva-file";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { installInterrupts } from "./interrupts";
import { processIo, type Io } from "./io";
import { withPoolOptions } from "./options";
import { openSinglePool } from "./transfer-pool";
import { formatBytes } from "../model";
import { jsonEvent, showProgress } from "./transfer-progress";
import { findSr } from "./transfer-targets";

interface RestoreOptions {
  readonly sr: string;
  readonly name?: string;
  readonly sha256?: string;
  readonly json?: boolean;
  readonly config?: string;
  readonly stack?: string;
  readonly color: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  withPoolOptions(program.command("restore").description("import an XVA file into the pool (streamed, with progress)"))
    .argument("<file>", "the XVA file (plain or gzip)")
    .requiredOption("--sr <sr>", "uuid or exact name of the SR that receives the disks")
    .option("--name <name>", "rename the imported VM or template")
    .option("--sha256 <hex>", "refuse the file unless it has this SHA-256 (checked before uploading)", parseSha256)
    .option("--json", "machine-readable progress and result, one JSON object per line")
    .action(async (file: string, opts: RestoreOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runRestore(file, opts, io));
    });
}

function parseSha256(value: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError("expected a SHA-256 digest: 64 hex digits.");
  return value.toLowerCase();
}

/** The file is checked before the pool is contacted: a typo must not cost a login and an SR lookup. */
function checkXvaFile(file: string): void {
  let stat;
  try {
    stat = statSync(file);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new CliFailure(code === "ENOENT" ? `${file}: no such file (restore takes an XVA file, e.g. one \`xsnap export\` wrote)` : `${file}: cannot be read (${String(code ?? e)})`);
  }
  if (!stat.isFile()) throw new CliFailure(`${file}: not a file (restore takes an XVA file, plain or gzip)`);
}

export async function runRestore(file: string, opts: RestoreOptions, io: Io): Promise<ExitCode> {
  checkXvaFile(file);
  const pool = await openSinglePool(opts, io);
  const interrupts = installInterrupts(io);
  const progress = showProgress(io, { json: opts.json === true, stderrIsTTY: process.stderr.isTTY === true });
  try {
    const sr = await findSr(pool.client, opts.sr);
    if (!opts.json) io.out(`Restoring ${file} into SR "${sr.name}"...`);
    const imported = await importXvaFile(pool.client, {
      path: file, sr: sr.ref, ...(opts.name !== undefined ? { nameLabel: opts.name } : {}), ...(opts.sha256 !== undefined ? { sha256: opts.sha256 } : {}),
      onProgress: progress.update, signal: interrupts.signal,
    });
    progress.stop();
    const record = (await pool.client.call("VM.get_record", [imported.vm])) as { readonly [k: string]: unknown };
    const kind = record.is_a_template === true ? "template" : "VM";
    const message = `Restored ${file} (${formatBytes(imported.bytes)}) as ${kind} "${String(record.name_label)}" [uuid=${String(record.uuid)}]`;
    io.out(opts.json
      ? jsonEvent("transfer_complete", message, { transfer: { phase: "upload", path: file, bytes: imported.bytes, vm_uuid: String(record.uuid), name_label: String(record.name_label), is_a_template: record.is_a_template === true } })
      : message);
    return EXIT.ok;
  } catch (e) {
    if (interrupts.interrupted()) throw new CliFailure(`Restore interrupted; the pool removes what it had imported.`, EXIT.cancelled);
    if (isXvaFileError(e)) throw new CliFailure(e.message);
    throw e;
  } finally {
    progress.stop();
    interrupts.dispose();
    await pool.close();
  }
}
