/**
 * The package as a user gets it: `npm pack` (prepack builds dist/ and the Lambda bundles), the tarball's
 * content, then an empty CDK app that installs it from the npm cache alone, synthesizes the whole service
 * with cdk-nag, and runs the installed `shield-right` command on a shipped example event.
 * Slow (a build, a pack and an install): `npm run test:package`, run by .ci/run after `npm test`.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FUNCTIONS } from '../../definitions/functions';
import { consumerLockfile, type Lockfile } from './consumer-lockfile';

jest.setTimeout(20 * 60_000);

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE = 'node_modules/shield-right/examples/events/01-high-fargate-crypto-miner.json';

interface PackResult {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly integrity: string;
  readonly files: readonly { readonly path: string }[];
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return result;
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  if (result.status !== 0)
    throw new Error(`${what} exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

let work: string;
let app: string;
let packed: PackResult;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'shield-right-package-'));
  // Scripts run in the foreground so their output goes to stderr, not into the JSON on stdout.
  const out = ok(
    run('npm', ['pack', '--json', '--pack-destination', work, '--foreground-scripts'], ROOT),
    'npm pack',
  );
  const json = out.slice(out.indexOf('[\n'));
  const [result] = JSON.parse(json) as PackResult[];
  if (!result) throw new Error(`npm pack printed no result:\n${out}`);
  packed = result;

  app = join(work, 'app');
  ok(run('mkdir', ['-p', app], work), 'mkdir');
  ok(run('cp', [join(work, packed.filename), app], work), 'cp');
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const project = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const consumer = consumerLockfile(project, { ...packed, manifest }, [
    'aws-cdk-lib',
    'constructs',
    'cdk-nag',
  ]);
  writeFileSync(join(app, 'package.json'), JSON.stringify(consumer.manifest, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(consumer.lockfile, null, 2));
  ok(
    run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app),
    'npm ci --offline in the consumer app',
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the compiled code, the ASL files, the example events and a prebuilt bundle per function', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/shield-right.js',
        'dist/bin/shield-right.js',
        'dist/cdk/index.js',
        'dist/cdk/index.d.ts',
        'statemachines/runtime-threat-response.asl.json',
        'statemachines/vulnerable-image-response.asl.json',
        'examples/events/01-high-fargate-crypto-miner.json',
        ...Object.keys(FUNCTIONS).flatMap((id) => [
          `dist/assets/functions/${id}/index.js`,
          `dist/assets/functions/${id}/index.js.map`,
        ]),
      ]),
    );
  });

  it('holds no tests, bench, scripts, TypeScript sources or configuration of the repository', () => {
    const paths = packed.files.map((f) => f.path);
    const unneeded = paths.filter(
      (p) =>
        /^(test|bench|scripts|docs|local|lambdas|cdk|definitions|\.ci)\//.test(p) ||
        (p.endsWith('.ts') && !p.endsWith('.d.ts')) ||
        /^(tsconfig.*|jest\.config\.js|biome\.json|cdk\.json|package-lock\.json)$/.test(p) ||
        p.endsWith('.test.js'),
    );
    expect(unneeded).toEqual([]);
  });
});

describe('an empty CDK app that installed the tarball offline', () => {
  it('gets no second copy of aws-cdk-lib or constructs, and no esbuild', () => {
    const nested = join(app, 'node_modules', 'shield-right', 'node_modules');
    expect(existsSync(join(nested, 'aws-cdk-lib'))).toBe(false);
    expect(existsSync(join(nested, 'constructs'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'esbuild'))).toBe(false);
  });

  it('type-checks and synthesizes the whole service with cdk-nag, using the prebuilt bundles', () => {
    // Arrange: the app a CDK user writes, type-checked against the package's declarations.
    writeFileSync(
      join(app, 'app.ts'),
      `import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, ShieldRight } from 'shield-right';

const app = new App();
const stack = new Stack(app, 'Consumer');
const shieldRight = new ShieldRight(stack, 'ShieldRight', {
  config: parseConfig({ mode: 'observe', notificationEmails: ['secops@example.com'], reservedConcurrency: 200 }),
  quarantineVpcIds: ['vpc-0123456789abcdef0'],
  removalPolicy: RemovalPolicy.RETAIN,
});
shieldRight.topic.topicArn satisfies string;
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: [],
          skipLibCheck: true,
        },
        files: ['app.ts'],
      }),
    );
    ok(
      run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app),
      'tsc',
    );
    // The context a fresh `cdk init` app carries: the feature flags of this repository's cdk.json.
    const { 'shield-right': _config, ...flags } = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'))
      .context as Record<string, unknown>;

    // Act: what `cdk synth` runs (the CLI passes context and output directory this way).
    const outdir = join(app, 'cdk.out');
    const synth = run(process.execPath, ['app.js'], app, {
      CDK_CONTEXT_JSON: JSON.stringify(flags),
      CDK_OUTDIR: outdir,
    });

    // Assert: synth passed cdk-nag (a violation fails it), and every function's code is the shipped bundle.
    ok(synth, 'synth');
    const template = JSON.parse(readFileSync(join(outdir, 'Consumer.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(FUNCTIONS).length);
    const shipped = new Set(
      Object.keys(FUNCTIONS).map((id) =>
        readFileSync(join(app, 'node_modules/shield-right/dist/assets/functions', id, 'index.js'), 'utf8'),
      ),
    );
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const deployed = functions.map((f) => {
      const key = String((f.Properties.Code as { S3Key: unknown }).S3Key);
      const dir = assets.find((d) => key.startsWith(d.replace('asset.', '')));
      return readFileSync(join(outdir, dir ?? 'missing', 'index.js'), 'utf8');
    });
    expect(deployed.every((code) => shipped.has(code))).toBe(true);
    expect(functions.every((f) => typeof f.Properties.ReservedConcurrentExecutions === 'number')).toBe(true);
  });

  it('runs `npx shield-right simulate` on a shipped example event', () => {
    const result = ok(
      run('npx', ['--offline', '--no-install', 'shield-right', 'simulate', '--json', EXAMPLE], app),
      'npx shield-right simulate',
    );

    const { results } = JSON.parse(result) as {
      results: {
        matchedRules: string[];
        executions: { status: string }[];
        apiCalls: { operation: string }[];
      }[];
    };
    // The event, then the ECR push the quarantine's own retag emitted (checked by ImagePushCheck).
    expect(results.map((r) => r.matchedRules)).toEqual([['RuntimeThreatRule'], ['ImagePushRule']]);
    expect(results[0]?.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(results[0]?.apiCalls.map((c) => c.operation)).toContain('StopTask');
  });

  it('answers --version with the packed version and a usage error with exit code 2 on stderr', () => {
    const version = run('npx', ['--offline', '--no-install', 'shield-right', '--version'], app);
    const usage = run(
      'npx',
      ['--offline', '--no-install', 'shield-right', 'simulate', '--no-such-flag'],
      app,
    );

    expect(version.stdout.trim()).toBe(packed.version);
    expect(usage.status).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toContain('shield-right:');
  });
});
