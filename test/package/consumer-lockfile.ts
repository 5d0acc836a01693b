/**
 * A package-lock.json for an empty CDK app that depends on the packed tarball, made from the project's own
 * lockfile. `npm ci` after the project's `npm ci` has every tarball in the npm cache but no registry
 * metadata (npm install --offline would need it to resolve version ranges); a complete lockfile names each
 * tarball by its integrity, so `npm ci --offline` installs the app from the cache alone.
 */

interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly [key: string]: unknown;
}

export interface Lockfile {
  readonly name?: string;
  readonly lockfileVersion: number;
  readonly requires?: boolean;
  readonly packages: Readonly<Record<string, LockEntry>>;
}

export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** File name of the tarball, beside the app's package.json. */
  readonly filename: string;
  readonly integrity: string;
  /** The packed package.json. */
  readonly manifest: LockEntry;
}

/** Where Node would find `name` from the package at lockfile path `from` (`''` is the app itself). */
function resolveFrom(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}

/**
 * The lockfile of an app whose dependencies are the packed package (as `file:<tarball>`) and `extra`
 * packages at the versions the project's lockfile holds.
 */
export function consumerLockfile(
  project: Lockfile,
  packed: PackedPackage,
  extra: readonly string[],
): { manifest: Record<string, unknown>; lockfile: Lockfile } {
  const selfPath = `node_modules/${packed.name}`;
  const { dependencies = {}, peerDependencies = {}, engines, bin, license } = packed.manifest;
  const self: LockEntry = {
    version: packed.version,
    resolved: `file:${packed.filename}`,
    integrity: packed.integrity,
    license,
    dependencies,
    peerDependencies,
    engines,
    bin,
  };
  const source: Record<string, LockEntry> = { ...project.packages, [selfPath]: self };
  const rootDependencies: Record<string, string> = { [packed.name]: `file:${packed.filename}` };
  for (const name of extra) {
    const version = project.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in the project's lockfile`);
    rootDependencies[name] = version;
  }

  const packages: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean): void => {
    const found = resolveFrom(source, from, name);
    if (!found) {
      if (optional) return;
      throw new Error(`${name} (needed by ${from || 'the app'}) is not in the project's lockfile`);
    }
    if (packages[found]) return;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = source[found] ?? {};
    packages[found] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(found, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(found, dep, true);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) {
      visit(found, dep, entry.peerDependenciesMeta?.[dep]?.optional === true);
    }
  };
  for (const name of Object.keys(rootDependencies)) visit('', name, false);

  const manifest = { name: 'consumer-app', version: '1.0.0', private: true, dependencies: rootDependencies };
  return {
    manifest,
    lockfile: {
      name: 'consumer-app',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'consumer-app', version: '1.0.0', dependencies: rootDependencies },
        ...packages,
      },
    },
  };
}
