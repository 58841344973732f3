/**
 * The approval prompt (Terraform's backend_apply.go): only the exact answer `yes` approves. Without
 * a terminal there is nobody to ask, so the caller must have failed closed before calling this.
 */
import { createInterface } from "node:readline";
import type { Io } from "./io";

export interface ApprovalQuestion {
  readonly pool: string;
  readonly destroy: boolean;
  /** Addresses lost for good (destroy, replace, revert): repeated right above the question. */
  readonly destructive: readonly string[];
}

export function approvalText(q: ApprovalQuestion): string {
  const lines = q.destroy
    ? [`Do you really want to destroy all resources of this stack on pool "${q.pool}"?`, "  There is no undo. Only 'yes' will be accepted to confirm."]
    : [`Do you want to perform these actions on pool "${q.pool}"?`, "  xsnap will perform the actions described above."];
  if (q.destructive.length > 0 && !q.destroy) {
    lines.push("  These changes cannot be undone:", ...q.destructive.map((a) => `    ${a}`));
  }
  if (!q.destroy) lines.push("  Only 'yes' will be accepted to approve.");
  return lines.join("\n");
}

export async function askApproval(io: Io, q: ApprovalQuestion, signal?: AbortSignal): Promise<boolean> {
  return askYes(io, approvalText(q), signal);
}

/** Asks `question`, then `Enter a value:`; true only for the exact answer `yes`. */
export async function askYes(io: Io, question: string, signal?: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  process.stdout.write(`${io.paint.bold(question)}\n\n  Enter a value: `);
  const answer = await new Promise<string>((resolve) => {
    rl.once("line", resolve);
    rl.once("close", () => resolve(""));
    signal?.addEventListener("abort", () => resolve(""), { once: true });   // Ctrl-C at the prompt = no
  });
  rl.close();
  process.stdout.write("\n");
  return answer.trim() === "yes";
}
