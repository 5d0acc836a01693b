/** The replay keeps each finding's outcome, not the executions' histories. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../definitions/config';
import { readInventory } from '../../local/backtest/inventory';
import { pullFindings } from '../../local/backtest/pull';
import { replayFindings } from '../../local/backtest/replay';
import { sandboxSource } from '../../local/backtest/source';
import { StatesService } from '../../local/sandbox/states';
import { openSandbox } from '../../local/sandbox-store';
import { buildBacktestAccount, WINDOW } from '../helpers/backtest-account';

jest.setTimeout(120_000);

test('after each finding the sandbox holds no execution history; the outcome keeps the paths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shield-right-backtest-replay-'));
  try {
    buildBacktestAccount(dir, { guardduty: 30, inspector: 4, goneEvery: 7 });
    const source = sandboxSource(openSandbox(dir).account);
    const window = { from: Date.parse(WINDOW.from), to: Date.parse(WINDOW.to) };
    const findings = await source.run(() => pullFindings(source.clients, window));
    const inventory = await source.run(() =>
      readInventory(source.clients, findings, { accountId: '111122223333', region: 'us-east-1' }),
    );
    const services: StatesService[] = [];
    const original = StatesService.prototype.record;
    jest.spyOn(StatesService.prototype, 'record').mockImplementation(function (
      this: StatesService,
      ...args: Parameters<StatesService['record']>
    ) {
      if (!services.includes(this)) services.push(this);
      original.apply(this, args);
    });
    const retained: number[] = [];
    let paths = 0;
    for await (const outcome of replayFindings(findings, inventory, {
      config: DEFAULT_CONFIG,
      accountId: '111122223333',
      region: 'us-east-1',
    })) {
      paths += outcome.paths.length;
      retained.push(...services.map((s) => s.all().length));
    }
    expect(services).toHaveLength(1);
    expect(paths).toBeGreaterThan(findings.length / 2);
    expect(retained.every((n) => n === 0)).toBe(true);
  } finally {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  }
});
