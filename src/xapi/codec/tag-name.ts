/**
 * The tag between `<` and `>`. The handful of tags that make up most of a record are matched in
 * place and returned as constants, which spares a string allocation per tag on the hot path.
 */
export function tagName(buf: string, lt: number, gt: number): string {
  switch (gt - lt) {
    case 6:
      if (buf.startsWith("value", lt + 1)) return "value";
      break;
    case 7:
      if (buf.startsWith("/value", lt + 1)) return "/value";
      if (buf.startsWith("member", lt + 1)) return "member";
      break;
    case 5:
      if (buf.startsWith("name", lt + 1)) return "name";
      break;
    case 8:
      if (buf.startsWith("/member", lt + 1)) return "/member";
      break;
  }
  return buf.slice(lt + 1, gt);
}
