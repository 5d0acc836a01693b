/**
 * The CDK entry point as the CLI runs it (`npx tsx cdk/app.ts`, context in CDK_CONTEXT_JSON): it takes
 * its configuration as an object or a JSON string and rejects a bad one by name. Bundling is skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OUTPUT_IDS } from '../../cdk/shield-right';
import { CONTEXT_KEY } from '../../definitions/config';
import { cdkJsonContext, missingSources, REPO_ROOT } from './helpers';

function runApp(config: unknown) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'shield-right-app-'));
  const context = { ...cdkJsonContext(), [CONTEXT_KEY]: config, 'aws:cdk:bundling-stacks': [] };
  const run = spawnSync(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'cdk/app.ts'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { ...run, outdir };
}

const suite = missingSources().length === 0 ? describe : describe.skip;

suite('cdk/app.ts', () => {
  it('names the bad key and exits non-zero on an invalid configuration', () => {
    const run = runApp({ inspector: { minimumSeverity: 'SEVERE' } });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('shield-right.inspector.minimumSeverity');
  }, 60_000);

  it('accepts the configuration as a JSON string (-c shield-right=…)', () => {
    const run = runApp(JSON.stringify({ mode: 'observe', minimumSeverity: 7 }));
    expect(run.stderr).not.toContain('invalid configuration');
    expect(run.status).toBe(0);
    const template = JSON.parse(readFileSync(path.join(run.outdir, 'ShieldRight.template.json'), 'utf8'));
    expect(Object.keys(template.Outputs).sort()).toEqual(Object.values(OUTPUT_IDS).sort());
    const patterns = Object.values(
      template.Resources as Record<string, { Type: string; Properties: unknown }>,
    )
      .filter((r) => r.Type === 'AWS::Events::Rule')
      .map((r) => JSON.stringify(r.Properties));
    expect(patterns.some((p) => p.includes('{"numeric":[">=",7]}'))).toBe(true);
  }, 60_000);
});
