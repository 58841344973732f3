/**
 * A package-lock.json for a fresh app, composed from this repository's own lockfile, so that
 * `npm ci --offline` installs the app from the npm cache that the repository's `npm ci` filled, with
 * no network (CI runs `npm ci` on a fresh machine, then `npm test` with loopback only).
 *
 * Why not `npm install --offline`: npm 11 resolves new dependencies from *full* packuments, while
 * `npm ci` of a lockfile caches only the abbreviated ones (and the tarballs). An install from a
 * complete lockfile needs nothing but those.
 *
 * The app's tree is the closure of its dependencies in the repository's tree, at the same paths, so
 * every dependency resolves exactly as it does here; the one exception is `constructs`, which the app
 * takes at the version of the repository's `constructs-next` alias (a newer 10.x than xsnap builds
 * with). Packages that pin the older version get it nested below them, as npm would place it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly [key: string]: unknown;
}
type Packages = Record<string, LockEntry>;

export interface AppLockOptions {
  /** The repository whose package-lock.json is the source. */
  readonly repo: string;
  /** The app's package.json name. */
  readonly name: string;
  /** Registry dependencies by name: the version must be one the repository's lockfile holds. */
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  /** Where `constructs` comes from: a lock path of the repository (e.g. its `constructs-next` alias). */
  readonly constructsFrom: string;
  /** A local tarball dependency (`file:` spec) and its package.json. */
  readonly tarball: { readonly spec: string; readonly integrity: string; readonly manifest: Readonly<Record<string, unknown>> };
}

/** Where Node (and npm) find `name` from the package at lock path `from`: the nearest node_modules up. */
export function locate(packages: Readonly<Packages>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base === "" ? "" : `${base}/`}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === "") return undefined;
    base = base.slice(0, base.lastIndexOf("node_modules/")).replace(/\/$/, "");
  }
}

/** `x.y.z` and `^x.y.z` (the forms constructs is required with); anything else counts as unmet. */
function satisfies(version: string, range: string): boolean {
  const parse = (v: string): number[] => v.split(".").map(Number);
  const caret = range.startsWith("^");
  const want = parse(caret ? range.slice(1) : range);
  const have = parse(version);
  if (!caret) return want.join(".") === have.join(".");
  if (want[0] !== have[0]) return false;
  for (let i = 1; i < 3; i++) if ((have[i] ?? 0) !== (want[i] ?? 0)) return (have[i] ?? 0) > (want[i] ?? 0);
  return true;
}

function edgesOf(entry: LockEntry): [string, string][] {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  return [
    ...Object.entries(entry.dependencies ?? {}),
    ...Object.entries(entry.optionalDependencies ?? {}),
    ...Object.entries(entry.peerDependencies ?? {}).filter(([n]) => optionalPeers[n]?.optional !== true),
  ];
}

/** Drops the flags that describe the repository's tree (dev/peer are recomputed by npm); `name` stays (aliases). */
function clean(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
  return rest;
}

export function composeAppLock(options: AppLockOptions): Record<string, unknown> {
  const lock = JSON.parse(readFileSync(join(options.repo, "package-lock.json"), "utf8")) as { packages: Packages };
  const repo = lock.packages;
  const constructs = repo[options.constructsFrom];
  if (!constructs?.version) throw new Error(`${options.constructsFrom} is not in the repository's package-lock.json`);
  const out: Packages = {};
  const queue: string[] = [];
  const add = (path: string, entry: LockEntry): void => {
    if (out[path]) return;
    out[path] = clean(entry);
    queue.push(path);
  };
  add("node_modules/constructs", constructs);
  const roots = { ...options.dependencies, ...options.devDependencies };
  for (const [name, version] of Object.entries(roots)) {
    if (name === "constructs") continue;
    const path = `node_modules/${name}`;
    const entry = repo[path];
    if (entry?.version !== version) throw new Error(`${name}@${version} is not at ${path} in the repository's package-lock.json (found ${entry?.version ?? "nothing"}): add it as a devDependency so \`npm ci\` caches it`);
    add(path, entry);
  }
  const tarballPath = `node_modules/${String(options.tarball.manifest.name)}`;
  const m = options.tarball.manifest;
  out[tarballPath] = {
    version: String(m.version), resolved: options.tarball.spec, integrity: options.tarball.integrity,
    ...(m.license ? { license: m.license } : {}),
    ...(m.dependencies ? { dependencies: m.dependencies } : {}),
    ...(m.bin ? { bin: m.bin } : {}),
    ...(m.engines ? { engines: m.engines } : {}),
    ...(m.peerDependencies ? { peerDependencies: m.peerDependencies } : {}),
  } as LockEntry;
  queue.push(tarballPath);
  while (queue.length > 0) {
    const from = queue.shift() as string;
    const entry = out[from] as LockEntry;
    for (const [name, range] of edgesOf(entry)) {
      if (name === "constructs") {
        const found = locate(out, from, name);
        if (found && out[found]?.version && satisfies(String(out[found]?.version), range)) continue;
        // Pinned to another constructs than the app's: its own copy, below it, from the repository's tree.
        const own = locate(repo, from === tarballPath ? "" : from, name);
        const pinned = own ? repo[own] : undefined;
        if (!pinned?.version || !satisfies(pinned.version, range)) throw new Error(`${from} needs constructs@${range}, which the repository's lockfile does not hold`);
        add(`${from}/node_modules/constructs`, pinned);
        continue;
      }
      const found = locate(repo, from === tarballPath ? "" : from, name);
      if (!found) {
        if (entry.optionalDependencies?.[name] !== undefined) continue;   // another platform's binary
        throw new Error(`${from} needs ${name}@${range}, which the repository's lockfile does not hold`);
      }
      add(found, repo[found] as LockEntry);
    }
  }
  const tarballName = String(options.tarball.manifest.name);
  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  return {
    name: options.name, version: "1.0.0", lockfileVersion: 3, requires: true,
    packages: {
      "": {
        name: options.name, version: "1.0.0", license: "MPL-2.0",
        dependencies: { ...options.dependencies, [tarballName]: options.tarball.spec },
        devDependencies: options.devDependencies,
        engines: { node: ">=20.9" },
      },
      ...sorted,
    },
  };
}
