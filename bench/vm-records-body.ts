/**
 * Generates a `VM.get_all_records`-shaped XML-RPC response the way XAPI writes it (untyped strings
 * and int64s, `<boolean>`, `<double>`, `<dateTime.iso8601>`, entity-escaped text, no whitespace),
 * as 64 KiB Buffers, so benches can feed decoders chunk by chunk like a socket would.
 */
const CHUNK = 64 * 1024;

function hex(rand: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(rand() * 16)];
  return s;
}

function uuid(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`;
}

/** Deterministic PRNG (mulberry32) so every run decodes the same document. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const v = (s: string): string => `<value>${s}</value>`;
const member = (name: string, value: string): string => `<member><name>${name}</name>${value}</member>`;
const arr = (items: string[]): string => `<value><array><data>${items.join("")}</data></array></value>`;
const struct = (members: string[]): string => `<value><struct>${members.join("")}</struct></value>`;
const refs = (rand: () => number, n: number): string =>
  arr(Array.from({ length: n }, () => v(`OpaqueRef:${uuid(rand)}`)));

function vmRecord(rand: () => number, i: number): string {
  const snapshot = i % 11 !== 0;
  const metadata = "&lt;value&gt;&lt;struct&gt;" + hex(rand, 300) + "&lt;/struct&gt;&lt;/value&gt;";
  return struct([
    member("uuid", v(uuid(rand))),
    member("name_label", v(snapshot ? `vm-${i} before &quot;upgrade&quot; &amp; patch` : `vm-${i}`)),
    member("name_description", v(i % 3 === 0 ? "" : i % 100 === 1 ? "Créé par xsnap — ünïcødé ✓" : "Created by the xsnap bench")),
    member("power_state", v(snapshot ? "Halted" : "Running")),
    member("is_a_template", `<value><boolean>${snapshot ? 1 : 0}</boolean></value>`),
    member("is_a_snapshot", `<value><boolean>${snapshot ? 1 : 0}</boolean></value>`),
    member("is_control_domain", "<value><boolean>0</boolean></value>"),
    member("snapshot_of", v(snapshot ? `OpaqueRef:${uuid(rand)}` : "OpaqueRef:NULL")),
    member("snapshots", refs(rand, snapshot ? 0 : 3)),
    member("snapshot_time", "<value><dateTime.iso8601>20250319T04:16:24Z</dateTime.iso8601></value>"),
    member("snapshot_metadata", v(snapshot ? metadata : "")),
    member("parent", v("OpaqueRef:NULL")),
    member("memory_static_max", v(String(4294967296 * (1 + (i % 4))))),
    member("memory_dynamic_max", v("4294967296")),
    member("memory_target", v("4294967296")),
    member("VCPUs_max", v(String(1 + (i % 8)))),
    member("VCPUs_at_startup", v("2")),
    member("user_version", v("1")),
    member("domid", v(snapshot ? "-1" : String(i))),
    member("VBDs", refs(rand, 2)),
    member("VIFs", refs(rand, 1)),
    member("other_config", struct([member("base_template_name", v("Debian Bookworm 12")), member("mac_seed", v(uuid(rand))), member("xsnap.self", v(uuid(rand)))])),
    member("tags", arr([v("prod"), v("team:a&amp;b")])),
    member("blocked_operations", struct([])),
    member("allowed_operations", arr(["clone", "copy", "destroy", "export", "revert"].map(v))),
    member("current_operations", struct([])),
    member("platform", struct([member("viridian", v("true")), member("nx", v("true")), member("acpi", v("1")), member("apic", v("true"))])),
    member("HVM_boot_policy", v("BIOS order")),
    member("HVM_shadow_multiplier", "<value><double>1.0</double></value>"),
    member("resident_on", v(`OpaqueRef:${uuid(rand)}`)),
    member("suspend_VDI", v("OpaqueRef:NULL")),
  ]);
}

/** The whole response for `records` VMs, as ~64 KiB chunks. */
export function vmGetAllRecordsBody(records: number, seed = 42): Buffer[] {
  const rand = seeded(seed);
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let size = 0;
  const push = (s: string): void => {
    pending.push(s);
    size += s.length;
    if (size >= CHUNK) {
      chunks.push(Buffer.from(pending.join("")));
      pending = [];
      size = 0;
    }
  };
  push('<?xml version="1.0"?><methodResponse><params><param><value><struct>');
  push(member("Status", v("Success")));
  push("<member><name>Value</name><value><struct>");
  for (let i = 0; i < records; i++) push(member(`OpaqueRef:${uuid(rand)}`, vmRecord(rand, i)));
  push("</struct></value></member></struct></value></param></params></methodResponse>");
  chunks.push(Buffer.from(pending.join("")));
  return chunks;
}
