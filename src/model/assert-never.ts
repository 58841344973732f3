/** Exhaustiveness check for discriminated unions: a new member that no branch handles fails to compile. */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
