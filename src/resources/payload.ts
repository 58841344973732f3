/**
 * Kind payloads (`Change.private`) come back from saved plans, which are files a person can edit: each
 * kind decodes its own with a schema instead of casting, and names what is wrong.
 */
import type { z } from "zod";
import type { Change } from "../model";

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** `private.create.vm: expected string, received number` — the first problems, one line. */
export function describeIssues(error: z.ZodError, root: string): string {
  return error.issues.slice(0, 3).map((i) => `${[root, ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
}

export function decodePayload<S extends z.ZodType>(schema: S, change: Change): Decoded<z.infer<S>> {
  const parsed = schema.safeParse(change.private);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: describeIssues(parsed.error, "private") };
}

/** A JSON text (a registry entry) that `schema` accepts, or undefined when it is not one. */
export function decodeJson<S extends z.ZodType>(schema: S, value: string | undefined): z.infer<S> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;   // not JSON
  }
}

/** What is wrong with the payload, or undefined when it decodes (a kind's `checkPayload`). */
export function payloadProblem<S extends z.ZodType>(schema: S, change: Change): string | undefined {
  const decoded = decodePayload(schema, change);
  return decoded.ok ? undefined : decoded.message;
}

/** The payload, or a throw naming the address (apply only runs payloads the plan-file check accepted). */
export function payloadOf<S extends z.ZodType>(schema: S, change: Change): z.infer<S> {
  const decoded = decodePayload(schema, change);
  if (!decoded.ok) throw new Error(`${change.address}: the plan carries no valid ${change.type} step (${decoded.message}); was the plan file edited?`);
  return decoded.value;
}
