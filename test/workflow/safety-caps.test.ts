/**
 * Priority under pressure (issue 14, defects 3 and 14): every severity band has its own bounded budget, a
 * budget is a sliding window a clock boundary cannot double, and "limit reached" is one notice per cluster
 * per window with the number held back, never one message per finding.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../../definitions/config';
import { type EventResult, Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { destructiveCalls } from '../helpers/destructive';
import { only, parts } from '../helpers/runtime-response';

const NOW = Date.UTC(2026, 10, 28, 10, 30);
const MINUTE = 60_000;

const config = (blastRadius: Partial<ShieldRightConfig['blastRadius']>): ShieldRightConfig => ({
  ...DEFAULT_CONFIG,
  blastRadius: { ...DEFAULT_CONFIG.blastRadius, ...blastRadius },
});

const finding = (id: string, cluster: string, severity: number) =>
  runtimeEvent({ id, taskId: hex(`task-${id}`), cluster, severity, service: null });
const hex = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

const actions = (results: readonly EventResult[]): string[] =>
  results.flatMap((r) => r.notifications.map((n) => String(n.attributes.action)));
const stops = (results: readonly EventResult[]) =>
  results.flatMap(destructiveCalls).filter((c) => c.operation === 'StopTask');
const claimed = (result: EventResult): boolean =>
  result.executions[0]?.states.includes('ClaimContainment') === true &&
  !result.executions[0]?.states.includes('WhyClaimRefused');

function statusOf(sim: Simulator, id: string): string | undefined {
  return sim.account.dynamodb.items(sim.table).find((i) => i.pk?.S === `INCIDENT#${id}`)?.status?.S;
}

async function inSequence(sim: Simulator, events: readonly unknown[]): Promise<EventResult[]> {
  const out: EventResult[] = [];
  for (const event of events) out.push(await sim.processEvent(event));
  return out;
}

beforeEach(() => {
  jest.useFakeTimers({
    now: NOW,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('severity budgets (defect 3): low-severity findings never starve a Critical one', () => {
  it('50 Medium findings use up the Medium budget; a Critical finding after them is still contained', async () => {
    const sim = new Simulator();
    // Five throwaway clusters of ten: exactly the default 10 per cluster and 50 per account.
    const mediums = Array.from({ length: 50 }, (_, i) => finding(`medium-${i}`, `dev-${i % 5}`, 5));

    const flood = await inSequence(sim, mediums);
    const fiftyFirst = await sim.processEvent(finding('medium-50', 'dev-5', 5));
    const critical = await sim.processEvent(finding('critical-0', 'prod', 9.5));

    expect(flood.filter(claimed)).toHaveLength(50);
    expect(actions([fiftyFirst])).toEqual(['cap-reached']);
    expect(statusOf(sim, 'medium-50')).toBe('CAP_REACHED');
    expect(actions([critical])).toEqual(['contained']);
    expect(stops([critical])).toHaveLength(1);
  });

  it('still bounds Critical findings by their own budget: the one past it is held back', async () => {
    const sim = new Simulator({
      config: config({ severityBudgets: { critical: { perCluster: 2, perAccount: 3 } } }),
    });

    const results = await inSequence(
      sim,
      Array.from({ length: 4 }, (_, i) => finding(`critical-${i}`, i < 3 ? 'prod' : 'prod-2', 9.5)),
    );

    // Two in prod (its cluster budget), one in prod-2 (the account budget of 3), then nothing.
    expect(actions(results)).toEqual(['contained', 'contained', 'cap-reached', 'contained']);
    expect(stops(results)).toHaveLength(3);
    const fifth = await sim.processEvent(finding('critical-4', 'prod-3', 9.5));
    expect(actions([fifth])).toEqual(['cap-reached']);
    expect(stops([fifth])).toEqual([]);
  });

  it('charges each band to its own counter, so a High flood leaves the Critical budget whole', async () => {
    const sim = new Simulator({ config: config({ maxActionsPerCluster: 2 }) });

    const highs = await inSequence(
      sim,
      Array.from({ length: 3 }, (_, i) => finding(`high-${i}`, 'prod', 8)),
    );
    const critical = await sim.processEvent(finding('critical-x', 'prod', 9.2));

    expect(actions(highs)).toEqual(['contained', 'contained', 'cap-reached']);
    expect(actions([critical])).toEqual(['contained']);
    const counters = sim.account.dynamodb
      .items(sim.table)
      .filter((i) => i.pk?.S?.startsWith('CAP#CLUSTER#'))
      .map((i) => [i.pk?.S?.split('#').pop(), i.stamps?.L?.length]);
    expect(counters.sort()).toEqual([
      ['critical', 1],
      ['high', 2],
    ]);
  });
});

describe('sliding windows (defect 14): a clock boundary cannot double a cap', () => {
  it('refuses a third action seconds after the hour when two were taken seconds before it', async () => {
    const sim = new Simulator({ config: config({ maxActionsPerCluster: 2 }) });
    const boundary = Date.UTC(2026, 10, 28, 11, 0);

    jest.setSystemTime(boundary - 10_000);
    const before = await inSequence(sim, [finding('b-0', 'prod', 8), finding('b-1', 'prod', 8)]);
    jest.setSystemTime(boundary + 10_000);
    const after = await inSequence(sim, [finding('a-0', 'prod', 8), finding('a-1', 'prod', 8)]);

    expect(actions(before)).toEqual(['contained', 'contained']);
    // Held back both; the second is recorded and counted in the same window's notice, not sent again.
    expect(actions(after)).toEqual(['cap-reached']);
    expect([statusOf(sim, 'a-0'), statusOf(sim, 'a-1')]).toEqual(['CAP_REACHED', 'CAP_REACHED']);
    expect(stops([...before, ...after])).toHaveLength(2);
  });

  it('allows again once the oldest action is a full window old, and only as many as have left it', async () => {
    const sim = new Simulator({ config: config({ maxActionsPerCluster: 2 }) });

    await sim.processEvent(finding('t-0', 'prod', 8));
    jest.setSystemTime(NOW + 30 * MINUTE);
    await sim.processEvent(finding('t-1', 'prod', 8));
    jest.setSystemTime(NOW + 60 * MINUTE);
    const oneFreed = await inSequence(sim, [finding('t-2', 'prod', 8), finding('t-3', 'prod', 8)]);
    jest.setSystemTime(NOW + 90 * MINUTE);
    const next = await sim.processEvent(finding('t-4', 'prod', 8));

    expect(actions(oneFreed)).toEqual(['contained', 'cap-reached']);
    expect(actions([next])).toEqual(['contained']);
    // The counter keeps at most cap + 1 stamps, newest first.
    const counter = sim.account.dynamodb
      .items(sim.table)
      .find((i) => i.pk?.S?.startsWith('CAP#CLUSTER#') && i.pk.S.endsWith('#high'));
    const stamps = (counter?.stamps?.L ?? []).map((s) => Number(s.N));
    expect(stamps.length).toBeLessThanOrEqual(3);
    expect(stamps).toEqual([...stamps].sort((a, b) => b - a));
  });
});

describe('"limit reached" is summarised: one notice per cluster per window, with the count', () => {
  it('a burst of 60 findings past the cap publishes one notice per cluster, records and counts every one', async () => {
    const sim = new Simulator({ config: config({ maxActionsPerCluster: 2 }) });
    const clusters = ['prod', 'stage'];
    const events = clusters.flatMap((cluster) =>
      Array.from({ length: 32 }, (_, i) => finding(`${cluster}-${i}`, cluster, 8)),
    );

    const results = await Promise.all(events.map((e) => sim.processEvent(e)));

    const kinds = actions(results);
    expect(kinds.filter((k) => k === 'contained')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'cap-reached')).toHaveLength(2);
    const heldBack = clusters.flatMap((c) =>
      Array.from({ length: 32 }, (_, i) => `${c}-${i}`).filter((id) => statusOf(sim, id) === 'CAP_REACHED'),
    );
    expect(heldBack).toHaveLength(60);
    const notices = sim.account.dynamodb
      .items(sim.table)
      .filter((i) => i.pk?.S?.startsWith('CAPNOTICE#'))
      .map((i) => Number(i.refused?.N));
    expect(notices).toEqual([30, 30]);
  });

  it('the next notice, a window later, says how many were held back since the previous one', async () => {
    const sim = new Simulator({ config: config({ maxActionsPerCluster: 1 }) });
    await inSequence(sim, [finding('n-0', 'prod', 8), finding('n-1', 'prod', 8)]);
    const quiet = await inSequence(
      sim,
      Array.from({ length: 5 }, (_, i) => finding(`q-${i}`, 'prod', 8)),
    );

    jest.setSystemTime(NOW + 61 * MINUTE);
    const later = await inSequence(sim, [finding('m-0', 'prod', 8), finding('m-1', 'prod', 8)]);

    expect(actions(quiet)).toEqual([]);
    expect(quiet.every((r) => r.executions[0]?.states.includes('CapNoticeNotDue'))).toBe(true);
    expect(actions(later)).toEqual(['contained', 'cap-reached']);
    const { email } = parts(only(later[1]?.notifications ?? []));
    expect(email).toMatch(
      /Held back: 6 findings in this scope since the previous notice at 2026-11-28T10:30:00/,
    );
    expect(email).toMatch(/High budget: at most 1 actions per cluster/);
    expect(email).toContain('shield-right incidents --status CAP_REACHED');
  });

  it('keeps one notice per band: a Medium notice never silences the Critical one of the same cluster', async () => {
    const sim = new Simulator({
      config: config({
        severityBudgets: {
          medium: { perCluster: 2, perAccount: 50 },
          critical: { perCluster: 1, perAccount: 50 },
        },
      }),
    });
    await inSequence(
      sim,
      [0, 1, 2].map((i) => finding(`band-medium-${i}`, 'dev', 5)),
    );
    const criticals = await inSequence(
      sim,
      [0, 1].map((i) => finding(`band-critical-${i}`, 'dev', 9.5)),
    );

    expect(statusOf(sim, 'band-critical-1')).toBe('CAP_REACHED');
    expect(actions([criticals[1] as EventResult])).toEqual(['cap-reached']);
  });
});
