/**
 * VM snapshot schedules (reference §2.5, §3.9, §6; `xapi_vmss.ml`, `map_check.ml`): validation with
 * INVALID_VALUE ["schedule:<key>", value] / ["retained_snapshots", n], VMSS_HAS_VM on destroy, and
 * snapshot_now doing what the dom0 `vmss` plugin does: snapshot every VM of the schedule with
 * is_vmss_snapshot=true, then uninstall that VM's oldest schedule snapshots beyond retained_snapshots
 * (manual snapshots are never pruned). The plugin's snapshot names and return text are UNCONFIRMED upstream.
 */
import { XapiFailure } from "./errors";
import { postMessage } from "./messages";
import { type CallContext, p, type Registry } from "./registry";
import { type DbValue } from "./schema";
import type { Simulator } from "./simulator";
import { removeVdi } from "./storage";
import { destroyVm, hardShutdown } from "./vm-methods";
import { takeCheckpoint, takeSnapshot } from "./vm-snapshot-methods";
import { formatXapiDate } from "./xml-encode";

const KEYS_BY_FREQUENCY: Readonly<Record<string, readonly string[]>> = {
  hourly: ["min"],
  daily: ["hour", "min"],
  weekly: ["hour", "min", "days"],
};
const DEFAULTS: Readonly<Record<string, string>> = { min: "0", hour: "0", days: "Monday" };
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const invalid = (key: string, value: string): XapiFailure => new XapiFailure("INVALID_VALUE", [`schedule:${key}`, value]);

/** One schedule value checked and normalised (days capitalised). */
function checkValue(key: string, value: string): string {
  switch (key) {
    case "min":
      if (!["0", "15", "30", "45"].includes(value)) throw invalid(key, value);
      return value;
    case "hour": {
      const n = /^\s*[+-]?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : NaN;
      if (!(n >= 0 && n <= 23)) throw invalid(key, value);
      return value; // stored as given, e.g. "07"
    }
    case "days": {
      const days = value.split(",").map((d) => WEEKDAYS.find((w) => w.toLowerCase() === d.toLowerCase()));
      if (days.some((d) => d === undefined) || new Set(days).size !== days.length) throw invalid(key, value);
      return days.join(",");
    }
    default:
      throw invalid(key, value);
  }
}

/** Validate `given` against the keys allowed for `allowed`, then fill defaults for `frequency`. */
function checkedSchedule(frequency: string, given: Record<string, string>, allowed: readonly string[], dropOthers: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    if (!allowed.includes(key)) {
      if (dropOthers) continue;
      throw invalid(key, value);
    }
    out[key] = checkValue(key, value);
  }
  for (const key of KEYS_BY_FREQUENCY[frequency] ?? []) out[key] ??= DEFAULTS[key] ?? "0";
  return out;
}

function checkRetained(n: number): number {
  if (!(Number.isInteger(n) && n >= 1 && n <= 10)) throw new XapiFailure("INVALID_VALUE", ["retained_snapshots", String(n)]);
  return n;
}

function assertLicensed(sim: Simulator, feature = "vmss"): void {
  const restrictions = sim.db.require("pool", sim.poolRef()).restrictions as Record<string, string>;
  if (restrictions[`restrict_${feature}`] === "true") throw new XapiFailure("LICENCE_RESTRICTION", [feature === "vss" ? "VSS" : "VMSS"]);
}

const ALL_KEYS = ["min", "hour", "days"];

export function registerVmssMethods(reg: Registry): void {
  const self = p("VMSS ref", "self");
  reg.set("VMSS.create", {
    params: [{ ...p("(string -> string) map", "args"), record: true }],
    mutating: true,
    handler: (ctx, [argsRaw]) => createVmss(ctx.sim, argsRaw as Record<string, DbValue>),
  });
  reg.set("VMSS.destroy", {
    params: [self],
    mutating: true,
    handler: (ctx, [ref]) => {
      const sim = ctx.sim;
      const rec = sim.db.require("VMSS", String(ref));
      if ((rec.VMs as string[]).length > 0) throw new XapiFailure("VMSS_HAS_VM", []);
      for (const [m, msg] of [...sim.db.table("message")]) if (msg.obj_uuid === rec.uuid) sim.db.delete("message", m);
      sim.db.delete("VMSS", String(ref));
    },
  });
  const setter = (name: string, type: string, apply: (sim: Simulator, ref: string, value: DbValue) => void): void => {
    reg.set(`VMSS.${name}`, {
      params: [self, p(type, "value")],
      mutating: true,
      handler: (ctx, [ref, value]) => {
        ctx.sim.db.require("VMSS", String(ref));
        assertLicensed(ctx.sim);
        apply(ctx.sim, String(ref), value as DbValue);
      },
    });
  };
  setter("set_retained_snapshots", "int", (sim, ref, v) => sim.db.set("VMSS", ref, "retained_snapshots", checkRetained(Number(v))));
  setter("set_type", "enum vmss_type", (sim, ref, v) => {
    if (v === "snapshot_with_quiesce") assertLicensed(sim, "vss");
    sim.db.set("VMSS", ref, "type", v);
  });
  setter("set_frequency", "enum vmss_frequency", (sim, ref, v) => {
    const current = sim.db.require("VMSS", ref).schedule as Record<string, string>;
    const schedule = checkedSchedule(String(v), current, KEYS_BY_FREQUENCY[String(v)] ?? [], true);
    sim.db.update("VMSS", ref, { frequency: v, schedule });
  });
  setter("set_schedule", "(string -> string) map", (sim, ref, v) => {
    const rec = sim.db.require("VMSS", ref);
    const merged = { ...(rec.schedule as Record<string, string>), ...checkedSchedule("", v as Record<string, string>, ALL_KEYS, false) };
    sim.db.set("VMSS", ref, "schedule", merged);
  });
  setter("set_last_run_time", "datetime", (sim, ref, v) => sim.db.set("VMSS", ref, "last_run_time", v));
  reg.set("VMSS.add_to_schedule", {
    params: [self, p("string", "key"), p("string", "value")],
    mutating: true,
    handler: (ctx, [ref, key, value]) => {
      const sim = ctx.sim;
      const rec = sim.db.require("VMSS", String(ref));
      assertLicensed(sim);
      const checked = checkedSchedule("", { [String(key)]: String(value) }, ALL_KEYS, false);
      const schedule = rec.schedule as Record<string, string>;
      if (String(key) in schedule) throw new XapiFailure("MAP_DUPLICATE_KEY", ["VMSS", "schedule", String(ref), String(key)]);
      sim.db.set("VMSS", String(ref), "schedule", { ...schedule, ...checked });
    },
  });
  reg.set("VMSS.remove_from_schedule", {
    params: [self, p("string", "key")],
    mutating: true,
    handler: (ctx, [ref, key]) => {
      const sim = ctx.sim;
      const schedule = { ...(sim.db.require("VMSS", String(ref)).schedule as Record<string, string>) };
      assertLicensed(sim);
      delete schedule[String(key)];
      sim.db.set("VMSS", String(ref), "schedule", schedule);
    },
  });
  reg.set("VMSS.snapshot_now", {
    params: [p("VMSS ref", "vmss")],
    mutating: true,
    handler: (ctx, [ref]) => snapshotNow(ctx, String(ref)),
  });
}

