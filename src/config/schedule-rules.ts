/**
 * VMSS schedule rules (reference/xapi.md §2.5, xapi_vmss.ml + map_check.ml): which keys each
 * frequency takes, the value domains, and the defaults XAPI fills in. Checking them here turns
 * XAPI's apply-time `INVALID_VALUE ["schedule:<key>", v]` into a validation error. Pure.
 */
import { error, isAttrRef, type ConfigValue } from "../model";
import { WEEKDAYS } from "../schema";
import type { CheckContext } from "./attribute-check";

export type Frequency = "hourly" | "daily" | "weekly";

const KEYS: Readonly<Record<Frequency, readonly string[]>> = {
  hourly: ["min"],
  daily: ["hour", "min"],
  weekly: ["hour", "min", "days"],
};
const SCHEDULE_KEYS: readonly string[] = KEYS.weekly;
const DEFAULTS: Readonly<Record<string, ConfigValue>> = { min: 0, hour: 0, days: ["Monday"] };
const MINUTES = [0, 15, 30, 45];

export const isFrequency = (v: unknown): v is Frequency => v === "hourly" || v === "daily" || v === "weekly";

function checkDays(days: ConfigValue, ctx: CheckContext): ConfigValue | undefined {
  if (isAttrRef(days) || !Array.isArray(days)) return days; // type errors are reported by the attribute check
  if (days.length === 0) {
    ctx.diagnostics.push(error("schedule.days must not be empty (give weekday names, e.g. [\"Monday\"])", ctx.address));
    return undefined;
  }
  const normalised: string[] = [];
  let ok = true;
  days.forEach((day: ConfigValue, i: number) => {
    if (typeof day !== "string") return;
    const name = WEEKDAYS.find((w) => w.toLowerCase() === day.toLowerCase());
    if (!name) {
      ctx.diagnostics.push(error(`schedule.days[${i}] must be a weekday name, Monday to Sunday (got ${JSON.stringify(day)})`, ctx.address));
      ok = false;
    } else if (normalised.includes(name)) {
      ctx.diagnostics.push(error(`schedule.days lists ${name} more than once`, ctx.address));
      ok = false;
    } else {
      normalised.push(name);
    }
  });
  return ok ? normalised : undefined;
}

/**
 * Checks a `schedule` block (already type-checked per attribute) against the frequency and returns
 * it normalised as XAPI stores it: only the frequency's keys, defaults filled in, capitalised days.
 * Returns undefined when it is invalid or the frequency is unknown.
 */
export function checkSchedule(
  schedule: Readonly<Record<string, ConfigValue>>,
  frequency: ConfigValue | undefined,
  ctx: CheckContext,
): Record<string, ConfigValue> | undefined {
  if (!isFrequency(frequency)) return undefined;
  const allowed = KEYS[frequency];
  let ok = true;
  for (const key of Object.keys(schedule)) {
    // Keys no frequency takes are the block schema's "unknown attribute" error, reported once there.
    if (!allowed.includes(key) && SCHEDULE_KEYS.includes(key)) {
      ctx.diagnostics.push(error(`schedule.${key} does not apply to ${frequency === "hourly" ? "an" : "a"} ${frequency} schedule (it takes ${allowed.join(", ")})`, ctx.address));
      ok = false;
    }
  }
  const min = schedule.min;
  if (typeof min === "number" && Number.isInteger(min) && !MINUTES.includes(min)) {
    ctx.diagnostics.push(error(`schedule.min must be 0, 15, 30 or 45 (got ${min})`, ctx.address));
    ok = false;
  }
  const out: Record<string, ConfigValue> = {};
  for (const key of allowed) out[key] = schedule[key] ?? DEFAULTS[key];
  if (schedule.days !== undefined && allowed.includes("days")) {
    const days = checkDays(schedule.days, ctx);
    if (days === undefined) ok = false;
    else out.days = days;
  }
  return ok ? out : undefined;
}
