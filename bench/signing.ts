/**
 * `npx tsx bench/signing.ts`: the cost of verifying an image signature (issue 15) offline, for an uncached and a
 * cached digest: AWS calls per operation and milliseconds (sandbox, real envelopes signed by the sandbox CA,
 * real JWS/X.509 verification), and the module initialization of what a verification Lambda loads (bundled like
 * the construct bundles the functions; median of fresh processes, minus an empty module). No assertions.
 * Part of `npm run bench` (bench/run.ts, section 8); `npx tsx bench/signing.ts` runs it alone.
 */
import './env';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient, ListImageReferrersCommand } from '@aws-sdk/client-ecr';
import { SignerClient } from '@aws-sdk/client-signer';
import { build } from 'esbuild';
import { cachedVerdict } from '../lambdas/actions/trust-cache';
import { verifyImageReference } from '../lambdas/core/signing/image-trust';
import { applyScenario } from '../local/provision';
import { recordCalls, SandboxAccount } from '../local/sandbox/account';
import { attachSandbox, runInSandbox } from '../local/sandbox/transport';
import { median, round } from './stats';
import { table } from './table';

const ROOT = resolve(__dirname, '..');
const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const RUNS = 15;
const T0 = Date.parse('2026-06-01T00:00:00Z');

const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
const ecr = new ECRClient({ region: 'us-east-1' });
const signer = new SignerClient({ region: 'us-east-1' });
attachSandbox(dynamodb, 'dynamodb');
attachSandbox(ecr, 'ecr');
attachSandbox(signer, 'signer');

const digestOf = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

async function verificationCost(verification: 'notation' | 'managed') {
  const account = new SandboxAccount({ clock: () => T0 });
  account.dynamodb.createTable({ TableName: 'incidents', partitionKey: 'pk' });
  const images = Array.from({ length: RUNS + 1 }, (_, i) => ({
    tags: [`v${i}`],
    digest: digestOf(i + 1),
    signature: 'trusted' as const,
  }));
  applyScenario(account, { repositories: [{ name: 'api', images }] }, TRUSTED);
  const ca = await account.signer.authority();
  const settings = {
    trustedProfiles: [TRUSTED],
    verification,
    allowRegistries: [],
    allowUnsignedRepositories: [],
    trustedRoots: [ca.rootDer],
    now: new Date(T0),
  };
  const clients = { ecr, signer, download: async (url: string) => account.ecr.signatures.download(url) };
  const once = (digest: string) =>
    recordCalls(() =>
      runInSandbox(account, () =>
        cachedVerdict(
          digest,
          { cacheMinutes: 15, leaseSeconds: 30, policy: settings.trustedProfiles },
          T0,
          'bench',
          () =>
            verifyImageReference(`${account.ecr.registryHost}/api@${digest}`, undefined, settings, clients),
          { dynamodb, table: 'incidents' },
        ),
      ),
    );
  // Warm-up: the first signature of the sandbox signs its envelope (materialization is not verification).
  for (let i = 0; i <= RUNS; i++) {
    const subjectId = { imageDigest: digestOf(i + 1) };
    await runInSandbox(account, () =>
      ecr.send(new ListImageReferrersCommand({ repositoryName: 'api', subjectId })),
    );
  }
  await once(digestOf(RUNS + 1));
  const measure = async (digest: string) => {
    const t0 = performance.now();
    const { result, calls } = await once(digest);
    if (result.state !== 'verified' || result.verdict.outcome !== 'trusted')
      throw new Error(`bench: ${digest} not trusted`);
    return { ms: performance.now() - t0, calls };
  };
  const uncached = [];
  const cached = [];
  for (let i = 1; i <= RUNS; i++) uncached.push(await measure(digestOf(i)));
  for (let i = 1; i <= RUNS; i++) cached.push(await measure(digestOf(i)));
  const describe = (runs: { ms: number; calls: { service: string; operation: string }[] }[]) => {
    const ops = new Map<string, number>();
    for (const c of runs[0]?.calls ?? [])
      ops.set(`${c.service}:${c.operation}`, (ops.get(`${c.service}:${c.operation}`) ?? 0) + 1);
    return {
      calls: runs[0]?.calls.length ?? 0,
      ops: [...ops].map(([op, n]) => `${op}${n > 1 ? `×${n}` : ''}`).join(', '),
      ms: round(median(runs.map((r) => r.ms))),
    };
  };
  return { uncached: describe(uncached), cached: describe(cached) };
}

const PROBE =
  'const t0=performance.now();const m=require(process.argv[1]);const t1=performance.now();' +
  "if(typeof m.handler!=='function')throw new Error('no handler');process.stdout.write(String(t1-t0));";

async function coldStart(runs = 7) {
  const { BUNDLING } = await import('../cdk/constructs/response-functions');
  const dir = mkdtempSync(join(tmpdir(), 'shield-right-signing-bench-'));
  try {
    const outfile = join(dir, 'verify.js');
    await build({
      bundle: true,
      platform: 'node',
      target: BUNDLING.target ?? 'node22',
      format: 'cjs',
      minify: BUNDLING.minify ?? false,
      external: [...(BUNDLING.externalModules ?? [])],
      ...(BUNDLING.keepNames ? { keepNames: true } : {}),
      ...(BUNDLING.mainFields ? { mainFields: [...BUNDLING.mainFields] } : {}),
      absWorkingDir: ROOT,
      entryPoints: [join(ROOT, 'bench/signing-entry.ts')],
      outfile,
      logLevel: 'error',
    });
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, 'exports.handler = async () => null;\n');
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const time = (file: string) => {
      const out = spawnSync(process.execPath, ['-e', PROBE, file], { env, encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`bench: require failed: ${out.stderr.slice(0, 400)}`);
      return Number(out.stdout);
    };
    const bundle: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < runs; i++) {
      base.push(time(empty));
      bundle.push(time(outfile));
    }
    return { kb: round(statSync(outfile).size / 1024, 0), initMs: round(median(bundle) - median(base)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SigningJob {
  readonly kind: 'signing';
}

export interface SigningBenchResult {
  readonly notation: Awaited<ReturnType<typeof verificationCost>>;
  readonly managed: Awaited<ReturnType<typeof verificationCost>>;
  readonly coldStart: Awaited<ReturnType<typeof coldStart>>;
}

/** Both verification modes, an uncached and a cached digest each, and the verification function's cold start. */
export async function runSigningBench(): Promise<SigningBenchResult> {
  const notation = await verificationCost('notation');
  const managed = await verificationCost('managed');
  return { notation, managed, coldStart: await coldStart() };
}

export function formatSigningBench(result: SigningBenchResult): string {
  const { notation, managed, coldStart: cold } = result;
  const row = (mode: string, digest: string, r: { calls: number; ops: string; ms: number }) => [
    mode,
    digest,
    String(r.calls),
    r.ops,
    String(r.ms),
  ];
  return `Image signature verification (issue 15), offline sandbox, median of ${RUNS} digests\n${table(
    ['verification', 'digest', 'AWS calls', 'operations', 'ms offline'],
    [
      row('notation', 'uncached', notation.uncached),
      row('notation', 'cached', notation.cached),
      row('managed', 'uncached', managed.uncached),
      row('managed', 'cached', managed.cached),
    ],
  )}\nCold start of a verification function (verifier, cache, DynamoDB+ECR+Signer clients): ${cold.kb} KB bundled, ${cold.initMs} ms module initialization above an empty module\n`;
}

if (require.main === module) {
  runSigningBench()
    .then((result) => process.stdout.write(formatSigningBench(result)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
