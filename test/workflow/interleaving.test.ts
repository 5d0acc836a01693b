/**
 * Concurrent executions in one simulation (`Simulator.processEvents` with `concurrency`): their sandbox
 * calls interleave in an order fixed by the seed, so two executions race for one task as they can on AWS.
 */
import { type EventResult, Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { AwsError } from '../../local/sandbox/types';

const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const TASK_ID = 'ab'.repeat(16);

// Several whole executions per test, on a shared machine: not a timing assertion.
jest.setTimeout(60_000);
afterEach(() => jest.restoreAllMocks());

function stops(results: readonly EventResult[]): number {
  return results.flatMap((r) => r.apiCalls).filter((c) => c.operation === 'StopTask' && c.error === null)
    .length;
}

/**
 * After its notification every response passes the Security Hub choice, which skips the update with
 * `securityHub` off (the default), and ends.
 */
const AFTER_NOTIFY = ['SecurityHubSetting', 'IsSecurityHubOn', 'ResponseDone'];

/** The notification each execution ended its response with: the state entered just before the Security Hub choice. */
function endings(results: readonly EventResult[]): string[] {
  return results
    .map((r) => {
      const states = r.executions[0]?.states ?? [];
      expect(states.slice(-AFTER_NOTIFY.length)).toEqual(AFTER_NOTIFY);
      return states.at(-AFTER_NOTIFY.length - 1) ?? '';
    })
    .sort();
}

/** The order of every call of both executions: what the seed decides. */
function interleaving(results: readonly EventResult[]): string[] {
  return results.flatMap((r, i) => r.apiCalls.map((c) => `${i}:${c.operation}:${c.startSeq}-${c.endSeq}`));
}

/** Two findings of one task processed at once; `counts` makes the second a later occurrence of the first. */
async function race(
  seed: number,
  ids: [string, string],
  counts: [number, number] = [1, 1],
): Promise<{ sim: Simulator; results: EventResult[] }> {
  const sim = new Simulator({ clock: CLOCK });
  const events = ids.map((id, i) => ({
    event: runtimeEvent({ id, taskId: TASK_ID, severity: 8, count: counts[i] ?? 1 }),
  }));
  return { sim, results: await sim.processEvents(events, { concurrency: 2, seed }) };
}

/**
 * DynamoDB cancels a transaction with `TransactionConflict` when another transaction on the same item is in
 * progress. The sandbox does not model that yet, so it is injected here: a claim sent while another claim
 * of the same task is still in flight (its request or its answer not yet delivered) is cancelled.
 */
function conflictingClaims(sim: Simulator): { conflicts: () => number } {
  const account = sim.account;
  const realCall = account.call.bind(account);
  const inFlight = new Map<string, number>();
  let conflicts = 0;
  jest.spyOn(account, 'call').mockImplementation(async (service, operation, input) => {
    const items = JSON.stringify((input as { TransactItems?: unknown }).TransactItems ?? []);
    const claim = /"(CLAIM#[^"]+)"/.exec(items)?.[1];
    if (service !== 'dynamodb' || operation !== 'TransactWriteItems' || !claim) {
      return realCall(service, operation, input);
    }
    if ((inFlight.get(claim) ?? 0) > 0) {
      conflicts += 1;
      throw new AwsError(
        'TransactionCanceledException',
        'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None, None]',
      );
    }
    inFlight.set(claim, (inFlight.get(claim) ?? 0) + 1);
    try {
      return await realCall(service, operation, input);
    } finally {
      inFlight.set(claim, (inFlight.get(claim) ?? 1) - 1);
    }
  });
  return { conflicts: () => conflicts };
}

describe('concurrent executions in one simulation', () => {
  it('one finding and its next occurrence at once: one responds, the other is recorded as a repeat, the task is stopped once', async () => {
    // Act
    const { results } = await race(1, ['finding-same', 'finding-same'], [1, 2]);

    // Assert: whichever recorded the incident first responds; the other records the repeat (a duplicate
    // delivery when the older occurrence arrives second) and claims nothing.
    const runs = results.map((r) => r.executions[0]);
    expect(runs.map((r) => r?.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const responded = runs.filter((r) => r?.states.includes('ClaimContainment'));
    const repeated = runs.filter((r) => r?.states.includes('RecordRepeat'));
    expect(responded).toHaveLength(1);
    expect(repeated).toHaveLength(1);
    expect(repeated[0]?.states).toEqual(expect.arrayContaining(['RecordIncident', 'LoadIncident']));
    expect(stops(results)).toBe(1);
  });

  it.each([1, 2, 3])(
    'two findings of one task at once (seed %i): exactly one claims and stops it, the other is already contained',
    async (seed) => {
      // Act
      const { results } = await race(seed, ['finding-a', 'finding-b']);

      // Assert
      expect(results.map((r) => r.executions[0]?.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(endings(results)).toEqual(['NotifyAlreadyContained', 'NotifyResponse']);
      expect(stops(results)).toBe(1);
    },
  );

  it('the same seed replays the same interleaving; another seed interleaves differently', async () => {
    // Act
    const first = await race(2, ['finding-a', 'finding-b']);
    const again = await race(2, ['finding-a', 'finding-b']);
    const other = await race(4, ['finding-a', 'finding-b']);

    // Assert
    expect(interleaving(again.results)).toEqual(interleaving(first.results));
    expect(interleaving(other.results)).not.toEqual(interleaving(first.results));
    // The executions did overlap: calls of the second started before the first had finished its own.
    const [a, b] = first.results.map((r) => r.apiCalls.map((c) => c.startSeq));
    expect(Math.min(...(b ?? []))).toBeLessThan(Math.max(...(a ?? [])));
  });

  it('claims that overlap conflict (injected TransactionConflict): the loser waits, claims again, and is told the task is already contained', async () => {
    // Arrange: seed 5 sends the second claim while the first is in flight (seed 1 did before CaptureEvent added a call).
    const sim = new Simulator({ clock: CLOCK });
    const injected = conflictingClaims(sim);
    const events = ['finding-a', 'finding-b'].map((id) => ({
      event: runtimeEvent({ id, taskId: TASK_ID, severity: 8 }),
    }));

    // Act
    const results = await sim.processEvents(events, { concurrency: 2, seed: 5 });

    // Assert
    expect(injected.conflicts()).toBe(1);
    const loser = results.find((r) => r.executions[0]?.states.includes('WaitBeforeClaimingAgain'));
    expect(loser?.executions[0]?.states.slice(-8 - AFTER_NOTIFY.length)).toEqual([
      'ClaimContainment',
      'WhyClaimRefused',
      // The wait loop counts its attempts (bounded: ClaimContended after the last).
      'CountClaimAttempt',
      'FirstClaimAttempt',
      'WaitBeforeClaimingAgain',
      'ClaimContainment',
      'WhyClaimRefused',
      'NotifyAlreadyContained',
      ...AFTER_NOTIFY,
    ]);
    expect(endings(results)).toEqual(['NotifyAlreadyContained', 'NotifyResponse']);
    expect(stops(results)).toBe(1);
  });
});
