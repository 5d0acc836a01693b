/**
 * The fast path's transport (local/sandbox/transport.ts `answerBelowSdk`): a client attached with `belowSdk`
 * answers `send` on a fast sandbox without resolving its middleware stack, and gives what the stack gives:
 * the same outputs and `$metadata`, the same errors after the same SDK retries (throttling retried up to 6
 * attempts with the retry quota), the same calls in the sandbox's log. A client not opted in keeps its stack.
 */
import { ECSClient, ListClustersCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { readOnly } from '../../local/backtest/read-only';
import type { EnginePath } from '../../local/sandbox/account';

/** What one client saw, in a fresh module registry (the retry quota is module state, as in its own process). */
async function run(
  engine: EnginePath,
): Promise<{ answers: unknown[]; log: unknown[]; stackRuns: number; faults: number }> {
  let result: { answers: unknown[]; log: unknown[]; stackRuns: number; faults: number } | undefined;
  await jest.isolateModulesAsync(async () => {
    const { ECSClient: Client, ListClustersCommand: List } =
      require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs');
    const sandbox = require('../../local/sandbox/account') as typeof import('../../local/sandbox/account');
    const transport =
      require('../../local/sandbox/transport') as typeof import('../../local/sandbox/transport');
    const account = new sandbox.SandboxAccount({ engine, faultRate: 0.6, seed: 11 });
    for (let i = 0; i < 3; i++) account.ecs.putCluster({ name: `c${i}` });
    const client = new Client({ region: 'us-east-1' });
    let stackRuns = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        stackRuns += 1;
        return next(args);
      },
      { step: 'serialize', name: 'countStackRuns' },
    );
    transport.attachSandbox(client, 'ecs', { belowSdk: true });
    const answers: unknown[] = [];
    const { calls } = await sandbox.recordCalls(() =>
      transport.runInSandbox(account, async () => {
        for (let i = 1; i <= 24; i++) {
          await sandbox.inState(`State${i % 4}`, async () => {
            try {
              const out = await client.send(new List({ maxResults: i }));
              answers.push({ ok: out });
            } catch (err) {
              const e = err as Error & { $metadata?: unknown };
              answers.push({ error: e.name, metadata: e.$metadata });
            }
          });
        }
      }),
    );
    result = {
      answers,
      log: calls.map((c) => ({ op: c.operation, input: c.input, error: c.error, state: c.state })),
      stackRuns,
      faults: account.faultsInjected,
    };
  });
  if (!result) throw new Error('no result');
  return result;
}

describe('the fast transport', () => {
  it('answers below the middleware stack with the stack answers, retries and errors', async () => {
    const reference = await run('reference');
    const fast = await run('fast');
    // Faults were injected, retried, and some calls ran out of attempts: the retry behaviour is exercised.
    expect(reference.faults).toBeGreaterThan(10);
    expect(reference.answers.some((a) => 'error' in (a as object))).toBe(true);
    expect(
      reference.answers.some(
        (a) => ((a as { ok?: { $metadata: { attempts: number } } }).ok?.$metadata.attempts ?? 1) > 1,
      ),
    ).toBe(true);
    expect(reference.stackRuns).toBeGreaterThan(0);
    // The fast path never resolved the stack, and answered exactly as the stack did.
    expect(fast.stackRuns).toBe(0);
    expect(fast.answers).toEqual(reference.answers);
    expect(fast.log).toEqual(reference.log);
    expect(fast.faults).toBe(reference.faults);
  });

  it('leaves a client that is not opted in on its stack: a read-only client still refuses a StopTask', async () => {
    const { SandboxAccount } =
      require('../../local/sandbox/account') as typeof import('../../local/sandbox/account');
    const { attachSandbox, runInSandbox } =
      require('../../local/sandbox/transport') as typeof import('../../local/sandbox/transport');
    const account = new SandboxAccount({ engine: 'fast' });
    account.ecs.putCluster({ name: 'prod' });
    const client = readOnly(new ECSClient({ region: 'us-east-1' }));
    attachSandbox(client, 'ecs');
    await expect(
      runInSandbox(account, () => client.send(new StopTaskCommand({ cluster: 'prod', task: 'abc' }))),
    ).rejects.toMatchObject({ name: 'ReadOnlyViolationError' });
    const listed = await runInSandbox(account, () => client.send(new ListClustersCommand({})));
    expect(listed.clusterArns).toHaveLength(1);
  });
});
