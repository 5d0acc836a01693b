/**
 * A saved sandbox holding a month of findings, for `backtest --sandbox`: GuardDuty Runtime Monitoring
 * findings on tasks of a few clusters (some tasks gone since, some exempt, some Low), Inspector findings
 * on images, and the inventory they refer to.
 */
import { createHash } from 'node:crypto';
import { Simulator } from '../../local/engine';
import { inspectorEvent, runtimeEvent } from '../../local/fixtures/events';
import { provisionFromEvent } from '../../local/provision';
import { saveSandbox } from '../../local/sandbox-store';

export const WINDOW = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' };
const START = Date.parse(WINDOW.from);
const HOUR = 3_600_000;

export interface AccountShape {
  readonly guardduty: number;
  readonly inspector: number;
  /** Every `goneEvery`-th task is not in the inventory any more (stopped long ago). */
  readonly goneEvery: number;
  /** Detail text put in every finding's process name (to test escaping). */
  readonly processName?: string;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function buildBacktestAccount(dir: string, shape: AccountShape): void {
  const simulator = new Simulator({ accountId: '111122223333', region: 'us-east-1' });
  const account = simulator.account;
  const detector = '0123456789abcdef0123456789abcdef';
  account.guardduty.putDetector(detector);
  for (let i = 0; i < shape.guardduty; i += 1) {
    // Bursts: 20 findings in an hour on one cluster, then quiet; severities High, High, Low in turn, so a
    // burst holds 13 or 14 High findings: past the High band's cluster budget of 10 an hour.
    const at = START + Math.floor(i / 20) * 9 * HOUR + (i % 20) * 60_000;
    const severity = [8, 8, 2][i % 3] ?? 8;
    const event = runtimeEvent({
      id: hex(i, 32),
      taskId: hex(0x10000 + i, 32),
      cluster: `cluster-${Math.floor(i / 20) % 3}`,
      severity,
      ...(i % 17 === 5 ? { taskTags: { 'shield-right:exempt': 'true' } } : {}),
      ...(shape.processName ? { processName: shape.processName } : {}),
    });
    const detail = event.detail as Record<string, unknown>;
    const iso = new Date(at).toISOString();
    detail.createdAt = iso;
    detail.updatedAt = i % 10 === 0 ? new Date(at + 2 * HOUR).toISOString() : iso;
    if (i % 10 === 0) (detail.service as Record<string, unknown>).count = 4;
    if (i % shape.goneEvery !== 0) provisionFromEvent(account, event);
    account.guardduty.putFinding(detector, detail);
  }
  for (let i = 0; i < shape.inspector; i += 1) {
    const at = START + i * 5 * HOUR + 30 * 60_000;
    const event = inspectorEvent({
      findingId: hex(0x20000 + i, 32),
      repository: `repo-${i % 4}`,
      digest: `sha256:${createHash('sha256').update(`image${i}`).digest('hex')}`,
      severity: i % 2 === 0 ? 'CRITICAL' : 'MEDIUM',
      cve: `CVE-2026-${1000 + i}`,
    });
    const detail = event.detail as Record<string, unknown>;
    const iso = new Date(at).toISOString();
    detail.firstObservedAt = iso;
    detail.lastObservedAt = iso;
    detail.updatedAt = iso;
    provisionFromEvent(account, event);
    account.inspector2.putFinding(detail);
  }
  saveSandbox(dir, simulator);
}
