/** `data.xapi_vm`: one VM by `name_label` or `uuid`, with the facts references need. */
import { type AttrValue, errorAt } from "../model";
import { diskVdis } from "./disks";
import type { DataSourceKind } from "./kind";
import { lookupVm } from "./vm-lookup";

export const dataVm = {
  type: "xapi_vm",
  read({ address, spec, view }) {
    const by = typeof spec.uuid === "string" && spec.uuid !== "" ? "uuid" : "name_label";
    const value = spec[by];
    if (typeof value !== "string" || value === "") {
      return { diagnostics: [errorAt(address, "exactly one of name_label or uuid must be set")], reads: [] };
    }
    const found = lookupVm(view, value, address, by);
    if (!found.ok) return { diagnostics: [found.diagnostic], reads: [] };
    const vm = found.vm;
    const attrs: Record<string, AttrValue> = {
      uuid: vm.uuid, name_label: vm.name_label, power_state: vm.power_state, memory_bytes: vm.memory_static_max,
      disk_uuids: diskVdis(view, vm).map((d) => d.uuid), tags: [...vm.tags],
    };
    return { attrs, diagnostics: [], reads: [{ uuid: vm.uuid, address }] };
  },
} satisfies DataSourceKind;
