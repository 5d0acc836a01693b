/** The back-test's reads: which findings of a window, in which order, replayed when, labelled how. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullFindings } from '../../local/backtest/pull';
import { sandboxSource } from '../../local/backtest/source';
import { openSandbox, saveSandbox } from '../../local/sandbox-store';
import { buildBacktestAccount } from '../helpers/backtest-account';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shield-right-backtest-pull-'));
  buildBacktestAccount(dir, { guardduty: 120, inspector: 10, goneEvery: 7 });
  // Finding 4 of Inspector is CLOSED now.
  const simulator = openSandbox(dir);
  const closed = (simulator.account.inspector2.snapshot() as { findings: Record<string, unknown>[] })
    .findings[4];
  simulator.account.inspector2.putFinding({ ...closed, status: 'CLOSED' });
  saveSandbox(dir, simulator);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pull = (from: string, to: string) => {
  const source = sandboxSource(openSandbox(dir).account);
  return source.run(() => pullFindings(source.clients, { from: Date.parse(from), to: Date.parse(to) }));
};

test("reads the window's findings oldest first; one updated in the window but first seen before it is replayed at its update", async () => {
  // Findings 0-19 are at 00:00-00:19 on Nov 1; 0 and 10 were updated two hours later.
  const findings = await pull('2026-11-01T01:00:00Z', '2026-11-01T12:00:00Z');
  const ids = findings.map((f) => f.id);
  const hex = (n: number) => n.toString(16).padStart(32, '0');
  expect(ids).toContain(hex(0));
  expect(ids).toContain(hex(10));
  expect(ids).not.toContain(hex(1));
  // 20-39 at 09:00-09:19; Inspector 0 (00:30) and 1 (05:30) and 2 (10:30) by first observation.
  expect(findings.filter((f) => f.source === 'aws.guardduty')).toHaveLength(22);
  expect(findings.filter((f) => f.source === 'aws.inspector2')).toHaveLength(2);
  const times = findings.map((f) => f.at);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  const early = findings.find((f) => f.id === hex(0));
  expect(new Date(early?.at ?? 0).toISOString()).toBe('2026-11-01T02:00:00.000Z');
  expect(early?.labels.join('\n')).toMatch(/first seen before the window/);
  expect(early?.labels.join('\n')).toMatch(/last state \(count 4/);
  // A finding first seen in the window, never updated, carries no label.
  expect(findings.find((f) => f.id === hex(21))?.labels).toEqual([]);
});

test('labels an Inspector finding CLOSED now and replays it as ACTIVE', async () => {
  const findings = await pull('2026-11-01T00:00:00Z', '2026-11-08T00:00:00Z');
  const inspector = findings.filter((f) => f.source === 'aws.inspector2');
  expect(inspector).toHaveLength(10);
  const closed = inspector.filter((f) => f.labels.some((l) => l.startsWith('CLOSED now')));
  expect(closed).toHaveLength(1);
  expect(closed[0]?.detail.status).toBe('ACTIVE');
  expect(inspector.every((f) => f.detail.status === 'ACTIVE')).toBe(true);
});
