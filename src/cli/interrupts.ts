/**
 * Ctrl-C during planning and apply (DESIGN §5, Terraform's opWait): the first SIGINT, SIGTERM or
 * SIGHUP — or the output going away (a closed pipe, a closed terminal) — aborts the signal so no new
 * work starts, in-flight work finishes and the lock is released; a second signal exits at once,
 * leaving intents and the lock for `xsnap recover` / the lease to resolve.
 */
import { CliFailure, EXIT } from "./exit-codes";
import type { Io } from "./io";

export interface Interrupts {
  readonly signal: AbortSignal;
  /** Whether a first interrupt arrived. */
  readonly interrupted: () => boolean;
  /** Tells the second interrupt which exit code to use once pool changes may have started. */
  readonly mutating: () => void;
  readonly dispose: () => void;
}

/** `planCommand`: `xsnap plan` as the user would type it where they stand (with their --config / --stack). */
export function installInterrupts(io: Io, planCommand = "xsnap plan"): Interrupts {
  const controller = new AbortController();
  let count = 0;
  let mutating = false;
  const onSignal = (): void => {
    count++;
    if (count === 1) {
      controller.abort();
      io.err(io.errPaint.yellow("Interrupt received. Please wait for xsnap to exit or pending operations may be left unresolved."));
      return;
    }
    io.err(io.errPaint.red(
      `Two interrupts received. Exiting immediately. Operations in flight are recorded as pending; run \`${planCommand}\` to see them and \`xsnap recover\` if it asks.`));
    process.exit(mutating ? EXIT.applyIncomplete : EXIT.cancelled);
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const s of signals) process.on(s, onSignal);
  io.onOutputGone(() => {
    // Nobody reads any more: stop starting work, as a first Ctrl-C; a later signal still exits at once.
    if (count === 0) {
      count++;
      controller.abort();
    }
  });
  return {
    signal: controller.signal,
    interrupted: () => count > 0,
    mutating: () => { mutating = true; },
    dispose: () => { for (const s of signals) process.off(s, onSignal); },
  };
}

/** The failure an interrupt ends a command with before it changed anything (DESIGN §4: exit 7). */
export const cancelledBeforeChange = (what: string): CliFailure => new CliFailure(`${what}; nothing was changed.`, EXIT.cancelled);

/**
 * Read-only work (running the cdktf app, logging in, reading and planning the pool) that the first
 * interrupt abandons at once: nothing in it changes the pool, so there is nothing to wait for. It
 * then rejects with exit 7; `late` receives a result that still arrives (to close its sessions).
 * Work is not started when the interrupt came first. `what` opens the message: "Planning interrupted".
 */
export function interruptible<T>(signal: AbortSignal, what: string, work: () => Promise<T>, late?: (value: T) => unknown): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelledBeforeChange(what));
  const running = work();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(cancelledBeforeChange(what));
      running.then((value) => late?.(value)).catch(() => undefined);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    running.then(
      (value) => { signal.removeEventListener("abort", onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener("abort", onAbort); reject(error); },
    );
  });
}
