/** The README's read-only IAM policy for `backtest` names exactly the operations its clients send. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../../bin/commands/backtest';
import { DEFAULT_CONFIG } from '../../definitions/config';
import { sandboxSource } from '../../local/backtest/source';
import { openSandbox } from '../../local/sandbox-store';
import { buildBacktestAccount, WINDOW } from '../helpers/backtest-account';

jest.setTimeout(120_000);

const PREFIX: Record<string, string> = {
  GuardDutyClient: 'guardduty',
  Inspector2Client: 'inspector2',
  ECSClient: 'ecs',
  EC2Client: 'ec2',
  ECRClient: 'ecr',
};

test('every operation backtest sends is in the README policy, and the policy grants nothing else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shield-right-backtest-policy-'));
  try {
    buildBacktestAccount(dir, { guardduty: 30, inspector: 4, goneEvery: 7 });
    const source = sandboxSource(openSandbox(dir).account);
    const sent = new Set<string>();
    for (const client of Object.values(source.clients)) {
      const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      const prefix = PREFIX[client.constructor.name] ?? '?';
      Object.assign(client, {
        send: (command: { constructor: { name: string } }) => {
          sent.add(`${prefix}:${command.constructor.name.replace(/Command$/, '')}`);
          return send(command);
        },
      });
    }
    const window = { from: Date.parse(WINDOW.from), to: Date.parse(WINDOW.to) };
    const report = await runBacktest(source, window, DEFAULT_CONFIG, 'contain', () => {});
    expect(report.findings).toBe(34);

    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const policy =
      /"Sid": "ShieldRightBacktestReadOnly"[\s\S]*?"Action": \[([\s\S]*?)\]/.exec(readme)?.[1] ?? '';
    const granted = new Set([...policy.matchAll(/"([a-z0-9]+:[A-Za-z]+)"/g)].map((m) => m[1]));
    expect([...sent].sort()).toEqual([...granted].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
