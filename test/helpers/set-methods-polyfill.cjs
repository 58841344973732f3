// Set.prototype.union & co. (Node 22) for gitlab-ci-local, which the CI-recipe test runs on Node 20 (node -r this-file).
for (const [name, fn] of Object.entries({
  union(o) { const r = new Set(this); for (const v of o.keys()) r.add(v); return r; },
  intersection(o) { const r = new Set(); for (const v of this) if (o.has(v)) r.add(v); return r; },
  difference(o) { const r = new Set(); for (const v of this) if (!o.has(v)) r.add(v); return r; },
  symmetricDifference(o) { const r = new Set(this); for (const v of o.keys()) { if (this.has(v)) r.delete(v); else r.add(v); } return r; },
  isSubsetOf(o) { for (const v of this) if (!o.has(v)) return false; return true; },
  isSupersetOf(o) { for (const v of o.keys()) if (!this.has(v)) return false; return true; },
  isDisjointFrom(o) { for (const v of this) if (o.has(v)) return false; return true; },
})) if (!Set.prototype[name]) Object.defineProperty(Set.prototype, name, { value: fn, writable: true, configurable: true });
