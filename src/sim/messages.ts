/**
 * XAPI `message` objects (alerts) that operations leave behind, e.g. VM_SNAPSHOTTED (priority 5, class VM,
 * obj_uuid = the source VM; `message_forwarding.ml`, `api_messages.ml`).
 */
import type { Simulator } from "./simulator";

export function postMessage(sim: Simulator, name: string, cls: string, objUuid: string, body: string, priority = 5): void {
  sim.db.create("message", { name, priority, cls, obj_uuid: objUuid, timestamp: new Date(), body });
}
