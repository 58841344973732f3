/**
 * The one batched read of a plan (DESIGN §2): `get_all_records` of VM, VDI, VBD, SR, VMSS, pool and
 * host, in parallel, into an immutable, indexed PoolView. 7 calls whatever the pool's size.
 * VM records are decoded without `snapshot_metadata` (VM_SKIPPED_MEMBERS).
 */
import { isXapiError } from "./errors";
import { convertAll } from "./record-convert";
import {
  type FieldKind,
  HOST_FIELDS, POOL_FIELDS, SR_FIELDS, VBD_FIELDS, VDI_FIELDS, VMSS_FIELDS, VM_FIELDS, VM_SKIPPED_MEMBERS,
} from "./record-schema";
import type { HostRecord, PoolClass, PoolRecord, PoolView, SrRecord, VbdRecord, VdiRecord, VmRecord, VmssRecord } from "./records";
import type { CallOptions } from "./transport";
import type { OpaqueRef, Uuid, XapiValue } from "./types";

export interface PoolReader {
  call(method: string, params?: readonly XapiValue[], options?: CallOptions): Promise<XapiValue>;
}

/** The wire answers of the seven reads, by class. */
export interface PoolWire {
  readonly VM: XapiValue;
  readonly VDI: XapiValue;
  readonly VBD: XapiValue;
  readonly SR: XapiValue;
  readonly VMSS: XapiValue;
  readonly pool: XapiValue;
  readonly host: XapiValue;
}

/** Envelope struct (1) → `{ref: record}` map (2) → record fields (3). */
const RECORD_LEVEL = 3;

/**
 * Reads `<cls>.get_all_records`, decoding only the fields of its table: the other fields of each
 * record (most of a VM's hundred, and the KiB of `snapshot_metadata`) are skipped while the bytes
 * stream in, never built.
 */
function readAll(reader: PoolReader, cls: string, fields: Readonly<Record<string, FieldKind>>, skip?: ReadonlySet<string>): Promise<XapiValue> {
  const decode = { keepMembers: new Set(Object.keys(fields)), skipLevel: RECORD_LEVEL, ...(skip ? { skipMembers: skip } : {}) };
  return reader.call(`${cls}.get_all_records`, [], { decode });
}

export async function readPoolWire(reader: PoolReader): Promise<PoolWire> {
  const [VM, VDI, VBD, SR, VMSS, pool, host] = await Promise.all([
    readAll(reader, "VM", VM_FIELDS, VM_SKIPPED_MEMBERS),
    readAll(reader, "VDI", VDI_FIELDS),
    readAll(reader, "VBD", VBD_FIELDS),
    readAll(reader, "SR", SR_FIELDS),
    // VMSS arrived with Dundee (XenServer 7.2); an older pool simply has no schedules.
    readAll(reader, "VMSS", VMSS_FIELDS).catch((error: unknown) => {
      if (isXapiError(error, "MESSAGE_METHOD_UNKNOWN")) return {};
      throw error;
    }),
    readAll(reader, "pool", POOL_FIELDS),
    readAll(reader, "host", HOST_FIELDS),
  ]);
  return { VM, VDI, VBD, SR, VMSS, pool, host };
}

function freezeLists<K>(map: Map<K, OpaqueRef[]>): Map<K, readonly OpaqueRef[]> {
  for (const list of map.values()) Object.freeze(list);
  return map;
}

/** Builds the indexed view. Pure. */
export function buildPoolView(wire: PoolWire, readAt: Date = new Date()): PoolView {
  const vms = convertAll<VmRecord>("VM", VM_FIELDS, wire.VM);
  const vdis = convertAll<VdiRecord>("VDI", VDI_FIELDS, wire.VDI);
  const vbds = convertAll<VbdRecord>("VBD", VBD_FIELDS, wire.VBD);
  const srs = convertAll<SrRecord>("SR", SR_FIELDS, wire.SR);
  const vmss = convertAll<VmssRecord>("VMSS", VMSS_FIELDS, wire.VMSS);
  const pools = convertAll<PoolRecord>("pool", POOL_FIELDS, wire.pool);
  const hosts = convertAll<HostRecord>("host", HOST_FIELDS, wire.host);
  const pool = pools.values().next().value;
  if (!pool) throw new Error("pool.get_all_records returned no pool");

  const byUuid = new Map<Uuid, { readonly class: PoolClass; readonly ref: OpaqueRef }>();
  const index = (cls: PoolClass, records: ReadonlyMap<OpaqueRef, { readonly uuid: Uuid }>): void => {
    for (const [ref, record] of records) byUuid.set(record.uuid, Object.freeze({ class: cls, ref }));
  };
  index("VM", vms);
  index("VDI", vdis);
  index("VBD", vbds);
  index("SR", srs);
  index("VMSS", vmss);
  index("host", hosts);
  index("pool", pools);

  const vmsByName = new Map<string, OpaqueRef[]>();
  const snapshotsOf = new Map<OpaqueRef, OpaqueRef[]>();
  for (const [ref, vm] of vms) {
    const named = vmsByName.get(vm.name_label);
    if (named) named.push(ref);
    else vmsByName.set(vm.name_label, [ref]);
    if (vm.is_a_snapshot && vm.snapshot_of !== undefined) {
      const list = snapshotsOf.get(vm.snapshot_of);
      if (list) list.push(ref);
      else snapshotsOf.set(vm.snapshot_of, [ref]);
    }
  }
  const master = hosts.get(pool.master);
  const version = master?.software_version ?? {};
  return Object.freeze({
    pool,
    hosts,
    vms,
    vdis,
    vbds,
    srs,
    vmss,
    byUuid,
    vmsByName: freezeLists(vmsByName),
    snapshotsOf: freezeLists(snapshotsOf),
    // `xapi_build` is the full version since xapi 22.9; older hosts only have `xapi` (reference §0).
    xapiVersion: version["xapi_build"] ?? version["xapi"] ?? "",
    readAt,
  });
}

export async function readPoolView(reader: PoolReader, now: () => Date = () => new Date()): Promise<PoolView> {
  const readAt = now();
  return buildPoolView(await readPoolWire(reader), readAt);
}
