/** `data.xapi_vms`: the uuids of every plain VM matching all given filters (tags, power_state, name_regex). */
import type { DataSourceKind } from "./kind";
import { nameRegex } from "./name-regex";
import { isPlainVm } from "./vm-lookup";

export const dataVms = {
  type: "xapi_vms",
  read({ address, spec, view }) {
    const tags = Array.isArray(spec.tags) ? spec.tags.filter((t): t is string => typeof t === "string") : [];
    const power = typeof spec.power_state === "string" ? spec.power_state : undefined;
    const filter = nameRegex(spec, address);
    if (!filter.ok) return { diagnostics: [filter.diagnostic], reads: [] };
    const regex = filter.regex;
    const vms = [...view.vms.values()].filter((vm) => isPlainVm(vm)
      && tags.every((t) => vm.tags.includes(t))
      && (power === undefined || vm.power_state === power)
      && (regex === undefined || regex.test(vm.name_label)));
    const uuids = vms.map((vm) => vm.uuid).sort();
    return { attrs: { uuids }, diagnostics: [], reads: uuids.map((uuid) => ({ uuid, address })) };
  },
} satisfies DataSourceKind;
