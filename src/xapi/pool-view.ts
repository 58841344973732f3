/**
 * The one batched read of a plan (DESIGN §2): `get_all_records` of VM, VDI, VBD, SR, VMSS, pool and
 * host, in parallel, into an immutable, indexed PoolView: 7 calls whatever the pool's size.
 * Each record is converted the moment its struct closes in the stream (a MemberSink), and only the
 * fields of its table are decoded at all, so the wire form of 20,000 snapshots (with their KiB of
 * `snapshot_metadata`) never exists in memory at once.
 */
import { isXapiError, TransportError } from "./errors";
import { FieldReader, Interner, recordReader } from "./record-convert";
import {
  type FieldKind,
  HOST_FIELDS, POOL_FIELDS, SR_FIELDS, VBD_FIELDS, VDI_FIELDS, VMSS_FIELDS, VM_FIELDS, VM_SKIPPED_MEMBERS,
} from "./record-schema";
import type { HostRecord, PoolRecord, PoolView, SrRecord, VbdRecord, VdiRecord, VmRecord, VmssRecord } from "./records";
import { RecordTable } from "./record-table";
import { RecordUuids, UuidIndex, type UuidSource } from "./uuid-index";
import type { CallOptions } from "./transport";
import { describeValue, isRecordMap, type OpaqueRef, type Uuid, type XapiValue } from "./types";

export interface PoolReader {
  call(method: string, params?: readonly XapiValue[], options?: CallOptions): Promise<XapiValue>;
  /**
   * JSON-RPC bulk read (json-rpc.ts); resolves false when the host has none. Optional: XML-RPC alone
   * works. The records handed to `sink` hold strings of their own, sharing no memory with the wire
   * text (the PoolView keeps them without a copy).
   */
  streamRecords?(method: string, sink: (ref: string, record: unknown) => void, options?: CallOptions): Promise<boolean>;
}

/** The typed records of the seven reads, by ref. */
export interface PoolRecords {
  readonly vms: Map<OpaqueRef, VmRecord>;
  /** VDIs and VBDs are rows of a RecordTable (record-table.ts) when read from a pool. */
  readonly vdis: ReadonlyMap<OpaqueRef, VdiRecord>;
  readonly vbds: ReadonlyMap<OpaqueRef, VbdRecord>;
  readonly srs: Map<OpaqueRef, SrRecord>;
  readonly vmss: Map<OpaqueRef, VmssRecord>;
  readonly pools: Map<OpaqueRef, PoolRecord>;
  readonly hosts: Map<OpaqueRef, HostRecord>;
}

/** Envelope struct (1) → `{ref: record}` map (2) → record fields (3). */
const MAP_LEVEL = 2;
const RECORD_LEVEL = 3;

/** What one class's read needs: its class and field table, and the read's interner. */
interface ReadContext {
  readonly cls: string;
  readonly fields: Readonly<Record<string, FieldKind>>;
  readonly interner: Interner;
}

/**
 * Reads `<cls>.get_all_records`, handing each record to `add` as it arrives with the FieldReader
 * to convert it: over JSON-RPC where the host has it (json-rpc.ts), else over XML-RPC decoding only
 * the fields of the table (the others are skipped while the bytes stream in, never built).
 */
async function readAll(reader: PoolReader, ctx: ReadContext, add: (fieldReader: FieldReader, ref: OpaqueRef, wire: XapiValue) => void, skip?: ReadonlySet<string>): Promise<void> {
  const method = `${ctx.cls}.get_all_records`;
  // A wire record struct (XML) or a parsed JSON object: XAPI sends no null/<nil/> in records.
  const acceptWith = (fieldReader: FieldReader) => (ref: string, record: unknown): void => add(fieldReader, ref as OpaqueRef, record as XapiValue);
  const skipMembers = skip ? { skipMembers: skip } : {};
  // Streamed records hold strings of their own (PoolReader.streamRecords): interned without a copy.
  const streamed = acceptWith(new FieldReader(ctx.interner.withOwnedStrings()));
  if (reader.streamRecords && (await reader.streamRecords(method, streamed, { decode: skipMembers }))) return;
  const accept = acceptWith(new FieldReader(ctx.interner));
  const decode = { keepMembers: new Set(Object.keys(ctx.fields)), skipLevel: RECORD_LEVEL, memberSink: { level: MAP_LEVEL, accept }, ...skipMembers };
  // The records went to the sink; what is left must be the (emptied) map, else this is no pool's answer.
  const rest = await reader.call(method, [], { decode });
  if (!isRecordMap(rest)) throw new TransportError("BAD_RESPONSE", "the pool", `${method}: the result is not a map of records (got ${describeValue(rest)})`);
}


