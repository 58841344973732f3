/**
 * Injected faults for tests (`POST /sim/faults`, DESIGN §7): per method, an XAPI error, a dropped
 * connection, a call that never answers, or a call that runs and then loses its answer; `after` lets
 * that many matching calls through first, `times` is how often it fires (default once).
 * - `"drop"` and `"hang"` fire before the call runs: the pool did nothing.
 * - `"drop-after"` runs the call (an `Async.` call starts its task) and then closes the connection
 *   instead of answering: the pool did the work, the client cannot know (a lost answer).
 * - Codes XAPI's session check raises before dispatch (SESSION_INVALID, HOST_IS_SLAVE) answer an
 *   `Async.` call directly, with no task, as XAPI does (reference §1.5). `["HOST_IS_SLAVE"]` without
 *   an address names the simulator's own `host:port` (a master that moved to where the client can
 *   follow; the client honours `host:port`, see xapi/session.ts `masterUrl`).
 */
export type FaultAction =
  | { readonly kind: "error"; readonly code: string; readonly params: readonly string[] }
  | { readonly kind: "drop" | "hang" | "drop-after" };

type Lost = "drop" | "hang" | "drop-after";
const LOST: readonly Lost[] = ["drop", "hang", "drop-after"];
const isLost = (v: unknown): v is Lost => LOST.includes(v as Lost);

export interface FaultSpec {
  readonly method: string;
  readonly error: readonly string[] | Lost;
  readonly times?: number;
  readonly after?: number;
}

/** Codes raised by XAPI's session check, before the call is dispatched (and before any task exists). */
export const SESSION_CHECK_CODES: ReadonlySet<string> = new Set(["SESSION_INVALID", "HOST_IS_SLAVE"]);

interface ArmedFault {
  readonly method: string;
  readonly action: FaultAction;
  remaining: number;
  skip: number;
}

/** Why a fault list was refused (the control endpoint answers 400 with it). */
export class FaultSpecError extends Error {}

export function parseFaultSpec(raw: unknown): FaultSpec {
  if (raw === null || typeof raw !== "object") throw new FaultSpecError("a fault must be an object");
  const r = raw as Record<string, unknown>;
  if (typeof r.method !== "string" || r.method === "") throw new FaultSpecError("fault.method must be a method name");
  const error = r.error;
  const validError = isLost(error) || (Array.isArray(error) && error.length > 0 && error.every((x) => typeof x === "string"));
  if (!validError) throw new FaultSpecError('fault.error must be [code, ...params], "drop", "hang" or "drop-after"');
  for (const key of ["times", "after"] as const) {
    if (r[key] !== undefined && !(Number.isInteger(r[key]) && (r[key] as number) >= 0)) {
      throw new FaultSpecError(`fault.${key} must be a non-negative integer`);
    }
  }
  return { method: r.method, error: error as FaultSpec["error"], times: r.times as number | undefined, after: r.after as number | undefined };
}

export class FaultSet {
  private faults: ArmedFault[] = [];
  /** `host:port` the simulator listens on: what a bare `["HOST_IS_SLAVE"]` names as the master. */
  ownAddress: string | undefined;

  add(spec: FaultSpec): void {
    const action: FaultAction = isLost(spec.error)
      ? { kind: spec.error }
      : { kind: "error", code: spec.error[0] ?? "INTERNAL_ERROR", params: spec.error.slice(1) };
    this.faults.push({ method: spec.method, action, remaining: spec.times ?? 1, skip: spec.after ?? 0 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault for this call, if one fires now (`method` without the `Async.` prefix). */
  take(method: string): FaultAction | undefined {
    for (const f of this.faults) {
      if (f.method !== method || f.remaining <= 0) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      f.remaining--;
      const a = f.action;
      if (a.kind === "error" && a.code === "HOST_IS_SLAVE" && a.params.length === 0 && this.ownAddress !== undefined) {
        return { kind: "error", code: a.code, params: [this.ownAddress] };
      }
      return a;
    }
    return undefined;
  }
}
