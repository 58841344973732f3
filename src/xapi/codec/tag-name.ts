/**
 * The tag between `<` and `>`. Every XML-RPC tag is matched in place and returned as a constant,
 * which spares a string allocation per tag (tens of millions in a large pool's answer); anything
 * else (whitespace inside a tag, unknown tags) is sliced for the general path.
 */
const TAGS: readonly string[] = [
  "value", "/value", "member", "/member", "name", "/name", "struct", "/struct", "array", "/array",
  "data", "/data", "boolean", "/boolean", "string", "/string", "int", "/int", "i4", "/i4", "i8", "/i8",
  "double", "/double", "dateTime.iso8601", "/dateTime.iso8601", "nil/", "value/", "string/", "data/",
  "struct/", "array/", "params", "/params", "param", "/param", "methodResponse", "/methodResponse",
  "fault", "/fault",
];

/** Known tags grouped by length, so a lookup compares only same-length candidates. */
const BY_LENGTH: readonly (readonly string[])[] = (() => {
  const table: string[][] = [];
  for (const tag of TAGS) (table[tag.length] ??= []).push(tag);
  return table;
})();

export function tagName(buf: string, lt: number, gt: number): string {
  const candidates = BY_LENGTH[gt - lt - 1];
  if (candidates !== undefined) {
    for (const tag of candidates) if (buf.startsWith(tag, lt + 1)) return tag;
  }
  return buf.slice(lt + 1, gt);
}
