/**
 * XAPI `message` objects (alerts) that operations leave behind, e.g. VM_SNAPSHOTTED (priority 5, class VM,
 * obj_uuid = the source VM; `message_forwarding.ml`, `api_messages.ml`).
 */
import type { Simulator } from "./simulator";

export function postMessage(sim: Simulator, name: string, cls: string, objUuid: string, body: string, priority = 5): void {
  sim.db.create("message", { name, priority, cls, obj_uuid: objUuid, timestamp: new Date(), body });
}

/** `X.Y.Z` ≥ `A.B.C`, numerically per component ("26.1.16" ≥ "21.4.0", "1.160" < "21.4.0"). */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const b = min.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
