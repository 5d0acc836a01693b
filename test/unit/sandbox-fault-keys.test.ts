/**
 * Injected faults are drawn from each call's identity (event, state, operation, input, attempt), not from the
 * order calls arrive in: concurrent calls (Parallel branches) meet the same faults whichever is answered first,
 * so a transport with another `await` structure replays the same outcome (bench/README.md, the fast path).
 */
import { type ApiCall, inState, recordCalls, SandboxAccount } from '../../local/sandbox/account';

interface Call {
  readonly state: string;
  readonly cluster: string;
}

const CALLS: Call[] = Array.from({ length: 12 }, (_, i) => ({ state: `State${i % 3}`, cluster: `k${i}` }));

async function faultsOf(order: readonly Call[], seed = 3): Promise<Record<string, string | null>> {
  const account = new SandboxAccount({ faultRate: 0.5, seed });
  const { calls } = await recordCalls(async () => {
    for (const call of order) {
      await inState(call.state, () =>
        account.call('ecs', 'DescribeClusters', { clusters: [call.cluster] }).catch(() => undefined),
      );
    }
  });
  return Object.fromEntries(calls.map((c: ApiCall) => [`${c.state}/${JSON.stringify(c.input)}`, c.error]));
}

it('gives each call the same fault whatever order the calls arrive in', async () => {
  const forward = await faultsOf(CALLS);
  const reversed = await faultsOf([...CALLS].reverse());

  expect(Object.values(forward).filter((e) => e !== null).length).toBeGreaterThan(0);
  expect(Object.values(forward).filter((e) => e === null).length).toBeGreaterThan(0);
  expect(reversed).toEqual(forward);
});

it('draws anew for each attempt of the same call, and for another seed', async () => {
  const account = new SandboxAccount({ faultRate: 0.5, seed: 3 });
  const { calls } = await recordCalls(async () => {
    for (let attempt = 0; attempt < 16; attempt++) {
      await inState('Retry', () => account.call('ecs', 'DescribeClusters', {}).catch(() => undefined));
    }
  });
  const outcomes = new Set(calls.map((c) => c.error));

  expect(outcomes).toEqual(new Set([null, 'ThrottlingException']));
  expect(await faultsOf(CALLS, 4)).not.toEqual(await faultsOf(CALLS, 3));
});

it('draws anew for the same call in another event (another call log)', async () => {
  const account = new SandboxAccount({ faultRate: 0.5, seed: 3 });
  const errors: (string | null)[] = [];
  for (let event = 0; event < 16; event++) {
    const { calls } = await recordCalls(() =>
      inState('Enrich', () => account.call('ecs', 'DescribeClusters', {}).catch(() => undefined)),
    );
    errors.push(calls[0]?.error ?? null);
  }

  expect(new Set(errors)).toEqual(new Set([null, 'ThrottlingException']));
});
