/** A resource address as Terraform writes it: `xapi_snapshot.web`, `data.xapi_vm.web`. */
export type Address = string & { readonly __brand: "Address" };
export const asAddress = (s: string): Address => s as Address;
