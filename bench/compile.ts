/**
 * The benchmark's worker as compiled JavaScript, so a replay measures what the installed CLI runs (the
 * compiled `dist/`, plain `node`) rather than the sources under tsx. tsx transpiles with esbuild too, file by
 * file, in memory; here the same transform is written once to `bench/.build/` (git-ignored), one output file
 * per source file as `tsc -p tsconfig.build.json` lays out `dist/`: the same modules, the same `require`s of
 * the same installed packages (not bundled), without the loader. The difference is memory: tsx keeps its
 * hooks, every transpiled source and its source map (~50 MB of baseline RSS, bench/README.md).
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildSync } from 'esbuild';

/** The source folders the worker reaches (bench and what the engine loads). */
const SOURCE_DIRS = ['bench', 'bin', 'definitions', 'lambdas', 'local'] as const;

export const BUILD_DIR = join('bench', '.build');

function sources(root: string, dir: string, into: { ts: string[]; json: string[] }): void {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '.build' && entry.name !== 'node_modules') sources(root, path, into);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) into.ts.push(path);
    else if (entry.name.endsWith('.json')) into.json.push(path);
  }
}

/**
 * Transpiles the sources into `<root>/bench/.build/` (about a second) and returns the compiled worker's
 * path. JSON files imported by the sources (the sandbox's SDK model extract) are copied beside them.
 */
export function compileWorker(root: string): string {
  const files = { ts: [] as string[], json: [] as string[] };
  for (const dir of SOURCE_DIRS) sources(root, dir, files);
  const outdir = join(root, BUILD_DIR);
  buildSync({
    absWorkingDir: root,
    entryPoints: files.ts,
    outdir,
    outbase: '.',
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  for (const file of files.json) {
    const to = join(outdir, relative('.', file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, file), to);
  }
  return join(outdir, 'bench', 'worker.js');
}
