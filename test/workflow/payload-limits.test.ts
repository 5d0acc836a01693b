/**
 * Bounded inputs in the offline engine (issue 14, defect 13): a pathologically nested event fails fast with a
 * clear error instead of leaving `simulate` with a promise that never settles, and Step Functions' 256 KiB
 * payload quota is enforced where AWS enforces it (docs/aws-behaviours.md P1-P3).
 */
import { type Dispatcher, LocalWorkflow } from '../../local/asl-runner';
import { Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { MAX_NESTING_DEPTH, MAX_PAYLOAD_BYTES, nestedDeeperThan } from '../../local/payload-limits';

type Definition = ConstructorParameters<typeof LocalWorkflow>[2];

const RUN_OPTIONS = { executionName: 'limits-test', accountId: '111122223333', region: 'us-east-1' };
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:worker';

function nested(levels: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

/** One Lambda Task that every error is "handled" by (Retry and Catch on States.ALL), then a Pass. */
function workflow(extra: Record<string, unknown> = {}): LocalWorkflow {
  const definition = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: LAMBDA_ARN,
        ResultPath: '$.result',
        Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Handled' }],
        Next: 'After',
        ...extra,
      },
      After: { Type: 'Pass', End: true },
      Handled: { Type: 'Pass', End: true },
    },
  };
  return new LocalWorkflow(
    'LimitsTest',
    'arn:aws:states:us-east-1:111122223333:stateMachine:LimitsTest',
    definition as unknown as Definition,
  );
}

function lambdaReturning(result: () => unknown): { dispatcher: Dispatcher; invocations: () => number } {
  let invocations = 0;
  return {
    invocations: () => invocations,
    dispatcher: {
      invokeLambda: async () => {
        invocations += 1;
        return result();
      },
      callService: async () => ({}),
    },
  };
}

describe('nesting depth', () => {
  it('counts levels without recursion, stopping at the limit', () => {
    expect(nestedDeeperThan(nested(MAX_NESTING_DEPTH), MAX_NESTING_DEPTH)).toBe(false);
    expect(nestedDeeperThan(nested(MAX_NESTING_DEPTH + 1), MAX_NESTING_DEPTH)).toBe(true);
    expect(nestedDeeperThan([[['x']]], 2)).toBe(true);
    expect(nestedDeeperThan(nested(100_000), 10)).toBe(true);
  });

  it('refuses a 2,500-level nested event with a clear error before any rule or workflow runs', async () => {
    // The reproduction: this event made `simulate` end with no result (the engine's deep copy
    // overflowed the stack outside its state loop and its event log never closed).
    const simulator = new Simulator();
    const event = runtimeEvent({ id: 'deep-1' }) as { detail: Record<string, unknown> };
    event.detail.deep = nested(2_500);

    await expect(simulator.processEvent(event)).rejects.toMatchObject({
      name: 'NestingLimitError',
      message: expect.stringContaining(`more than ${MAX_NESTING_DEPTH} levels deep`),
    });
    expect(simulator.account.ecs.snapshot()).toEqual(new Simulator().account.ecs.snapshot());
  });

  it('refuses a deeply nested execution input started directly (respond, rerun)', async () => {
    const { dispatcher, invocations } = lambdaReturning(() => ({}));
    await expect(workflow().run({ deep: nested(2_500) }, dispatcher, RUN_OPTIONS)).rejects.toMatchObject({
      name: 'NestingLimitError',
    });
    expect(invocations()).toBe(0);
  });

  it('still runs an event nested as deep as the limit allows', async () => {
    const simulator = new Simulator();
    const event = runtimeEvent({ id: 'deep-ok' }) as { detail: Record<string, unknown> };
    event.detail.deep = nested(MAX_NESTING_DEPTH - 5);
    const result = await simulator.processEvent(event);
    expect(result.executions.map((e) => e.status)).toEqual(['SUCCEEDED']);
  });
});

