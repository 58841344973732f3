/**
 * XML text escaping and entity decoding for XAPI's XML-RPC dialect. XAPI escapes only `< > & "`
 * (mirage/ocaml-rpc:src/lib/xmlrpc.ml `encode_buf`); we decode the five XML entities and numeric
 * references. Unknown named entities are kept literally, as sax does in non-strict mode.
 */

const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function entityText(body: string): string | undefined {
  if (body.charCodeAt(0) !== 35 /* # */) return Object.prototype.hasOwnProperty.call(NAMED, body) ? NAMED[body] : undefined;
  const hex = body.charCodeAt(1) === 120 || body.charCodeAt(1) === 88;
  const digits = body.slice(hex ? 2 : 1);
  if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return undefined;
  const code = parseInt(digits, hex ? 16 : 10);
  return code > 0x10ffff ? undefined : String.fromCodePoint(code);
}

/** Decodes entities in raw element text. Cheap when there is no `&` (the common case). */
export function decodeEntities(raw: string): string {
  let amp = raw.indexOf("&");
  if (amp === -1) return raw;
  let out = "";
  let from = 0;
  while (amp !== -1) {
    const semi = raw.indexOf(";", amp + 1);
    if (semi === -1) break;
    const text = semi - amp <= 10 ? entityText(raw.slice(amp + 1, semi)) : undefined;
    if (text === undefined) {
      amp = raw.indexOf("&", amp + 1);
      continue;
    }
    out += raw.slice(from, amp) + text;
    from = semi + 1;
    amp = raw.indexOf("&", from);
  }
  return out + raw.slice(from);
}

/**
 * Characters XML 1.0 cannot carry (C0 controls other than TAB/LF/CR, U+FFFE/U+FFFF) and lone
 * surrogates (not valid UTF-8, which XAPI rejects with INVALID_VALUE).
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Index of the first character that cannot be sent, or -1. */
export function findForbiddenChar(s: string): number {
  const m = FORBIDDEN.exec(s);
  return m ? m.index : -1;
}

const NEEDS_ESCAPE = /[&<>\r]/;
const ESCAPE_ALL = /[&<>\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };

/**
 * Escapes text content. CR goes out as `&#13;` because XML parsers normalise a literal CR to LF.
 * Callers must have checked findForbiddenChar first.
 */
export function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? c) : s;
}
