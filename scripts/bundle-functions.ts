/**
 * `npm pack` (prepack): bundles every handler of definitions/functions.ts with esbuild into
 * dist/assets/functions/<id>/index.js (+ index.js.map), with the BUNDLING settings ResponseFunctions gives
 * NodejsFunction (see aws-lambda-nodejs buildEsbuildArgs), so an app that installs the package deploys the
 * same code without bundling anything. Run after `npm run build`: the compiled construct looks for them
 * beside it (cdk/constructs/prebuilt.ts).
 */
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { BUNDLING } from '../cdk/constructs/response-functions';
import { FUNCTIONS } from '../definitions/functions';
import { PACKAGE_ROOT } from '../definitions/package-root';

const OUT = path.join(PACKAGE_ROOT, 'dist', 'assets', 'functions');

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  for (const spec of Object.values(FUNCTIONS)) {
    const result = await build({
      entryPoints: [path.join(PACKAGE_ROOT, spec.entry)],
      outfile: path.join(OUT, spec.id, 'index.js'),
      bundle: true,
      platform: 'node',
      target: BUNDLING.target ?? 'node22',
      format: BUNDLING.format === 'esm' ? 'esm' : 'cjs',
      minify: BUNDLING.minify ?? false,
      sourcemap: BUNDLING.sourceMap ?? false,
      sourcesContent: BUNDLING.sourcesContent ?? true,
      external: [...(BUNDLING.externalModules ?? [])],
      ...(BUNDLING.keepNames ? { keepNames: true } : {}),
      ...(BUNDLING.mainFields ? { mainFields: [...BUNDLING.mainFields] } : {}),
      ...(BUNDLING.define ? { define: { ...BUNDLING.define } } : {}),
      logLevel: 'error',
    });
    if (result.errors.length > 0) throw new Error(`bundling ${spec.id} failed`);
    console.log(`bundled ${spec.id} (${spec.entry})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
