/**
 * Prebuilt Lambda bundles: `npm pack` (prepack, scripts/bundle-functions.ts) bundles every handler with
 * esbuild into dist/assets/functions/<id>/, with the BUNDLING settings of ResponseFunctions. The compiled
 * construct (dist/cdk/constructs/) finds them beside it, so an app that installed the package synthesizes
 * without esbuild or Docker. Run from the TypeScript source (the repository), the path below does not
 * exist and the construct bundles the handlers itself: a stale bundle can never be deployed from a checkout.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { FunctionId } from '../../definitions/functions';

/** `<root>/dist/assets/functions` from the compiled file; `<root>/assets/functions` (absent) from source. */
export const PREBUILT_FUNCTIONS_DIR = path.join(__dirname, '..', '..', 'assets', 'functions');

/** The directory of a function's prebuilt bundle (index.js and its source map), when there is one. */
export function prebuiltBundle(id: FunctionId, dir: string = PREBUILT_FUNCTIONS_DIR): string | undefined {
  const bundle = path.join(dir, id);
  return existsSync(path.join(bundle, 'index.js')) ? bundle : undefined;
}
