/**
 * Ownership markers on VM-class objects (DESIGN §5): `xsnap.stack`, `xsnap.address`, `xsnap.spec`,
 * `xsnap.self`. Snapshots and copies inherit other_config, so a marker counts only where `xsnap.self`
 * equals the object's own uuid: an inherited copy is never claimed.
 */
import type { Address } from "../model";
import type { PoolView, StringMap, VmRecord } from "../xapi/records";
import type { Uuid } from "../xapi/types";

export const MARKER = {
  stack: "xsnap.stack",
  address: "xsnap.address",
  spec: "xsnap.spec",
  self: "xsnap.self",
} as const;

const MARKER_PREFIX = "xsnap.";

export interface OwnMarkers {
  readonly stack: string;
  readonly address: Address;
  readonly spec?: string;
}

/** The object's own markers, or undefined when it has none or only inherited ones. */
export function ownMarkers(vm: VmRecord): OwnMarkers | undefined {
  const oc = vm.other_config;
  if (oc[MARKER.self] !== vm.uuid) return undefined;
  const stack = oc[MARKER.stack];
  const address = oc[MARKER.address];
  if (!stack || !address) return undefined;
  return { stack, address: address as Address, ...(oc[MARKER.spec] ? { spec: oc[MARKER.spec] } : {}) };
}

/**
 * Why `stack` may not import this object: another stack's own markers are on it, and taking them over
 * would make that stack's next plan create a new one in its place. (Within one stack the engine says
 * which address holds it.)
 */
export function managedByAnotherStack(vm: VmRecord, stack: string): string | undefined {
  const m = ownMarkers(vm);
  if (!m || m.stack === stack) return undefined;
  return `"${vm.name_label}" (${vm.uuid}) is already managed as ${m.address} in stack "${m.stack}"; to move it, release it there first: xsnap forget ${m.address} --stack ${JSON.stringify(m.stack)}`;
}

export function markerValues(args: { readonly stack: string; readonly address: Address; readonly spec: string; readonly self: Uuid }): Record<string, string> {
  // An empty spec (an object adopted by `xsnap recover`) leaves the key out: the next apply records it.
  return { [MARKER.stack]: args.stack, [MARKER.address]: args.address, ...(args.spec ? { [MARKER.spec]: args.spec } : {}), [MARKER.self]: args.self };
}

/** other_config with every inherited `xsnap.*` key replaced by this object's own markers. */
export function withMarkers(otherConfig: StringMap, markers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(otherConfig)) if (!k.startsWith(MARKER_PREFIX)) out[k] = v;
  return { ...out, ...markers };
}

const byView = new WeakMap<PoolView, Map<string, ReadonlyMap<Address, readonly VmRecord[]>>>();

/**
 * VM-class objects carrying this stack's own markers, by address. One pass over the pool's VMs per
 * view and stack (memoised: a 20,000-snapshot pool is scanned once per plan, not once per kind).
 */
export function markedObjects(view: PoolView, stack: string): ReadonlyMap<Address, readonly VmRecord[]> {
  let perStack = byView.get(view);
  if (!perStack) byView.set(view, (perStack = new Map()));
  const cached = perStack.get(stack);
  if (cached) return cached;
  const found = new Map<Address, VmRecord[]>();
  for (const vm of view.vms.values()) {
    const m = ownMarkers(vm);
    if (!m || m.stack !== stack) continue;
    const list = found.get(m.address);
    if (list) list.push(vm);
    else found.set(m.address, [vm]);
  }
  perStack.set(stack, found);
  return found;
}

/** The resource type part of an address: `xapi_snapshot.web` → `xapi_snapshot`. */
export const typeOfAddress = (address: string): string => {
  const parts = address.split(".");
  return parts[0] === "data" ? parts[1] ?? "" : parts[0] ?? "";
};
