/**
 * The client surface the kinds and the engine use: the `src/xapi` client's own types, plus one
 * structural error-code reader so this layer needs no runtime import of the client (and fakes in
 * tests need no XapiError instances).
 */
import type { XapiClient as FullXapiClient } from "../xapi";
export type { CallAsyncOptions } from "../xapi";

/** The whole client: kinds get calls, tasks and HTTP streams (export/import) alike. */
export type XapiClient = FullXapiClient;

/** XapiError's shape, matched structurally so this layer needs no runtime import of the client. */
export interface XapiErrorLike {
  readonly code: string;
  readonly params: readonly string[];
}

/** Decides on the error code, never on message text (STYLE). */
export const xapiCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string" &&
  Array.isArray((e as { params?: unknown }).params) ? (e as XapiErrorLike).code : undefined;
