/**
 * Where command output goes. Commands write whole strings from renderers; colour is decided once,
 * per stream (stdout may be a pipe while stderr is a terminal).
 */
import { choosePaint, type Paint } from "../render/paint";

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly paint: Paint;
  readonly errPaint: Paint;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when a human can answer a prompt (stdin is a terminal). */
  readonly interactive: boolean;
  /** True when stdout is a terminal: live task progress is shown only there. */
  readonly outIsTTY: boolean;
  /**
   * Calls `listener` once when stdout or stderr goes away (closed pipe `| head -1`, terminal closed):
   * the command then behaves as on a first Ctrl-C. Writes to a closed stream are dropped.
   */
  readonly onOutputGone: (listener: () => void) => void;
}

export function processIo(options: { readonly color?: boolean }, env: Io["env"] = process.env): Io {
  const noColorFlag = options.color === false;
  const gone = watchOutput();
  const write = (stream: NodeJS.WriteStream, text: string): void => {
    if (gone.closed(stream)) return;
    try {
      stream.write(text.endsWith("\n") ? text : `${text}\n`);
    } catch {
      gone.close(stream);   // ERR_STREAM_DESTROYED: the reader went away between two writes
    }
  };
  return {
    out: (text) => write(process.stdout, text),
    err: (text) => write(process.stderr, text),
    onOutputGone: gone.subscribe,
    paint: choosePaint({ noColorFlag, env, isTTY: process.stdout.isTTY === true }),
    errPaint: choosePaint({ noColorFlag, env, isTTY: process.stderr.isTTY === true }),
    env,
    interactive: process.stdin.isTTY === true,
    outIsTTY: process.stdout.isTTY === true,
  };
}

type OutputWatch = ReturnType<typeof outputWatch>;
let watch: OutputWatch | undefined;

/**
 * Watches stdout and stderr for EPIPE / destruction once per process: without an `error` listener a
 * closed pipe crashes Node with a stack trace and leaves the pool lock held for its whole lease. The
 * CLI entry point starts it before anything is printed, so that output no command writes (commander's
 * help and version, `xsnap --help | head -1`) ends quietly on a closed pipe too.
 */
export function watchOutput(): OutputWatch {
  watch ??= outputWatch();
  return watch;
}

function outputWatch(): { closed(s: NodeJS.WriteStream): boolean; close(s: NodeJS.WriteStream): void; subscribe(l: () => void): void } {
  const closedStreams = new Set<NodeJS.WriteStream>();
  const listeners: (() => void)[] = [];
  let fired = false;
  const close = (s: NodeJS.WriteStream): void => {
    closedStreams.add(s);
    if (fired) return;
    fired = true;
    for (const l of listeners) l();
  };
  for (const s of [process.stdout, process.stderr]) {
    s.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED" || e.code === "EIO") close(s);
    });
  }
  return {
    closed: (s) => closedStreams.has(s),
    close,
    subscribe: (l) => {
      if (fired) l();
      else listeners.push(l);
    },
  };
}

/** `XSNAP_IN_AUTOMATION` drops next-step hints; unlike Terraform, "0" and "false" count as unset. */
export function inAutomation(env: Io["env"]): boolean {
  const v = (env.XSNAP_IN_AUTOMATION ?? "").trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false";
}