function createVmss(sim: Simulator, args: Record<string, DbValue>): string {
  assertLicensed(sim);
  const text = (k: string): string | undefined => (args[k] === undefined ? undefined : String(args[k]));
  const type = text("type")?.toLowerCase();
  const frequency = text("frequency")?.toLowerCase();
  // The generated constructor fails on a missing mandatory member (UNCONFIRMED wire form).
  if (!type || !["snapshot", "checkpoint", "snapshot_with_quiesce"].includes(type)) throw new XapiFailure("INTERNAL_ERROR", [`Field type not present or invalid: ${type ?? ""}`]);
  if (!frequency || !KEYS_BY_FREQUENCY[frequency]) throw new XapiFailure("INTERNAL_ERROR", [`Field frequency not present or invalid: ${frequency ?? ""}`]);
  if (type === "snapshot_with_quiesce") assertLicensed(sim, "vss");
  const given = (args.schedule ?? {}) as Record<string, string>;
  const schedule = checkedSchedule(frequency, given, KEYS_BY_FREQUENCY[frequency] ?? [], false);
  const retained = checkRetained(args.retained_snapshots === undefined ? 7 : Number(args.retained_snapshots));
  const enabled = args.enabled === undefined ? true : args.enabled === true || args.enabled === "true";
  return sim.db.create("VMSS", {
    name_label: text("name_label") ?? "", name_description: text("name_description") ?? "",
    enabled, type, frequency, schedule, retained_snapshots: retained, last_run_time: new Date(0),
  });
}

/** The snapshot-and-prune run the dom0 plugin performs for one schedule. */
async function snapshotNow(ctx: CallContext, ref: string): Promise<string> {
  const sim = ctx.sim;
  const vmss = sim.db.require("VMSS", ref);
  assertLicensed(sim);
  const stamp = formatXapiDate(new Date()).replace(/[:]/g, "");
  for (const vm of [...(vmss.VMs as string[])]) {
    const rec = sim.db.get("VM", vm);
    if (!rec) continue;
    const name = `${String(rec.name_label)}-${String(vmss.name_label)}-${stamp}`;
    try {
      if (vmss.type === "checkpoint") await takeCheckpoint(ctx, vm, name, true);
      else await takeSnapshot(ctx, vm, name, [], true);
      prune(sim, vm, vmss.retained_snapshots as number);
    } catch (e) {
      // The plugin alerts and carries on with the next VM.
      const code = e instanceof XapiFailure ? e.code : "INTERNAL_ERROR";
      postMessage(sim, "VMSS_SNAPSHOT_FAILED", "VMSS", String(vmss.uuid), `VM ${String(rec.uuid)}: ${code}`, 3);
    }
  }
  sim.db.set("VMSS", ref, "last_run_time", new Date());
  return "";
}

function prune(sim: Simulator, vm: string, retained: number): void {
  const owned = (sim.db.require("VM", vm).snapshots as string[])
    .map((ref) => ({ ref, rec: sim.db.get("VM", ref) }))
    .filter((s) => s.rec?.is_vmss_snapshot === true)
    .sort((a, b) => (a.rec?.snapshot_time as Date).getTime() - (b.rec?.snapshot_time as Date).getTime());
  for (const { ref } of owned.slice(0, Math.max(0, owned.length - retained))) uninstall(sim, ref);
}

/** `xe snapshot-uninstall`: shut down if needed, destroy, then the owner-marked disks and the memory image. */
export function uninstall(sim: Simulator, vm: string): void {
  const rec = sim.db.require("VM", vm);
  const owned = (rec.VBDs as string[])
    .map((vbd) => sim.db.get("VBD", vbd))
    .filter((vbd) => vbd && "owner" in (vbd.other_config as Record<string, string>))
    .map((vbd) => vbd?.VDI as string);
  if (rec.power_state !== "Halted") hardShutdown(sim, vm);
  const suspend = sim.db.require("VM", vm).suspend_VDI as string;
  destroyVm(sim, vm);
  for (const vdi of [...owned, suspend]) if (sim.db.exists("VDI", vdi)) removeVdi(sim, vdi);
}