/** Records as frozen objects in a Map: the classes with few records, and VMs (read whole by many kinds). */
async function readRecords<R>(reader: PoolReader, ctx: ReadContext, skip?: ReadonlySet<string>): Promise<Map<OpaqueRef, R>> {
  const out = new Map<OpaqueRef, R>();
  const read = recordReader<R>(ctx.cls, ctx.fields);
  await readAll(reader, ctx, (fieldReader, ref, wire) => out.set(ref, read(fieldReader, wire, ref)), skip);
  return out;
}

/** Records as rows of a RecordTable (record-table.ts): VDIs and VBDs, the bulk of a large pool. */
async function readTable<R extends { readonly ref: OpaqueRef }>(reader: PoolReader, ctx: ReadContext): Promise<RecordTable<R>> {
  const out = new RecordTable<R>(ctx.cls, ctx.fields);
  await readAll(reader, ctx, (fieldReader, ref, wire) => out.add(ref, wire, fieldReader));
  out.seal();
  return out;
}

export async function readPoolRecords(reader: PoolReader): Promise<PoolRecords> {
  const interner = new Interner();
  const ctx = (cls: string, fields: Readonly<Record<string, FieldKind>>): ReadContext => ({ cls, fields, interner });
  const [vms, vdis, vbds, srs, vmss, pools, hosts] = await Promise.all([
    readRecords<VmRecord>(reader, ctx("VM", VM_FIELDS), VM_SKIPPED_MEMBERS),
    readTable<VdiRecord>(reader, ctx("VDI", VDI_FIELDS)),
    readTable<VbdRecord>(reader, ctx("VBD", VBD_FIELDS)),
    readRecords<SrRecord>(reader, ctx("SR", SR_FIELDS)),
    // VMSS arrived with Dundee (XenServer 7.2); an older pool simply has no schedules.
    readRecords<VmssRecord>(reader, ctx("VMSS", VMSS_FIELDS)).catch((error: unknown) => {
      if (isXapiError(error, "MESSAGE_METHOD_UNKNOWN")) return new Map<OpaqueRef, VmssRecord>();
      throw error;
    }),
    readRecords<PoolRecord>(reader, ctx("pool", POOL_FIELDS)),
    readRecords<HostRecord>(reader, ctx("host", HOST_FIELDS)),
  ]);
  return { vms, vdis, vbds, srs, vmss, pools, hosts };
}

function push<K>(map: Map<K, OpaqueRef[]>, key: K, ref: OpaqueRef): void {
  const list = map.get(key);
  if (list) list.push(ref);
  else map.set(key, [ref]);
}

function freezeLists<K>(map: Map<K, OpaqueRef[]>): Map<K, readonly OpaqueRef[]> {
  for (const list of map.values()) Object.freeze(list);
  return map;
}

/** A RecordTable answers from its uuid column; record objects through a Map of uuid → ref. */
function uuidsOf(map: ReadonlyMap<OpaqueRef, { readonly uuid: Uuid }>): UuidSource {
  return map instanceof RecordTable ? (map as RecordTable<{ readonly ref: OpaqueRef; readonly uuid: Uuid }>) : new RecordUuids(map);
}

/** Indexes the records into the immutable view. Pure. */
export function buildPoolView(records: PoolRecords, readAt: Date = new Date()): PoolView {
  const { vms, vdis, vbds, srs, vmss, pools, hosts } = records;
  const pool = pools.values().next().value;
  if (!pool) throw new Error("pool.get_all_records returned no pool");

  const byUuid = new UuidIndex();
  byUuid.add("VM", uuidsOf(vms));
  byUuid.add("VDI", uuidsOf(vdis));
  byUuid.add("VBD", uuidsOf(vbds));
  byUuid.add("SR", uuidsOf(srs));
  byUuid.add("VMSS", uuidsOf(vmss));
  byUuid.add("host", uuidsOf(hosts));
  byUuid.add("pool", uuidsOf(pools));

  const vmsByName = new Map<string, OpaqueRef[]>();
  const snapshotsOf = new Map<OpaqueRef, OpaqueRef[]>();
  for (const [ref, vm] of vms) {
    push(vmsByName, vm.name_label, ref);
    if (vm.is_a_snapshot) push(snapshotsOf, vm.snapshot_of, ref);
  }
  const version = hosts.get(pool.master)?.software_version ?? {};
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
  return buildPoolView(await readPoolRecords(reader), readAt);
}
