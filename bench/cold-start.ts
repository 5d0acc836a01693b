/**
 * Section 2: cold start. Each Lambda entry of definitions/functions.ts is bundled with esbuild using the options of
 * the ResponseFunctions construct (BUNDLING), source maps off so the size is the code's. Module
 * initialization is then timed in fresh Node processes: performance.now() around require(bundle), median
 * of `runs`, minus the median for an empty module.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { DEFAULT_CONFIG, policyEnvironment } from '../definitions/config';
import { FUNCTIONS, type FunctionEnv, type FunctionId } from '../definitions/functions';
import { median, round } from './stats';

export interface BundleResult {
  readonly fn: FunctionId;
  readonly entry: string;
  readonly memoryMb: number;
  readonly bytes: number;
  /** Largest contributors to the bundle, by package (bytes in output). */
  readonly topPackages: { name: string; kb: number }[];
  readonly requireMs: number[];
  readonly initMs: number;
  /** The same entry bundled with `mainFields: ['module', 'main']` (ESM sources, tree-shaken): a what-if. */
  readonly esmFirst: { readonly bytes: number; readonly initMs: number };
}

export interface ColdStartResult {
  readonly runs: number;
  readonly emptyModuleMs: number;
  readonly esbuildOptions: Record<string, unknown>;
  readonly bundles: BundleResult[];
  readonly note: string;
}

/** The construct's bundling options, as esbuild options (see aws-lambda-nodejs buildEsbuildArgs). */
async function constructOptions(): Promise<{ options: BuildOptions; described: Record<string, unknown> }> {
  const { BUNDLING } = await import('../cdk/constructs/response-functions');
  const options: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: BUNDLING.target ?? 'node22',
    format: BUNDLING.format === 'esm' ? 'esm' : 'cjs',
    minify: BUNDLING.minify ?? false,
    // The construct ships a source map; it is off here so the size measured is the code's.
    sourcemap: false,
    external: [...(BUNDLING.externalModules ?? [])],
    ...(BUNDLING.keepNames ? { keepNames: true } : {}),
    ...(BUNDLING.mainFields ? { mainFields: [...BUNDLING.mainFields] } : {}),
    ...(BUNDLING.define ? { define: { ...BUNDLING.define } } : {}),
    logLevel: 'error',
    metafile: true,
  };
  const { metafile: _m, logLevel: _l, ...described } = options;
  return { options, described: { ...described, constructSourceMap: BUNDLING.sourceMap ?? false } };
}

function packageOf(path: string): string {
  const nm = path.lastIndexOf('node_modules/');
  if (nm < 0) return path.split('/')[0] === 'lambdas' || path.startsWith('cdk/') ? '(project code)' : path;
  const rest = path.slice(nm + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? path);
}

function topPackages(metafile: Metafile): { name: string; kb: number }[] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, bytes]) => ({ name, kb: round(bytes / 1024, 0) }));
}

/** What the deployed functions get at load (values are placeholders of the right shape). */
function lambdaEnvironment(): Record<string, string> {
  // Every variable a function may read (typed, so a new one cannot be forgotten here: the handlers read
  // theirs at load, and a missing one fails the bundle's require).
  const functionEnv: Record<FunctionEnv, string> = {
    SHIELD_RIGHT_POLICY: policyEnvironment(DEFAULT_CONFIG).SHIELD_RIGHT_POLICY ?? '',
    EVIDENCE_BUCKET: 'shield-right-evidence-111122223333',
    TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:shield-right-notifications',
    INCIDENT_TABLE: 'shield-right-incidents',
    QUARANTINE_SECURITY_GROUPS: '{}',
    ALLOWED_ACCOUNTS: '',
    STATE_MACHINE_ARNS: JSON.stringify({
      RuntimeThreatResponse: 'arn:aws:states:us-east-1:111122223333:stateMachine:RuntimeThreatResponse',
      VulnerableImageResponse: 'arn:aws:states:us-east-1:111122223333:stateMachine:VulnerableImageResponse',
    }),
  };
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...policyEnvironment(DEFAULT_CONFIG),
    ...functionEnv,
    AWS_REGION: 'us-east-1',
    POWERTOOLS_SERVICE_NAME: 'shield-right',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

// Times require() only; then checks the bundle exports the handler the runtime will call.
const PROBE =
  'const t0=performance.now();const m=require(process.argv[1]);const t1=performance.now();' +
  "if(typeof m.handler!=='function')throw new Error('no handler export');process.stdout.write(String(t1-t0));";

function timeRequire(file: string, env: Record<string, string>): number {
  const out = spawnSync(process.execPath, ['-e', PROBE, file], { env, encoding: 'utf8' });
  if (out.status !== 0) {
    // The first stderr lines are the minified source line: show the error and its first frames instead.
    const lines = out.stderr.split('\n').filter((l) => /^\w*Error\b|^\s+at /.test(l));
    throw new Error(
      `bench: require(${file}) failed: ${lines.slice(0, 6).join('\n') || out.stderr.slice(-500)}`,
    );
  }
  const ms = Number(out.stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`bench: no timing from require(${file}): ${out.stdout}`);
  return ms;
}

export async function runColdStart(root: string, runs: number): Promise<ColdStartResult> {
  const { options, described } = await constructOptions();
  const dir = mkdtempSync(join(tmpdir(), 'shield-right-bench-'));
  try {
    const files = new Map<string, { file: string; bytes: number; top: { name: string; kb: number }[] }>();
    for (const spec of Object.values(FUNCTIONS)) {
      for (const variant of ['construct', 'esm-first'] as const) {
        const out = join(dir, `${spec.id}-${variant}`);
        mkdirSync(out);
        const outfile = join(out, 'index.js');
        const result = await build({
          ...options,
          ...(variant === 'esm-first' ? { mainFields: ['module', 'main'] } : {}),
          absWorkingDir: root,
          entryPoints: [join(root, spec.entry)],
          outfile,
        });
        files.set(`${spec.id}-${variant}`, {
          file: outfile,
          bytes: statSync(outfile).size,
          top: result.metafile ? topPackages(result.metafile) : [],
        });
      }
    }
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, 'exports.handler = async () => null;\n');
    const env = lambdaEnvironment();
    const samples = new Map<string, number[]>();
    // Interleaved, so a slow moment of the machine does not land on one function only.
    for (let r = 0; r < runs; r++) {
      samples.set('empty', [...(samples.get('empty') ?? []), timeRequire(empty, env)]);
      for (const [id, { file }] of files)
        samples.set(id, [...(samples.get(id) ?? []), timeRequire(file, env)]);
    }
    const emptyMs = median(samples.get('empty') ?? []);
    return {
      runs,
      emptyModuleMs: round(emptyMs, 2),
      esbuildOptions: described,
      bundles: Object.values(FUNCTIONS).map((spec): BundleResult => {
        const id = spec.id;
        const f = files.get(`${id}-construct`);
        const esm = files.get(`${id}-esm-first`);
        const ms = samples.get(`${id}-construct`) ?? [];
        return {
          fn: id,
          entry: spec.entry,
          memoryMb: spec.memoryMb,
          bytes: f?.bytes ?? 0,
          topPackages: f?.top ?? [],
          requireMs: ms.map((v) => round(v, 1)),
          initMs: round(median(ms) - emptyMs, 1),
          esmFirst: {
            bytes: esm?.bytes ?? 0,
            initMs: round(median(samples.get(`${id}-esm-first`) ?? []) - emptyMs, 1),
          },
        };
      }),
      note: 'Module initialization on this machine; Lambda at 256-512 MB gets a fraction of a vCPU, so expect longer there (ratios hold).',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
