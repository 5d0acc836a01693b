/**
 * The directory holding shield-right's package.json: the repository root when running from source, the
 * installed package's root when running the compiled files under dist/. The ASL files, the example events
 * and the prebuilt Lambda bundles are found from here.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`shield-right: no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
