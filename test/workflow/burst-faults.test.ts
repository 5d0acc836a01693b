/**
 * Issue 13 acceptance: offline, a burst of 300 findings over 25 tasks with 20% of sandbox calls failing
 * (throttling, transactions cancelled for TransactionConflict or ThrottlingError, conditional writes
 * answered 409) loses no execution, stops no task twice and keeps the blast-radius counters within
 * their caps. Three seeds here; `npm run bench` runs seeds 1 to 10 (a burst takes several seconds).
 */
import { FAULT_BURST, type FaultBurstOutcome, runFaultBurst } from '../../local/fixtures/fault-burst';

// The blast-radius window is keyed on the wall clock: pin it mid-window so a burst sees one counter.
const NOW = Date.UTC(2026, 10, 28, 10, 30);
const SEEDS = [1, 2, 3];
const outcomes: FaultBurstOutcome[] = [];

beforeAll(async () => {
  jest.useFakeTimers({
    now: NOW,
    doNotFake: [
      'nextTick',
      'queueMicrotask',
      'setImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'performance',
      'hrtime',
    ],
  });
  // One after the other: a simulator writes its configuration into process.env.
  for (const seed of SEEDS) outcomes.push(await runFaultBurst(seed));
}, 600_000);

afterAll(() => {
  jest.useRealTimers();
});

describe('a burst of 300 findings over 25 tasks with 20% injected faults', () => {
  it('runs every finding, for each seed', () => {
    for (const outcome of outcomes) {
      expect(outcome.events).toBe(
        FAULT_BURST.tasks * FAULT_BURST.findingsPerTask * FAULT_BURST.deliveries.length,
      );
      expect(outcome.executions).toBeGreaterThanOrEqual(outcome.events);
    }
  });

  it.each(SEEDS)('loses no execution with seed %i: every one SUCCEEDED', (seed) => {
    expect(outcomes.find((o) => o.seed === seed)?.lost).toEqual([]);
  });

  it.each(SEEDS)('stops each task exactly once with seed %i', (seed) => {
    const outcome = outcomes.find((o) => o.seed === seed);
    expect(outcome?.stoppedTwice).toEqual([]);
    expect(outcome?.tasksStopped).toBe(FAULT_BURST.tasks);
  });

  it.each(SEEDS)('keeps the blast-radius counters within their caps with seed %i', (seed) => {
    const outcome = outcomes.find((o) => o.seed === seed);
    expect(outcome?.counters.cluster).toBe(FAULT_BURST.tasks);
    expect(outcome?.counters.cluster).toBeLessThanOrEqual(outcome?.caps.cluster ?? 0);
    expect(outcome?.counters.account).toBeLessThanOrEqual(outcome?.caps.account ?? 0);
  });

  it('exercised the faults the acceptance is about: claims made again after a transient cancellation, and 409 conflicts', () => {
    expect(outcomes.reduce((n, o) => n + o.claimsAgain, 0)).toBeGreaterThan(0);
    expect(outcomes.reduce((n, o) => n + o.conditionalConflicts, 0)).toBeGreaterThan(0);
  });
});
