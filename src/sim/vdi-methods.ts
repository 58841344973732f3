/**
 * VDI.snapshot, VDI.clone and VDI.copy as API calls (async-capable, reference §1.4), with the same SM
 * checks as the VM-level operations: raw volumes, sharable disks, chain depth, space.
 */
import { XapiFailure } from "./errors";
import { p, type Registry } from "./registry";
import { assertCanSnapshotVdi, assertSpaceForSnapshots, copyVdi, snapshotVdi } from "./storage";

export function registerVdiMethods(reg: Registry): void {
  for (const kind of ["snapshot", "clone"] as const) {
    reg.set(`VDI.${kind}`, {
      params: [p("VDI ref", "vdi"), p("(string -> string) map", "driver_params")],
      optional: 1,
      async: true,
      mutating: true,
      handler: async (ctx, [vdiArg]) => {
        const vdi = String(vdiArg);
        const check = (): void => {
          assertCanSnapshotVdi(ctx.sim, vdi);
          assertSpaceForSnapshots(ctx.sim, [vdi]);
        };
        check();
        await ctx.work({ cancellable: true });
        check();
        return snapshotVdi(ctx.sim, vdi, kind);
      },
    });
  }
  reg.set("VDI.copy", {
    params: [p("VDI ref", "vdi"), p("SR ref", "sr"), p("VDI ref", "base_vdi"), p("VDI ref", "into_vdi")],
    optional: 2,
    async: true,
    mutating: true,
    handler: async (ctx, [vdiArg, srArg]) => {
      const vdi = String(vdiArg);
      const sr = ctx.sim.db.require("SR", String(srArg));
      ctx.sim.db.require("VDI", vdi);
      if (sr.content_type === "iso") throw new XapiFailure("OPERATION_NOT_ALLOWED", ["Cannot copy a VDI to an ISO SR"]);
      await ctx.work({ cancellable: true });
      return copyVdi(ctx.sim, vdi, String(srArg));
    },
  });
}
