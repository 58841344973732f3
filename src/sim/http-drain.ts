/** Backpressure for the simulator's streamed HTTP answers (RPC results, VM exports). */
import type { ServerResponse } from "node:http";

/**
 * Resolves on 'drain' or 'close', removing both listeners: a client that died never drains, and a
 * race of two `once` calls would leak one listener per wait.
 */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
