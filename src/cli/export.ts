/** `xsnap export SNAPSHOT --out FILE [--compress]`: one snapshot or checkpoint to an XVA file, with progress. */
import type { Command } from "commander";
import { exportSnapshotToFile, isXvaFileError } from "../resources/xva-file";
import { CliFailure, EXIT, type ExitCode } from "./exit-codes";
import { runCommand } from "./failure";
import { installInterrupts } from "./interrupts";
import { processIo, type Io } from "./io";
import { withPoolOptions } from "./options";
import { openSinglePool } from "./transfer-pool";
import { formatBytes } from "../model";
import { jsonEvent, showProgress } from "./transfer-progress";
import { findSnapshot } from "./transfer-targets";

interface ExportOptions {
  readonly out: string;
  readonly compress?: boolean;
  readonly json?: boolean;
  readonly config?: string;
  readonly stack?: string;
  readonly color: boolean;
}

export function register(program: Command, setExit: (code: number) => void): void {
  withPoolOptions(program.command("export").description("export a snapshot or checkpoint to an XVA file (streamed, with progress)"))
    .argument("<snapshot>", "uuid or exact name of a snapshot or checkpoint")
    .requiredOption("--out <file>", "the XVA file to write (written as FILE.partial, then renamed)")
    .option("--compress", "ask the pool to gzip the XVA (use_compression=true)")
    .option("--json", "machine-readable progress and result, one JSON object per line")
    .action(async (snapshot: string, opts: ExportOptions) => {
      const io = processIo(opts);
      await runCommand(io, setExit, () => runExport(snapshot, opts, io));
    });
}

export async function runExport(snapshotArg: string, opts: ExportOptions, io: Io): Promise<ExitCode> {
  const pool = await openSinglePool(opts, io);
  const interrupts = installInterrupts(io);
  const progress = showProgress(io, { json: opts.json === true, stderrIsTTY: process.stderr.isTTY === true });
  try {
    const snapshot = await findSnapshot(pool.client, snapshotArg);
    const name = String(snapshot.record.name_label);
    if (!opts.json) io.out(`Exporting "${name}" to ${opts.out}${opts.compress ? " (gzip)" : ""}...`);
    const facts = await exportSnapshotToFile(pool.client, {
      snapshot: snapshot.ref, path: opts.out, ...(opts.compress ? { compress: true } : {}),
      onProgress: progress.update, signal: interrupts.signal,
    });
    progress.stop();
    const message = `Exported "${name}" to ${facts.path}: ${formatBytes(facts.bytes)}, sha256 ${facts.sha256}`;
    io.out(opts.json ? jsonEvent("transfer_complete", message, { transfer: { phase: "export", path: facts.path, bytes: facts.bytes, sha256: facts.sha256, snapshot_uuid: String(snapshot.record.uuid) } }) : message);
    return EXIT.ok;
  } catch (e) {
    if (interrupts.interrupted()) throw new CliFailure(`Export interrupted; ${opts.out} was not written.`, EXIT.cancelled);
    if (isXvaFileError(e)) throw new CliFailure(e.message);
    throw e;
  } finally {
    progress.stop();
    interrupts.dispose();
    await pool.close();
  }
}
