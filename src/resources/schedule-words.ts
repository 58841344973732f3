/**
 * A VMSS schedule in two forms and in words. XAPI stores `schedule` as a string map (`min`, `hour`,
 * `days` = "Wednesday,Saturday"; `hour` as given, e.g. "07"); config holds numbers and a day list.
 * The plan shows it as a reviewer reads it: `daily at 02:30, keeps 7; snapshots web-01, db-01`. Pure.
 */
import type { AttrValue } from "../model";
import type { StringMap } from "../xapi/records";

export type Frequency = "hourly" | "daily" | "weekly";
export type VmssType = "snapshot" | "checkpoint" | "snapshot_with_quiesce";

/** The schedule as config holds it (checked and normalised by config/schedule-rules). */
export interface ScheduleForm {
  readonly min?: number;
  readonly hour?: number;
  readonly days?: readonly string[];
}

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const intOf = (v: string): number | undefined => (/^\s*[+-]?\d+\s*$/.test(v) ? Number.parseInt(v, 10) : undefined);

/** XAPI's map → config form (unparsable values kept out: they show as a difference and are rewritten). */
export function scheduleFromMap(map: StringMap): ScheduleForm {
  const out: { min?: number; hour?: number; days?: string[] } = {};
  if (map.min !== undefined && intOf(map.min) !== undefined) out.min = intOf(map.min);
  if (map.hour !== undefined && intOf(map.hour) !== undefined) out.hour = intOf(map.hour);
  if (map.days !== undefined) out.days = map.days.split(",").map((d) => WEEKDAYS.find((w) => w.toLowerCase() === d.trim().toLowerCase()) ?? d);
  return out;
}

/** Config form → XAPI's map (days in the order given). */
export function scheduleToMap(s: ScheduleForm): Record<string, string> {
  return {
    ...(s.min !== undefined ? { min: String(s.min) } : {}),
    ...(s.hour !== undefined ? { hour: String(s.hour) } : {}),
    ...(s.days !== undefined ? { days: s.days.join(",") } : {}),
  };
}

/** The config form of a spec's `schedule` attribute (already normalised by validation). */
export function scheduleFromAttr(v: AttrValue | undefined): ScheduleForm {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return {};
  const o = v as Readonly<Record<string, AttrValue>>;
  return {
    ...(typeof o.min === "number" ? { min: o.min } : {}),
    ...(typeof o.hour === "number" ? { hour: o.hour } : {}),
    ...(Array.isArray(o.days) ? { days: o.days.filter((d): d is string => typeof d === "string") } : {}),
  };
}

export const scheduleAttr = (s: ScheduleForm): AttrValue => ({
  ...(s.hour !== undefined ? { hour: s.hour } : {}),
  ...(s.min !== undefined ? { min: s.min } : {}),
  ...(s.days !== undefined ? { days: [...s.days] } : {}),
});

/** Same schedule: the same keys with the same values (days as a set: XAPI keeps them as given). */
export function sameSchedule(a: ScheduleForm, b: ScheduleForm): boolean {
  const days = (s: ScheduleForm): string | undefined => (s.days === undefined ? undefined : [...s.days].sort((x, y) => WEEKDAYS.indexOf(x) - WEEKDAYS.indexOf(y)).join(","));
  return a.min === b.min && a.hour === b.hour && days(a) === days(b);
}

const two = (n: number | undefined): string => String(n ?? 0).padStart(2, "0");

/** "Monday", "Monday and Thursday", "Monday, Wednesday and Friday" (week order). */
export function listWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1] as string}`;
}

/** `hourly at :15`, `daily at 02:30`, `weekly on Wednesday and Saturday at 04:00`. */
export function whenWords(frequency: Frequency, s: ScheduleForm): string {
  switch (frequency) {
    case "hourly": return `hourly at :${two(s.min)}`;
    case "daily": return `daily at ${two(s.hour)}:${two(s.min)}`;
    case "weekly": {
      const days = [...(s.days ?? ["Monday"])].sort((x, y) => WEEKDAYS.indexOf(x) - WEEKDAYS.indexOf(y));
      return `weekly on ${listWords(days)} at ${two(s.hour)}:${two(s.min)}`;
    }
  }
}

const VERB: Readonly<Record<VmssType, string>> = {
  snapshot: "snapshots",
  checkpoint: "checkpoints",
  snapshot_with_quiesce: "takes quiesced snapshots of",
};

/** `(daily at 02:30, keeps 7; snapshots web-01, db-01)` — the note a reviewer reads at a glance. */
export function scheduleNote(args: {
  readonly type: VmssType; readonly frequency: Frequency; readonly schedule: ScheduleForm;
  readonly retained: number; readonly enabled: boolean; readonly vms: readonly string[];
}): string {
  const what = args.vms.length > 0 ? `${VERB[args.type]} ${args.vms.join(", ")}` : `${VERB[args.type].replace(/ of$/, "")} no VM yet`;
  return `(${whenWords(args.frequency, args.schedule)}, keeps ${args.retained}${args.enabled ? "" : ", disabled"}; ${what})`;
}
