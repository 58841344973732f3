/** `data.xapi_vms`: the uuids of every plain VM matching all given filters (tags, power_state, name_regex). */
import { errorAt } from "./findings";
import type { DataSourceKind } from "./kind";
import { isPlainVm } from "./vm-lookup";

export const dataVms = {
  type: "xapi_vms",
  read({ address, spec, view }) {
    const tags = Array.isArray(spec.tags) ? spec.tags.filter((t): t is string => typeof t === "string") : [];
    const power = typeof spec.power_state === "string" ? spec.power_state : undefined;
    let regex: RegExp | undefined;
    if (typeof spec.name_regex === "string") {
      try {
        regex = new RegExp(spec.name_regex);
      } catch (e) {
        return { diagnostics: [errorAt(address, `name_regex is not a valid regular expression: ${(e as Error).message}`)], reads: [] };
      }
    }
    const vms = [...view.vms.values()].filter((vm) => isPlainVm(vm)
      && tags.every((t) => vm.tags.includes(t))
      && (power === undefined || vm.power_state === power)
      && (regex === undefined || regex.test(vm.name_label)));
    const uuids = vms.map((vm) => vm.uuid).sort();
    return { attrs: { uuids }, diagnostics: [], reads: uuids.map((uuid) => ({ uuid, address })) };
  },
} satisfies DataSourceKind;
