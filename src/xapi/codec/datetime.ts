/**
 * XAPI datetimes: `YYYYMMDDTHH:MM:SSZ` on the wire, always UTC (reference/xapi.md §1.2). The unset
 * value is the epoch. XAPI itself reads a value without a zone as UTC, so we do too (xmlrpc reads
 * it as local time, which is wrong unless the process runs in UTC).
 */

const ISO8601 =
  /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an XML-RPC dateTime.iso8601 text; returns undefined when it is not one. */
export function parseXapiDateTime(text: string): Date | undefined {
  const m = ISO8601.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const offsetMinutes = zone && zone !== "Z" ? zoneOffsetMinutes(zone) : 0;
  const date = new Date(utc - offsetMinutes * 60_000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function zoneOffsetMinutes(zone: string): number {
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0"));
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Formats a Date the way XAPI writes and expects it: `YYYYMMDDTHH:MM:SSZ` in UTC. */
export function formatXapiDateTime(date: Date): string {
  const year = String(date.getUTCFullYear()).padStart(4, "0");
  return (
    `${year}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}T` +
    `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}Z`
  );
}
