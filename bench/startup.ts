/**
 * Section 7: start-up of the compiled CLI, as a user waits for it. Each figure is a whole process
 * (`node dist/bin/shield-right.js …`, spawn to exit), the median of several runs, beside a bare `node -e 0`
 * on the same machine. dist/ is built first (`tsc -p tsconfig.build.json`) when a source is newer than it.
 * A traced run of each command lists the modules it loaded, to show that `--help` loads no SDK client.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from './report';
import { median, round } from './stats';
import { table } from './table';

export const STARTUP_TARGETS = { helpMs: 150, testPatternMs: 300, simulateMs: 1_000 } as const;

const EVENT = 'examples/events/01-high-fargate-crypto-miner.json';

interface Case {
  readonly label: string;
  readonly args: readonly string[];
  readonly targetMs?: number;
}

const CASES: readonly Case[] = [
  { label: 'node -e 0 (Node.js itself)', args: [] },
  { label: 'shield-right --help', args: ['--help'], targetMs: STARTUP_TARGETS.helpMs },
  { label: 'shield-right --version', args: ['--version'] },
  {
    label: 'shield-right test-pattern --rule RuntimeThreatRule EVENT',
    args: ['test-pattern', '--rule', 'RuntimeThreatRule', EVENT],
    targetMs: STARTUP_TARGETS.testPatternMs,
  },
  {
    label: 'shield-right simulate EVENT (one event)',
    args: ['simulate', EVENT],
    targetMs: STARTUP_TARGETS.simulateMs,
  },
];

export interface StartupResult {
  readonly runs: number;
  readonly built: boolean;
  readonly cases: readonly {
    readonly label: string;
    readonly medianMs: number;
    readonly minMs: number;
    readonly targetMs: number | null;
    readonly modules: number;
    readonly sdkPackages: readonly string[];
  }[];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than a source it is compiled from. */
function ensureBuilt(root: string): boolean {
  const entry = join(root, 'dist', 'bin', 'shield-right.js');
  const sources = Math.max(
    ...['bin', 'cdk', 'definitions', 'lambdas', 'local'].map((d) => newestMtime(join(root, d))),
  );
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return false;
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  return true;
}

function wallMs(root: string, args: readonly string[]): number {
  const cli = join(root, 'dist', 'bin', 'shield-right.js');
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args.length ? [cli, ...args] : ['-e', '0'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: 'ignore',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}`);
  return ms;
}

/** The files a run loaded (require.cache at exit; the compiled CLI is CommonJS throughout). */
function loadedModules(root: string, args: readonly string[]): string[] {
  if (!args.length) return [];
  const cli = join(root, 'dist', 'bin', 'shield-right.js');
  const trace = `process.argv.splice(1, 1, ${JSON.stringify(cli)}, ...${JSON.stringify(args)});
process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));
require(${JSON.stringify(cli)});`;
  const run = spawnSync(process.execPath, ['-e', trace, 'placeholder'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const line = run.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  return line ? (JSON.parse(line.slice('LOADED '.length)) as string[]) : [];
}

function sdkPackages(modules: readonly string[]): string[] {
  const names = modules.flatMap((m) => /node_modules\/(@aws-sdk\/client-[^/]+)/.exec(m)?.[1] ?? []);
  return [...new Set(names)].sort();
}

export function runStartup(root: string, runs: number): StartupResult {
  const built = ensureBuilt(root);
  const cases = CASES.map((c) => {
    wallMs(root, c.args); // warm the file system cache
    const times = Array.from({ length: runs }, () => wallMs(root, c.args));
    const modules = loadedModules(root, c.args);
    return {
      label: c.label,
      medianMs: round(median(times), 0),
      minMs: round(Math.min(...times), 0),
      targetMs: c.targetMs ?? null,
      modules: modules.length,
      sdkPackages: sdkPackages(modules),
    };
  });
  return { runs, built, cases };
}

export function reportStartup(report: Report, result: StartupResult): void {
  const { say, checks } = report;
  say(`7. Start-up of the compiled CLI (whole process, median of ${result.runs} runs; EVENT = ${EVENT})`);
  const floor = result.cases[0]?.medianMs ?? 0;
  say(
    table(
      ['Command', 'Median ms', 'Min ms', 'Above Node ms', 'Target ms', 'Modules', 'SDK clients loaded'],
      result.cases.map((c, i) => [
        c.label,
        c.medianMs,
        c.minMs,
        i === 0 ? '' : round(c.medianMs - floor, 0),
        c.targetMs ?? '',
        c.modules || '',
        i === 0
          ? ''
          : c.sdkPackages.length
            ? `${c.sdkPackages.length} (${c.sdkPackages.map((p) => p.replace('@aws-sdk/client-', '')).join(', ')})`
            : 'none',
      ]),
    ),
  );
  say(
    `dist/ ${result.built ? 'was rebuilt for this run' : 'was current'}. Each command loads its own module only when run ` +
      '(bin/shield-right.ts); the Node.js line is the floor no command can go below on this machine.',
  );
  say();
  for (const c of result.cases) {
    if (c.targetMs === null) continue;
    checks.push({
      target: `${c.label.replace(' EVENT', '').replace(' (one event)', ' of one event')} ≤ ${c.targetMs} ms`,
      measured: `${c.medianMs} ms`,
      pass: c.medianMs <= c.targetMs,
    });
  }
}
