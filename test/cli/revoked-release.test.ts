/**
 * `shield-right release` of an incident whose digest had its signing job revoked on quarantine
 * (signing.revokeOnQuarantine): the CLI output says the revocation cannot be undone and to rebuild and re-sign.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { release } from '../../bin/commands/release';
import { simulate } from '../../bin/commands/simulate';
import { imageIncidentId } from '../../lambdas/core/vulnerability';
import { streams } from '../helpers/cli';

jest.setTimeout(120_000);
const EXAMPLE = 'examples/events/06-inspector-critical-ecr.json';
const DIGEST = 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-revoked-'));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

test('release says the revoked signature cannot be undone, and to rebuild and re-sign', async () => {
  const config = join(dir, 'config.json');
  const scenario = join(dir, 'scenario.json');
  writeFileSync(
    config,
    JSON.stringify({ signing: { trustedProfiles: [TRUSTED], revokeOnQuarantine: true } }),
  );
  writeFileSync(
    scenario,
    JSON.stringify({
      repositories: [
        { name: 'payments-api', images: [{ tags: ['v1.4.1'], digest: DIGEST, signature: 'trusted' }] },
      ],
    }),
  );
  const state = join(dir, 'state');
  expect(await simulate(['--state', state, '--config', config, '--scenario', scenario, EXAMPLE])).toBe(0);

  const released = streams();
  const code = await release([imageIncidentId(DIGEST), '--sandbox', state], released.io);

  expect(code).toBe(0);
  const out = released.out();
  expect(out).toMatch(/skipped\s+signature-revoked payments-api@sha256:9f86d081/);
  expect(out).toContain('a revocation cannot be undone');
  expect(out).toContain('rebuild the image and sign it anew');
});
