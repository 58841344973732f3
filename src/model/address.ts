/** A resource address as Terraform writes it: `xapi_snapshot.web`, `data.xapi_vm.web`. */
export type Address = string & { readonly __brand: "Address" };
export const asAddress = (s: string): Address => s as Address;

/** A Terraform identifier (a resource type or name): a letter or underscore, then letters, digits, `_` and `-`. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Whether `s` is written as an address: `TYPE.NAME` or `data.TYPE.NAME`. */
export function isAddressSyntax(s: string): boolean {
  const parts = s.split(".");
  const [type, name] = parts[0] === "data" ? parts.slice(1) : parts;
  return parts.length === (parts[0] === "data" ? 3 : 2) && IDENTIFIER.test(type ?? "") && IDENTIFIER.test(name ?? "");
}
