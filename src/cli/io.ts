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
}

export function processIo(options: { readonly color?: boolean }, env: Io["env"] = process.env): Io {
  const noColorFlag = options.color === false;
  return {
    out: (text) => { process.stdout.write(text.endsWith("\n") ? text : `${text}\n`); },
    err: (text) => { process.stderr.write(text.endsWith("\n") ? text : `${text}\n`); },
    paint: choosePaint({ noColorFlag, env, isTTY: process.stdout.isTTY === true }),
    errPaint: choosePaint({ noColorFlag, env, isTTY: process.stderr.isTTY === true }),
    env,
    interactive: process.stdin.isTTY === true,
    outIsTTY: process.stdout.isTTY === true,
  };
}

/** `XSNAP_IN_AUTOMATION` drops next-step hints; unlike Terraform, "0" and "false" count as unset. */
export function inAutomation(env: Io["env"]): boolean {
  const v = (env.XSNAP_IN_AUTOMATION ?? "").trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false";
}