describe('the 256 KiB payload quota', () => {
  it('an event over 256 KiB starts no execution: the result says which target refused it', async () => {
    const simulator = new Simulator();
    const event = runtimeEvent({ id: 'huge-1' }) as { detail: Record<string, unknown> };
    event.detail.description = 'x'.repeat(MAX_PAYLOAD_BYTES);
    const result = await simulator.processEvent(event);
    expect(result.executions).toEqual([]);
    expect(result.refused).toEqual([
      expect.objectContaining({ stateMachine: 'RuntimeThreatResponse', error: 'PayloadLimitError' }),
    ]);
    expect(result.apiCalls.filter((c) => c.operation === 'StopTask')).toEqual([]);
  });

  it('refuses an execution input over 256 KiB: no execution starts (StartExecution)', async () => {
    const { dispatcher, invocations } = lambdaReturning(() => ({}));
    const input = { text: 'x'.repeat(MAX_PAYLOAD_BYTES) };
    await expect(workflow().run(input, dispatcher, RUN_OPTIONS)).rejects.toMatchObject({
      name: 'PayloadLimitError',
    });
    expect(invocations()).toBe(0);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const { dispatcher } = lambdaReturning(() => ({}));
    // 100,000 characters, 300,000 bytes.
    await expect(
      workflow().run({ text: '€'.repeat(100_000) }, dispatcher, RUN_OPTIONS),
    ).rejects.toMatchObject({ name: 'PayloadLimitError' });
  });

  it('fails the execution on a Task result over the quota, neither retried nor caught by States.ALL', async () => {
    const { dispatcher, invocations } = lambdaReturning(() => ({ blob: 'x'.repeat(MAX_PAYLOAD_BYTES) }));
    const run = await workflow().run({}, dispatcher, RUN_OPTIONS);
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(run.cause).toContain('the result of Task state Work');
    expect(run.states).toEqual(['Work']);
    expect(invocations()).toBe(1);
    expect(run.retries).toBe(0);
  });

  it('fails the execution on a state output over the quota, before the next state runs', async () => {
    // The result is small, the input large: ResultPath merges them into an output over 256 KiB.
    const { dispatcher } = lambdaReturning(() => ({ blob: 'y'.repeat(20_000) }));
    const input = { text: 'x'.repeat(MAX_PAYLOAD_BYTES - 10_000) };
    const run = await workflow().run(input, dispatcher, RUN_OPTIONS);
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(run.cause).toContain('the output of state Work');
    expect(run.states).toEqual(['Work']);
  });

  it('fails a Task whose input after Parameters is over the quota, before the task runs', async () => {
    const { dispatcher, invocations } = lambdaReturning(() => ({}));
    const input = { text: 'x'.repeat(MAX_PAYLOAD_BYTES / 2) };
    const run = await workflow({
      Parameters: { 'first.$': '$.text', 'second.$': '$.text', 'third.$': '$.text' },
    }).run(input, dispatcher, RUN_OPTIONS);
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(run.cause).toContain('the input of Task state Work');
    expect(invocations()).toBe(0);
  });

  it('a legal ~255 KB finding makes the runtime workflow fail with States.DataLimitExceeded, and nothing is contained', async () => {
    // The workflow carries the raw event beside what it adds (issue 14: 255 KB of event, ~258 KiB of
    // state). On AWS the execution fails at the state whose output crosses 256 KiB; offline too.
    const simulator = new Simulator();
    const event = runtimeEvent({ id: 'large-1' }) as { detail: Record<string, unknown> };
    const base = Buffer.byteLength(JSON.stringify(event));
    event.detail.description = 'x'.repeat(255_000 - base);
    const result = await simulator.processEvent(event);
    expect(result.executions).toHaveLength(1);
    expect(result.executions[0]).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(result.apiCalls.filter((c) => c.operation === 'StopTask')).toEqual([]);
  });
});
