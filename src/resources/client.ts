/**
 * The part of the XAPI client the kinds and the engine use (helper H3's `src/xapi` client).
 * Mirrored here as a type until `src/xapi/index.ts` exports it; kinds depend on nothing else.
 */
import type { OpaqueRef, XapiValue } from "../xapi/types";
import type { PoolView } from "../xapi/records";

export interface CallAsyncOptions {
  readonly onProgress?: (fraction: number) => void;
  readonly onTask?: (task: OpaqueRef) => void;
  readonly signal?: AbortSignal;
}

export interface XapiClient {
  readonly url: string;
  /** Calls `method` with the session prepended. Throws XapiError { code, params, method }. */
  call(method: string, params?: readonly XapiValue[]): Promise<XapiValue>;
  /** `Async.<method>`, waits for the task, returns its decoded result. */
  callAsync(method: string, params: readonly XapiValue[], opts?: CallAsyncOptions): Promise<XapiValue>;
  readPoolView(): Promise<PoolView>;
  close(): Promise<void>;
}

/** XapiError's shape, matched structurally so this layer needs no runtime import of the client. */
export interface XapiErrorLike {
  readonly code: string;
  readonly params: readonly string[];
}

/** Decides on the error code, never on message text (STYLE). */
export const xapiCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" &&
  Array.isArray((e as { params?: unknown }).params) ? (e as XapiErrorLike).code : undefined;
