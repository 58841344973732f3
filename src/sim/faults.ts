/**
 * Injected faults for tests (`POST /sim/faults`, DESIGN §7): per method, an XAPI error, a dropped
 * connection or a call that never answers; `after` lets that many matching calls through first,
 * `times` is how often it fires (default once).
 */
export type FaultAction =
  | { readonly kind: "error"; readonly code: string; readonly params: readonly string[] }
  | { readonly kind: "drop" | "hang" };

export interface FaultSpec {
  readonly method: string;
  readonly error: readonly string[] | "drop" | "hang";
  readonly times?: number;
  readonly after?: number;
}

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
  const validError =
    error === "drop" || error === "hang" || (Array.isArray(error) && error.length > 0 && error.every((x) => typeof x === "string"));
  if (!validError) throw new FaultSpecError('fault.error must be [code, ...params], "drop" or "hang"');
  for (const key of ["times", "after"] as const) {
    if (r[key] !== undefined && !(Number.isInteger(r[key]) && (r[key] as number) >= 0)) {
      throw new FaultSpecError(`fault.${key} must be a non-negative integer`);
    }
  }
  return { method: r.method, error: error as FaultSpec["error"], times: r.times as number | undefined, after: r.after as number | undefined };
}

export class FaultSet {
  private faults: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    const action: FaultAction =
      spec.error === "drop" || spec.error === "hang"
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
      return f.action;
    }
    return undefined;
  }
}
