import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../../bin/commands/verify';
import { parseConfig } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import type { SignatureKind } from '../../local/provision-signatures';
import { saveSandbox } from '../../local/sandbox-store';
import { streams } from '../helpers/cli';

const TRUSTED = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const REGISTRY = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
const KINDS: readonly SignatureKind[] = [
  'trusted',
  'untrusted-profile',
  'revoked',
  'tampered',
  'expired',
  'none',
];

let dir: string;
let configFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-verify-'));
  const signing = { mode: 'enforce', trustedProfiles: [TRUSTED], allowRegistries: ['public.ecr.aws'] };
  configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ signing }));
  const sim = new Simulator({
    config: parseConfig({ signing }),
    scenario: {
      repositories: [
        {
          name: 'api',
          images: KINDS.map((signature, i) => ({
            tags: [signature],
            digest: `sha256:${String(i + 1).repeat(64)}`,
            signature,
          })),
        },
      ],
    },
  });
  saveSandbox(join(dir, 'sandbox'), sim);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...args: string[]) => {
  const s = streams();
  const code = await verify([...args, '--sandbox', join(dir, 'sandbox'), '--config', configFile], s.io);
  return { code, out: s.out() };
};

it('exits 0 only for the trusted image; every other outcome exits 1 and says which', async () => {
  const results: Record<string, { code: number; outcome: string }> = {};
  for (const kind of KINDS) {
    const { code, out } = await run(`${REGISTRY}/api:${kind}`, '--json');
    results[kind] = { code, outcome: (JSON.parse(out) as { outcome: string }).outcome };
  }
  expect(results).toEqual({
    trusted: { code: 0, outcome: 'trusted' },
    'untrusted-profile': { code: 1, outcome: 'untrusted-signer' },
    revoked: { code: 1, outcome: 'revoked' },
    tampered: { code: 1, outcome: 'tampered' },
    expired: { code: 1, outcome: 'expired' },
    none: { code: 1, outcome: 'unsigned' },
  });
});

it('prints the outcome, the reason and the signing identity for a person', async () => {
  const { code, out } = await run(`${REGISTRY}/api:revoked`);
  expect(code).toBe(1);
  expect(out).toMatch(
    /^revoked {2}111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com\/api:revoked@sha256:3{64}\n/,
  );
  expect(out).toContain('revoked by AWS Signer: arn:aws:signer:us-east-1:111122223333:/signing-jobs/');
  expect(out).toContain(`signing profile version: ${TRUSTED}/`);
});

it('an image outside ECR is never trusted, allow-listed or not; a tag that does not exist is an error', async () => {
  const allowed = await run('public.ecr.aws/nginx/nginx:1.27', '--json');
  expect(allowed.code).toBe(1);
  expect(JSON.parse(allowed.out)).toMatchObject({ outcome: 'unsigned', allowedBy: 'allowRegistries' });
  const hub = await run('nginx:1.27', '--json');
  expect(JSON.parse(hub.out)).toMatchObject({ outcome: 'unsigned' });
  expect(JSON.parse(hub.out).allowedBy).toBeUndefined();
  const missing = await run(`${REGISTRY}/api:nope`, '--json');
  expect(missing.code).toBe(1);
  expect(JSON.parse(missing.out).outcome).toBe('error');
});

it('refuses to run without trusted profiles (usage error)', async () => {
  const empty = join(dir, 'empty.json');
  writeFileSync(empty, '{}');
  await expect(verify([`${REGISTRY}/api:trusted`, '--config', empty], streams().io)).rejects.toMatchObject({
    name: 'UsageError',
  });
});
