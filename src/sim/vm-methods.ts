/**
 * VM power operations, VM.destroy, VDI.destroy and the VM setters with their own rules (reference §3.6,
 * §3.7, §3.10).
 */
import { XapiFailure } from "./errors";
import { p, type Registry } from "./registry";
import { NULL_REF } from "./schema";
import type { Simulator } from "./simulator";
import { assertVdiNotInUse, createSuspendImage, removeVdi } from "./storage";
import { checkOperation, updateAllowedOperations, withVmOperation } from "./vm-lifecycle";

/** Mark disks/VIFs attached or not and set the runtime fields of a power state. */
export function setPowerState(sim: Simulator, vm: string, power: "Halted" | "Paused" | "Running" | "Suspended"): void {
  const rec = sim.db.require("VM", vm);
  const live = power === "Running" || power === "Paused";
  const attached = live || power === "Suspended";
  for (const vbd of rec.VBDs as string[]) if (sim.db.exists("VBD", vbd)) sim.db.set("VBD", vbd, "currently_attached", attached && sim.db.get("VBD", vbd)?.empty !== true);
  for (const vif of rec.VIFs as string[]) if (sim.db.exists("VIF", vif)) sim.db.set("VIF", vif, "currently_attached", live);
  const domid = live ? (rec.domid as number) > 0 ? (rec.domid as number) : 1 + sim.db.rng.int(4000) : -1;
  sim.db.update("VM", vm, {
    power_state: power,
    resident_on: live ? sim.masterRef() : NULL_REF,
    domid,
  });
  updateAllowedOperations(sim, vm);
}

/** hard_shutdown's effect: a Suspended VM (or checkpoint) loses its memory image (§3.6). */
export function hardShutdown(sim: Simulator, vm: string): void {
  const rec = sim.db.require("VM", vm);
  if (rec.power_state === "Suspended" && sim.db.exists("VDI", rec.suspend_VDI as string)) removeVdi(sim, rec.suspend_VDI as string);
  sim.db.set("VM", vm, "suspend_VDI", NULL_REF);
  setPowerState(sim, vm, "Halted");
}

/** VM.destroy's effect: the record and its VBDs/VIFs/metrics go, VDIs never do (§3.6). */
export function destroyVm(sim: Simulator, vm: string): void {
  const db = sim.db;
  const rec = db.require("VM", vm);
  for (const vbd of [...(rec.VBDs as string[])]) db.delete("VBD", vbd);
  for (const vif of [...(rec.VIFs as string[])]) db.delete("VIF", vif);
  db.delete("VM_metrics", rec.metrics as string);
  db.delete("VM_guest_metrics", rec.guest_metrics as string);
  for (const child of [...(rec.children as string[])]) if (db.exists("VM", child)) db.set("VM", child, "parent", rec.parent as string);
  db.delete("VM", vm);
}

function registerPowerMethods(reg: Registry): void {
  const vmParam = p("VM ref", "vm");
  const power = (name: string, op: string, params: typeof vmParam[], effect: (sim: Simulator, vm: string, args: unknown[]) => void): void => {
    reg.set(`VM.${name}`, {
      params: [vmParam, ...params],
      async: true,
      mutating: true,
      handler: (ctx, [vm, ...rest]) =>
        withVmOperation(ctx, String(vm), op, async () => {
          await ctx.work();
          const problem = checkOperation(ctx.sim, String(vm), op);
          if (problem instanceof XapiFailure) throw problem;
          effect(ctx.sim, String(vm), rest);
        }),
    });
  };
  const startParams = [p("bool", "start_paused"), p("bool", "force")];
  power("hard_shutdown", "hard_shutdown", [], (sim, vm) => hardShutdown(sim, vm));
  power("clean_shutdown", "clean_shutdown", [], (sim, vm) => setPowerState(sim, vm, "Halted"));
  power("start", "start", startParams, (sim, vm, [paused]) => setPowerState(sim, vm, paused === true ? "Paused" : "Running"));
  power("resume", "resume", startParams, (sim, vm, [paused]) => {
    const image = sim.db.require("VM", vm).suspend_VDI as string;
    if (sim.db.exists("VDI", image)) removeVdi(sim, image);
    sim.db.set("VM", vm, "suspend_VDI", NULL_REF);
    setPowerState(sim, vm, paused === true ? "Paused" : "Running");
  });
  power("suspend", "suspend", [], (sim, vm) => {
    const image = createSuspendImage(sim, vm);
    sim.db.set("VM", vm, "suspend_VDI", image);
    setPowerState(sim, vm, "Suspended");
  });
  power("pause", "pause", [], (sim, vm) => setPowerState(sim, vm, "Paused"));
  power("unpause", "unpause", [], (sim, vm) => setPowerState(sim, vm, "Running"));
}

export function registerVmMethods(reg: Registry): void {
  registerPowerMethods(reg);
  reg.set("VM.destroy", {
    params: [p("VM ref", "self")],
    async: true,
    mutating: true,
    handler: (ctx, [vm]) =>
      withVmOperation(ctx, String(vm), "destroy", async () => {
        destroyVm(ctx.sim, String(vm));
      }),
  });
  reg.set("VDI.destroy", {
    params: [p("VDI ref", "self")],
    async: true,
    mutating: true,
    handler: async (ctx, [vdi]) => {
      assertVdiNotInUse(ctx.sim, String(vdi));
      removeVdi(ctx.sim, String(vdi));
    },
  });
  reg.set("VM.set_snapshot_schedule", {
    params: [p("VM ref", "self"), p("VMSS ref", "value")],
    mutating: true,
    handler: (ctx, [vmArg, valueArg]) => {
      const sim = ctx.sim;
      const vm = String(vmArg);
      const value = String(valueArg);
      const rec = sim.db.require("VM", vm);
      const restrictions = sim.db.require("pool", sim.poolRef()).restrictions as Record<string, string>;
      if (restrictions.restrict_vmss === "true") throw new XapiFailure("LICENCE_RESTRICTION", ["VMSS"]);
      if (value === NULL_REF || value === "") {
        sim.db.set("VM", vm, "snapshot_schedule", NULL_REF);
        return;
      }
      if (!sim.db.exists("VMSS", value)) throw new XapiFailure("INVALID_VALUE", [value]);
      if (rec.is_control_domain === true) throw new XapiFailure("INVALID_VALUE", [value]);
      if (rec.is_a_template === true) throw new XapiFailure("VM_IS_TEMPLATE", [vm]);
      // A VM in another schedule is moved silently: XAPI has no "already assigned" error (§3.10).
      sim.db.set("VM", vm, "snapshot_schedule", value);
      updateAllowedOperations(sim, vm);
    },
  });
  reg.set("VM.set_is_a_template", {
    params: [p("VM ref", "self"), p("bool", "value")],
    mutating: true,
    handler: (ctx, [vmArg, value]) => {
      const vm = String(vmArg);
      ctx.sim.db.require("VM", vm);
      if (value === true) {
        const problem = checkOperation(ctx.sim, vm, "make_into_template");
        if (problem instanceof XapiFailure) throw problem;
        if (problem === "conflict") throw new XapiFailure("OTHER_OPERATION_IN_PROGRESS", ["VM", vm, "make_into_template", ""]);
      }
      ctx.sim.db.set("VM", vm, "is_a_template", value === true);
      updateAllowedOperations(ctx.sim, vm);
    },
  });
}
