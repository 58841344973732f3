/**
 * The single place that turns an XAPI call into a log line, with secrets redacted: passwords by
 * method and position, session refs wherever they appear (after xen-api's `index.mjs`, which
 * redacts before any log line).
 */
import type { XapiValue } from "./types";

export type CallLogger = (line: string) => void;

/** Parameter positions (session included) that carry a secret, per method. */
const SECRET_PARAMS: Readonly<Record<string, readonly number[]>> = {
  "session.login_with_password": [1],
  "session.slave_local_login_with_password": [1],
  "session.change_password": [1, 2],
  "pool.join": [3],
  "pool.join_force": [3],
};

function redactValue(value: XapiValue, sessions: ReadonlySet<string>): unknown {
  if (typeof value === "string") return sessions.has(value) ? "OpaqueRef:<session>" : value;
  if (Array.isArray(value)) return value.map((v: XapiValue) => redactValue(v, sessions));
  return value;
}

export function redactParams(method: string, params: readonly XapiValue[], sessions: ReadonlySet<string>): unknown[] {
  const secret = SECRET_PARAMS[method.replace(/^Async\./, "")] ?? [];
  return params.map((p, i) => (secret.includes(i) ? "<redacted>" : redactValue(p, sessions)));
}

/** `→ VM.snapshot("OpaqueRef:<session>", "OpaqueRef:…", "nightly")` */
export function describeCall(method: string, params: readonly XapiValue[], sessions: ReadonlySet<string>): string {
  const shown = redactParams(method, params, sessions).map((p) => {
    const text = JSON.stringify(p) ?? String(p);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  });
  return `${method}(${shown.join(", ")})`;
}
