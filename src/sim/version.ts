/** Version comparison for the simulated xapi build (`--xapi-version`). */

/** `X.Y.Z` ≥ `A.B.C`, numerically per component ("26.1.16" ≥ "21.4.0", "1.160" < "21.4.0"). */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const b = min.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
