/** Short constructors for attribute definitions, so the schema tables read like DESIGN §3. */
import type { AttributeSchema, AttrType } from "./types";

type Extra = Omit<AttributeSchema, "name" | "type" | "description" | "required" | "optional" | "computed">;

export const required = (name: string, type: AttrType, description: string, extra: Extra = {}): AttributeSchema =>
  ({ name, type, description, required: true, ...extra });

export const optional = (name: string, type: AttrType, description: string, extra: Extra = {}): AttributeSchema =>
  ({ name, type, description, optional: true, ...extra });

export const computed = (name: string, type: AttrType, description: string): AttributeSchema =>
  ({ name, type, description, computed: true });

/** An input that, when left out, is filled in from the pool (e.g. `data.xapi_vm.uuid`). */
export const optionalComputed = (name: string, type: AttrType, description: string, extra: Extra = {}): AttributeSchema =>
  ({ name, type, description, optional: true, computed: true, ...extra });

/** Weekday names VMSS accepts in `schedule:days` (reference/xapi.md §2.5). */
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

/** VM power states as XAPI spells them (datamodel enum vm_power_state). */
export const POWER_STATES = ["Halted", "Paused", "Running", "Suspended"] as const;
