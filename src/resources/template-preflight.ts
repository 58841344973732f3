/**
 * Plan-time checks of an `xapi_template` (DESIGN §3 "Preflight at plan time, not failure at apply"):
 * the source is a snapshot or checkpoint of this pool, the `sr` exists (uuid or exact name_label,
 * never a guess), and there is room for what VM.clone / VM.copy will write (xapi.md §3.5, §5).
 */
import { type Address, type Diagnostic, errorAt, formatBytes } from "../model";
import type { PoolView, SrRecord, VdiRecord, VmRecord } from "../xapi/records";
import type { Uuid } from "../xapi/types";
import { chainDepth, diskVdis, isLvmSr, isRawVdi } from "./disks";
import type { Claim } from "./kind";
import { MAX_CHAIN_DEPTH } from "./preflight";
import { estimateSpace, freeBytes } from "./space";

export type Found<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly diagnostic: Diagnostic };

const describeVm = (vm: VmRecord): string =>
  vm.is_control_domain ? "a control domain" : vm.is_a_snapshot ? "a snapshot" : vm.is_a_template ? "a template" : `a VM (${vm.power_state})`;

/** `source`: the uuid of a snapshot or checkpoint of this pool. */
export function lookupSource(view: PoolView, value: string, address: Address): Found<VmRecord> {
  const hit = view.byUuid.get(value as Uuid);
  const vm = hit?.class === "VM" ? view.vms.get(hit.ref) : undefined;
  if (vm?.is_a_snapshot) return { ok: true, value: vm };
  if (vm) {
    return { ok: false, diagnostic: errorAt(address, `source "${value}" is not a snapshot or checkpoint: it is ${describeVm(vm)} ("${vm.name_label}")`,
      "A template is made from a snapshot or checkpoint. Refer to one, e.g. source = ${xapi_snapshot.NAME.uuid}, or take one first.") };
  }
  if (hit) return { ok: false, diagnostic: errorAt(address, `source "${value}" is not a snapshot or checkpoint: the uuid belongs to a ${hit.class}`) };
  const named = (view.vmsByName.get(value) ?? []).map((r) => view.vms.get(r)).filter((s): s is VmRecord => s?.is_a_snapshot === true);
  const hint = named.length > 0
    ? ["source takes a uuid; snapshots with that name:", ...named.map((s) => `  - "${s.name_label}" (uuid ${s.uuid}, taken ${s.snapshot_time.toISOString()})`)].join("\n")
    : `No object of pool "${view.pool.name_label}" has that uuid. Use a snapshot's uuid (xe snapshot-list) or a reference such as \${xapi_snapshot.NAME.uuid}.`;
  return { ok: false, diagnostic: errorAt(address, `source "${value}" is not a snapshot or checkpoint of this pool`, hint) };
}

/** `sr`: an SR uuid or exact name_label; several matches is an error listing them (xsnap never guesses). */
export function lookupSr(view: PoolView, value: string, address: Address): Found<SrRecord> {
  const hit = view.byUuid.get(value as Uuid);
  const byUuid = hit?.class === "SR" ? view.srs.get(hit.ref) : undefined;
  const candidates = byUuid ? [byUuid] : [...view.srs.values()].filter((sr) => sr.name_label === value);
  const only = candidates[0];
  if (candidates.length > 1) {
    return { ok: false, diagnostic: errorAt(address, `sr "${value}" matches ${candidates.length} SRs; use the uuid of the one you mean`,
      ["Candidates:", ...candidates.map((sr) => `  - "${sr.name_label}" (uuid ${sr.uuid}, ${sr.type})`)].join("\n")) };
  }
  if (!only) {
    return { ok: false, diagnostic: errorAt(address, `sr "${value}" matches no SR of pool "${view.pool.name_label}"`,
      ["SRs of the pool:", ...[...view.srs.values()].filter((sr) => sr.content_type !== "iso").map((sr) => `  - "${sr.name_label}" (uuid ${sr.uuid})`)].join("\n")) };
  }
  if (only.content_type === "iso" || only.type === "iso") {
    return { ok: false, diagnostic: errorAt(address, `sr "${only.name_label}" is an ISO library, which cannot hold a template's disks`,
      "XAPI would refuse with OPERATION_NOT_ALLOWED (Cannot copy a VM's disks to an ISO SR). Name a storage SR, or leave sr unset for a fast clone.") };
  }
  return { ok: true, value: only };
}

