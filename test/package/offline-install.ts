import * as fs from 'fs';
import * as path from 'path';

/** A package-lock.json entry (lockfile version 3). */
interface LockEntry {
  readonly version?: string;
  readonly integrity?: string;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly bundleDependencies?: string[];
  readonly [key: string]: unknown;
}

/**
 * The package.json and package-lock.json of a fresh app depending on `names`, at the versions this
 * repository's lockfile holds, with every package they need (dependencies and required peers).
 *
 * `npm ci` installs from the lockfile and fills the npm cache with the tarballs it fetched; a later
 * install by name would first need each package's registry metadata, which `npm ci` never fetches,
 * so it could not run offline. A lockfile naming the same versions and integrity hashes lets
 * `npm ci --offline` / `npm install --offline` take every tarball from the cache instead.
 */
export function offlineApp(rootLockFile: string, names: string[]): { packageJson: object; packageLock: object } {
  const root: Record<string, LockEntry> = JSON.parse(fs.readFileSync(rootLockFile, 'utf8')).packages;
  const packages: Record<string, LockEntry> = {};
  const queue = [...names];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const key = `node_modules/${name}`;
    const entry = root[key];
    if (!entry) throw new Error(`${name} is not in ${rootLockFile}; run npm ci first`);
    for (const [at, found] of Object.entries(root)) {
      if (at === key || at.startsWith(`${key}/node_modules/`)) {
        // dev/peer/optional flags describe this repository's tree, not the app's.
        const { dev, devOptional, peer, optional, ...rest } = found;
        packages[at] = rest;
      }
    }
    const bundled = new Set(entry.bundleDependencies ?? []);
    for (const dep of Object.keys(entry.dependencies ?? {})) {
      if (!bundled.has(dep) && !root[`${key}/node_modules/${dep}`]) queue.push(dep);
    }
    for (const peer of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[peer]?.optional) queue.push(peer);
    }
  }
  const dependencies = Object.fromEntries(names.map(name => [name, root[`node_modules/${name}`].version!]));
  const app = { name: 'app', version: '1.0.0', private: true };
  return {
    packageJson: { ...app, dependencies },
    packageLock: { ...app, lockfileVersion: 3, requires: true, packages: { '': { ...app, dependencies }, ...packages } },
  };
}

/** Writes the app's package.json and package-lock.json into `dir`. */
export function writeOfflineApp(dir: string, rootLockFile: string, names: string[]): void {
  const { packageJson, packageLock } = offlineApp(rootLockFile, names);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of [['package.json', packageJson], ['package-lock.json', packageLock]] as const) {
    // Removed first: a hard-linked copy of another app must not be written through.
    fs.rmSync(path.join(dir, file), { force: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(content, null, 2));
  }
}
