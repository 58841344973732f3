/**
 * Colour for renderers (STYLE: Terraform's colour markup resolved at the end). Renderers receive a
 * Paint and never look at the terminal; the CLI decides which one to pass. `plain` is the identity,
 * used for NO_COLOR, non-TTY output, files and tests, so plain output is byte-stable.
 */
import { createColors } from "picocolors";

export interface Paint {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

const same = (s: string): string => s;
export const plain: Paint = { green: same, red: same, yellow: same, cyan: same, bold: same, dim: same };

const colors = createColors(true);
export const ansi: Paint = {
  green: colors.green, red: colors.red, yellow: colors.yellow, cyan: colors.cyan, bold: colors.bold, dim: colors.dim,
};

export interface ColorContext {
  /** `--no-color` was given. */
  readonly noColorFlag: boolean;
  /** The process environment (NO_COLOR with any non-empty value turns colour off, per no-color.org). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether the stream the text goes to is a terminal. */
  readonly isTTY: boolean;
}

/** Colour only on a terminal, never with NO_COLOR or --no-color. */
export function choosePaint(ctx: ColorContext): Paint {
  const noColorEnv = (ctx.env.NO_COLOR ?? "") !== "";
  return ctx.noColorFlag || noColorEnv || !ctx.isTTY ? plain : ansi;
}

/** Removes ANSI colour codes: tests and width computations compare what a reader sees. */
export const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, "");