export interface TemplatePreflight {
  readonly diagnostics: readonly Diagnostic[];
  readonly claims: readonly Claim[];
  /** The source's disks the clone/copy reads (fingerprinted). */
  readonly disks: readonly VdiRecord[];
}

/** Checks that need the source: operations it blocks, disks a clone cannot take, space on each SR. */
export function preflightTemplate(args: { readonly address: Address; readonly view: PoolView; readonly source: VmRecord; readonly sr?: SrRecord }): TemplatePreflight {
  const { address, view, source, sr } = args;
  const op = sr ? "copy" : "clone";
  const out: Diagnostic[] = [];
  const blocked = source.blocked_operations[op];
  if (blocked !== undefined) {
    out.push(errorAt(address, `the source "${source.name_label}" blocks the ${op} operation (blocked_operations:${op}=${blocked})`,
      `XAPI would refuse with OPERATION_BLOCKED. Remove the block first: xe snapshot-param-remove uuid=${source.uuid} param-name=blocked-operations param-key=${op}`));
  }
  const disks = diskVdis(view, source);
  if (!sr) {
    // VM.clone takes a VDI.clone of every disk on its own SR: the same limits as a snapshot (xapi.md §3.1).
    for (const vdi of disks) {
      const disk = `disk "${vdi.name_label}" (${vdi.uuid}) of the source`;
      if (isRawVdi(vdi)) out.push(errorAt(address, `${disk} is a raw VDI, which cannot be cloned`, "XAPI would fail with UNIMPLEMENTED_IN_SM_BACKEND. Set sr to copy the disks instead."));
      if (vdi.sharable) out.push(errorAt(address, `${disk} is sharable, which cannot be cloned`, "XAPI would fail with VDI_IS_SHARABLE."));
      const depth = chainDepth(view, vdi);
      if (depth >= MAX_CHAIN_DEPTH) {
        out.push(errorAt(address, `${disk} has a snapshot chain of depth ${depth}; the storage refuses a clone at ${MAX_CHAIN_DEPTH}`,
          "XAPI would fail with SR_BACKEND_FAILURE_109. Set sr to copy the disks into a fresh chain, or let the SR coalesce first."));
      }
    }
  }
  const needs = sr ? copyNeeds(disks, sr) : estimateSpace({ view, vm: source, disks, withMemory: false }).perSr;
  for (const need of needs) {
    const free = freeBytes(need.sr);
    if (need.bytes > free) {
      out.push(errorAt(address, `SR "${need.sr.name_label}" has ${formatBytes(free)} free; this template's ${op} needs about ${formatBytes(need.bytes)} there`,
        sr ? "A copy writes every disk in full: its virtual size on thick (LVM) SRs, its used size on thin ones. XAPI would fail with SR_BACKEND_FAILURE_44. Free space or choose another sr."
          : "A clone costs each disk's used size + 16 MiB on LVM SRs, 16 MiB on file SRs. XAPI would fail with SR_BACKEND_FAILURE_44."));
    }
  }
  const claims = needs.map((n) => ({ resource: n.sr.uuid, label: `SR "${n.sr.name_label}"`, bytes: n.bytes, available: freeBytes(n.sr) }));
  return { diagnostics: out, claims, disks };
}

/** VM.copy into `sr`: every disk in full (xapi.md §3.5, VDI.copy), thick SRs allocate the virtual size. */
function copyNeeds(disks: readonly VdiRecord[], sr: SrRecord): { readonly sr: SrRecord; readonly bytes: number }[] {
  if (disks.length === 0) return [];
  const thick = isLvmSr(sr.type);
  return [{ sr, bytes: disks.reduce((sum, d) => sum + (thick ? d.virtual_size : d.physical_utilisation), 0) }];
}
