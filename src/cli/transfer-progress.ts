/**
 * Progress of a long XVA transfer (DESIGN §4): a live bar (bytes, rate, ETA) when stderr is a
 * terminal, drawn by `cli-progress`; otherwise a `Still exporting... [10s elapsed, 1.2 GiB]` line every
 * 10 s; with `--json`, the same as `transfer_progress` events (Terraform's machine-readable UI shape
 * that `apply --json` uses).
 */
import type { SingleBar as Bar } from "cli-progress";
import type { TransferProgress } from "../resources/xva-file";
import type { Io } from "./io";

const PERIOD_MS = 10_000;

import { formatBytes } from "../model";

const VERB: Readonly<Record<TransferProgress["phase"], string>> = { export: "exporting", verify: "verifying", upload: "uploading" };

export interface ProgressView {
  readonly update: (progress: TransferProgress) => void;
  /** Stops the bar or the timer; prints nothing more. */
  readonly stop: () => void;
}

export function jsonEvent(type: string, message: string, fields: Record<string, unknown>, level = "info"): string {
  return JSON.stringify({ "@level": level, "@message": message, "@module": "xsnap.ui", "@timestamp": new Date().toISOString(), type, ...fields });
}

export function showProgress(io: Io, options: { readonly json: boolean; readonly stderrIsTTY: boolean }): ProgressView {
  const started = Date.now();
  let last: TransferProgress | undefined;
  if (!options.json && options.stderrIsTTY) return liveBar(started);
  const line = (): void => {
    if (!last) return;
    const elapsed = Math.round((Date.now() - started) / 1000);
    const of = last.total !== undefined ? ` of ${formatBytes(last.total)}` : "";
    const message = `Still ${VERB[last.phase]}... [${elapsed}s elapsed, ${formatBytes(last.bytes)}${of}]`;
    io.out(options.json
      ? jsonEvent("transfer_progress", message, { transfer: { phase: last.phase, bytes: last.bytes, ...(last.total !== undefined ? { total: last.total } : {}), elapsed_seconds: elapsed } })
      : message);
  };
  const timer = setInterval(line, PERIOD_MS);
  timer.unref();
  return { update: (p) => { last = p; }, stop: () => clearInterval(timer) };
}

function liveBar(started: number): ProgressView {
  // Loaded only when a bar is drawn: every xsnap command starts faster without it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SingleBar } = require("cli-progress") as { SingleBar: typeof Bar };
  const bar = new SingleBar({
    format: "{phase} {bar} {percent} {done}{total} | {rate} | ETA {eta}",
    barsize: 30, hideCursor: true, fps: 5, stream: process.stderr, clearOnComplete: false,
    barCompleteChar: "█", barIncompleteChar: "░",
  });
  let phase: TransferProgress["phase"] | undefined;
  const payload = (p: TransferProgress): Record<string, string> => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = p.bytes / seconds;
    const eta = p.total !== undefined && rate > 0 ? Math.round((p.total - p.bytes) / rate) : undefined;
    return {
      phase: VERB[p.phase].padEnd(9), done: formatBytes(p.bytes), total: p.total !== undefined ? ` / ${formatBytes(p.total)}` : "",
      percent: p.total ? `${Math.floor((100 * p.bytes) / p.total)}%`.padStart(4) : "    ",
      rate: `${formatBytes(rate)}/s`, eta: eta === undefined ? "--" : `${eta}s`,
    };
  };
  return {
    update: (p) => {
      // Exports have no known total (XAPI sends no length): the bar then only shows bytes and rate.
      const total = p.total ?? 0;
      if (phase !== p.phase) {
        if (phase !== undefined) bar.stop();
        phase = p.phase;
        bar.start(Math.max(1, total), 0, payload(p));
      }
      bar.update(p.total !== undefined ? p.bytes : 0, payload(p));
    },
    stop: () => { if (phase !== undefined) bar.stop(); },
  };
}
