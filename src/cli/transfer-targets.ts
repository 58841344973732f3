/**
 * What `xsnap export` and `xsnap restore` name on the command line: a snapshot (uuid or exact
 * name_label of a snapshot or checkpoint) and an SR (uuid or exact name_label). Never guesses: no
 * match or several matches is an error that lists what there is (DESIGN §3).
 */
import { isXapiError, type OpaqueRef, type XapiClient, type XapiValue } from "../xapi";
import { CliFailure } from "./exit-codes";

type Rec = { readonly [field: string]: XapiValue };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function byUuid(client: Pick<XapiClient, "call">, cls: string, uuid: string): Promise<OpaqueRef | undefined> {
  try {
    return (await client.call(`${cls}.get_by_uuid`, [uuid])) as OpaqueRef;
  } catch (e) {
    if (isXapiError(e, "UUID_INVALID")) return undefined;
    throw e;
  }
}

const describeSnapshot = (r: Rec): string =>
  `"${String(r.name_label)}" (uuid ${String(r.uuid)}, ${r.power_state === "Suspended" ? "checkpoint" : "snapshot"} of ${String(r.snapshot_time instanceof Date ? r.snapshot_time.toISOString() : r.snapshot_time)})`;

/** The snapshot or checkpoint named by `arg`. Throws CliFailure when none or several match. */
export async function findSnapshot(client: Pick<XapiClient, "call">, arg: string): Promise<{ ref: OpaqueRef; record: Rec }> {
  if (UUID.test(arg)) {
    const ref = await byUuid(client, "VM", arg);
    if (ref) {
      const record = (await client.call("VM.get_record", [ref])) as Rec;
      if (record.is_a_snapshot !== true) throw new CliFailure(`${arg} is ${record.is_a_template === true ? "a template" : "a VM"} ("${String(record.name_label)}"), not a snapshot; export a snapshot or checkpoint of it`);
      return { ref, record };
    }
  }
  const refs = (await client.call("VM.get_by_name_label", [arg])) as OpaqueRef[];
  const records = await Promise.all(refs.map(async (ref) => ({ ref, record: (await client.call("VM.get_record", [ref])) as Rec })));
  const snapshots = records.filter((r) => r.record.is_a_snapshot === true);
  if (snapshots.length === 1) return snapshots[0]!;
  if (snapshots.length === 0) {
    const others = records.length > 0 ? ` (${records.length} VM or template${records.length > 1 ? "s have" : " has"} that name, but no snapshot)` : "";
    throw new CliFailure(`no snapshot or checkpoint has the uuid or name "${arg}"${others}; \`xsnap inventory\` lists them`);
  }
  throw new CliFailure(`${snapshots.length} snapshots are named "${arg}"; give the uuid of one:\n${snapshots.map((s) => `  ${describeSnapshot(s.record)}`).join("\n")}`);
}

/** The SR named by `arg` (uuid or exact name_label). Throws CliFailure when none or several match. */
export async function findSr(client: Pick<XapiClient, "call">, arg: string): Promise<{ ref: OpaqueRef; name: string }> {
  if (UUID.test(arg)) {
    const ref = await byUuid(client, "SR", arg);
    if (ref) return { ref, name: String(await client.call("SR.get_name_label", [ref])) };
  }
  const refs = (await client.call("SR.get_by_name_label", [arg])) as OpaqueRef[];
  if (refs.length === 1) return { ref: refs[0]!, name: arg };
  if (refs.length === 0) {
    const all = (await client.call("SR.get_all_records")) as Record<string, Rec>;
    const names = Object.values(all).filter((r) => r.content_type !== "iso").map((r) => `"${String(r.name_label)}"`).sort();
    throw new CliFailure(`no SR has the uuid or name "${arg}"; the pool has ${names.join(", ")}`);
  }
  const uuids = await Promise.all(refs.map(async (ref) => String(await client.call("SR.get_uuid", [ref]))));
  throw new CliFailure(`${refs.length} SRs are named "${arg}"; give the uuid of one: ${uuids.join(", ")}`);
}
