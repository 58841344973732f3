/**
 * How simulator handlers report an XAPI error: throw `XapiFailure(code, params)`; the dispatcher turns it
 * into `{Status: "Failure", ErrorDescription: [code, ...params]}` (or a failed task). Codes and parameter
 * orders follow reference/xapi.md §4 ("Raised params").
 */
export class XapiFailure extends Error {
  override readonly name = "XapiFailure";
  constructor(readonly code: string, readonly params: readonly string[] = []) {
    super(`${code}(${params.join(", ")})`);
  }
}

export const isFailure = (e: unknown, code?: string): e is XapiFailure =>
  e instanceof XapiFailure && (code === undefined || e.code === code);

export const handleInvalid = (cls: string, ref: string): XapiFailure => new XapiFailure("HANDLE_INVALID", [cls, ref]);

/** SM errors arrive as `SR_BACKEND_FAILURE_<n> ["", "<description>", "<stderr>"]` (`sm_exec.ml`). */
export const srBackendFailure = (n: number, description: string): XapiFailure =>
  new XapiFailure(`SR_BACKEND_FAILURE_${n}`, ["", description, ""]);

/** Anything a handler throws that is not an XapiFailure becomes INTERNAL_ERROR, as `exnHelper.ml` does. */
export function toFailure(e: unknown): XapiFailure {
  if (e instanceof XapiFailure) return e;
  return new XapiFailure("INTERNAL_ERROR", [e instanceof Error ? e.message : String(e)]);
}
