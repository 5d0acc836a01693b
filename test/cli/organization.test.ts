/**
 * `shield-right simulate --account` (issue 16): the account shield-right is deployed in, and the account
 * of every API call in `--json`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../../bin/commands/simulate';
import { runtimeEvent } from '../../local/fixtures/events';

const CENTRAL = '111122223333';
const MEMBER = '222233334444';

let dir: string;
let printed: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-org-'));
  printed = [];
  // `simulate --json` writes its document to stdout piece by piece (bin/json-writer.ts).
  jest.spyOn(process.stdout, 'write').mockImplementation((text: string | Uint8Array) => {
    printed.push(String(text));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

interface JsonCall {
  account: string;
  service: string;
  operation: string;
}

async function run(args: string[]): Promise<JsonCall[]> {
  expect(await simulate(['--json', ...args])).toBe(0);
  const out = JSON.parse(printed.join('')) as { results: { apiCalls: JsonCall[] }[] };
  return out.results.flatMap((r) => r.apiCalls);
}

test('--account deploys in that account; a member finding is stopped in the member account, each call names its account', async () => {
  // Arrange: a member's finding as the delegated administrator's bus delivers it
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ memberAccountRoleName: 'ShieldRightMemberRole' }));
  const forwarded = join(dir, 'forwarded.json');
  writeFileSync(
    forwarded,
    JSON.stringify({ ...runtimeEvent({ account: MEMBER, taskId: '12'.repeat(16) }), account: CENTRAL }),
  );

  // Act
  const calls = await run(['--account', CENTRAL, '--config', config, forwarded]);

  // Assert
  const stop = calls.find((c) => c.operation === 'StopTask');
  expect(stop?.account).toBe(MEMBER);
  expect(calls.find((c) => c.operation === 'PutItem')?.account).toBe(CENTRAL);
  expect(calls.every((c) => /^\d{12}$/.test(c.account))).toBe(true);
});

test('by default shield-right is deployed in the first event account', async () => {
  // Arrange
  const event = join(dir, 'event.json');
  writeFileSync(event, JSON.stringify(runtimeEvent({ account: MEMBER, taskId: '34'.repeat(16) })));

  // Act
  const calls = await run([event]);

  // Assert
  expect(calls.length).toBeGreaterThan(0);
  expect(new Set(calls.map((c) => c.account))).toEqual(new Set([MEMBER]));
});

test('--account must be a 12-digit account id', async () => {
  await expect(simulate(['--account', '12345', 'x.json'])).rejects.toThrow(
    '--account must be a 12-digit account id',
  );
});
