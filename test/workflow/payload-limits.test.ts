/**
 * Bounded inputs in the offline engine (issue 14, defect 13): a pathologically nested event fails fast with a
 * clear error instead of leaving `simulate` with a promise that never settles, and Step Functions' 256 KiB
 * payload quota is enforced where AWS enforces it (docs/aws-behaviours.md P1-P3).
 */
import { type Dispatcher, LocalWorkflow } from '../../local/asl-runner';
import { Simulator } from '../../local/engine';
import { inspectorEvent, runtimeEvent } from '../../local/fixtures/events';
import * as limits from '../../local/payload-limits';
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

  it('a legal ~255 KB GuardDuty event runs the runtime workflow to SUCCEEDED: the raw event is evidence, the state stays under 64 KiB', async () => {
    // Issue 14: the workflow carried the raw event beside what it adds (255 KB of event, ~258 KiB of state)
    // and failed with States.DataLimitExceeded. It now carries the bounded finding; the raw event is evidence.
    const simulator = new Simulator();
    const event = runtimeEvent({ id: 'large-1', severity: 8 }) as { detail: LargeRuntimeDetail };
    const { process } = event.detail.service.runtimeDetails;
    process.commandLine = `sh -c ${'A'.repeat(60_000)}`;
    event.detail.title = 'T'.repeat(20_000);
    const task = event.detail.resource.ecsClusterDetails.taskDetails;
    const image = task.containers[0]?.image ?? '';
    // As many containers as a task can have (ECS: 10 container definitions per task definition), long names.
    for (let i = 1; i < 10; i += 1) task.containers.push({ name: `side-${i}-${'n'.repeat(240)}`, image });
    event.detail.description = '';
    event.detail.description = 'x'.repeat(255_000 - Buffer.byteLength(JSON.stringify(event)));
    expect(Buffer.byteLength(JSON.stringify(event))).toBe(255_000);

    const { result, largest, rawReads } = await measured(() => simulator.processEvent(event), 255_000);

    expect(result.executions).toHaveLength(1);
    expect(result.executions[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(largest()).toBeLessThan(64 * 1024);
    expect(rawReads()).toBeLessThanOrEqual(3);
    const stored = simulator.account.s3.objects(simulator.bucket);
    const raw = Object.keys(stored).find(
      (k) => k.startsWith('incidents/large-1/') && k.endsWith('/event.json'),
    );
    expect(JSON.parse(stored[raw ?? ''] ?? 'null')).toEqual(event);
    const evidenceKey = Object.keys(stored).find((k) => k.endsWith('/evidence.json')) ?? '';
    const evidence = JSON.parse(stored[evidenceKey] ?? '{}') as { finding?: { truncated?: string[] } };
    expect(evidence.finding?.truncated).toEqual(
      expect.arrayContaining(['title', 'description', 'process.commandLine']),
    );
  });

  it('a legal ~255 KB Inspector event runs the image workflow to SUCCEEDED with the raw event as evidence', async () => {
    const simulator = new Simulator();
    const event = inspectorEvent({ digest: `sha256:${'cd'.repeat(32)}` }) as { detail: LargeInspectorDetail };
    const packages = event.detail.packageVulnerabilityDetails.vulnerablePackages;
    for (let i = 0; i < 500; i += 1) {
      packages.push({
        name: `lib-${i}-${'p'.repeat(200)}`,
        version: '1.0.0',
        fixedInVersion: '1.0.1',
        packageManager: 'OS',
      });
    }
    event.detail.description = '';
    event.detail.description = 'x'.repeat(255_000 - Buffer.byteLength(JSON.stringify(event)));
    expect(Buffer.byteLength(JSON.stringify(event))).toBe(255_000);

    const { result, largest, rawReads } = await measured(() => simulator.processEvent(event), 255_000);

    expect(result.executions).toHaveLength(1);
    expect(result.executions[0]).toMatchObject({ status: 'SUCCEEDED' });
    expect(largest()).toBeLessThan(64 * 1024);
    expect(rawReads()).toBeLessThanOrEqual(3);
    const stored = simulator.account.s3.objects(simulator.bucket);
    const raw = Object.keys(stored).find((k) => k.endsWith('/event.json')) ?? '';
    expect(JSON.parse(stored[raw] ?? 'null')).toEqual(event);
  });

  it('a finding still over the budget once its free text is cut is rejected loudly, with the raw event kept', async () => {
    const simulator = new Simulator();
    const event = runtimeEvent({ id: 'tags-1', severity: 8 }) as { detail: LargeRuntimeDetail };
    // Tags are not free text (exemptions read them), so they are never cut: 200 tags of 1 KB exceed the budget.
    event.detail.resource.ecsClusterDetails.taskDetails.tags = Array.from({ length: 200 }, (_, i) => ({
      key: `k${i}`,
      value: 'v'.repeat(1000),
    }));
    const result = await simulator.processEvent(event);
    expect(result.executions[0]).toMatchObject({ status: 'FAILED' });
    expect(result.executions[0]?.states).toContain('StoreRejectedEvent');
    const stored = simulator.account.s3.objects(simulator.bucket);
    const rejected = Object.entries(stored).find(([k]) => k.startsWith('rejected/'));
    expect(JSON.parse(rejected?.[1] ?? '{}')).toMatchObject({ detail: { id: event.detail.id } });
    expect(result.apiCalls.filter((c) => c.operation === 'StopTask')).toEqual([]);
  });
});

interface LargeRuntimeDetail {
  id: string;
  title: string;
  description: string;
  service: { runtimeDetails: { process: { commandLine?: string } } };
  resource: {
    ecsClusterDetails: {
      taskDetails: { containers: { name: string; image: string }[]; tags: { key: string; value: string }[] };
    };
  };
}

interface LargeInspectorDetail {
  description: string;
  packageVulnerabilityDetails: { vulnerablePackages: Record<string, string>[] };
}

/**
 * Runs `act` while recording every JSON text the engine checks against the 256 KiB limit (the execution input,
 * every Task input after Parameters, every Task result and every state's output: local/payload-limits.ts,
 * rows P1-P3). `largest` is the largest of them besides the raw event itself, which only the execution input
 * and the two Tasks that read it whole (ValidateFinding, CaptureEvent's Body from `$$.Execution.Input`) see.
 */
async function measured<T>(
  act: () => Promise<T>,
  rawBytes: number,
): Promise<{ result: T; largest: () => number; rawReads: () => number }> {
  const sizes: number[] = [];
  const spy = jest.spyOn(limits, 'exceedsPayloadLimit').mockImplementation((text: string) => {
    const bytes = Buffer.byteLength(text, 'utf8');
    sizes.push(bytes);
    return bytes > limits.MAX_PAYLOAD_BYTES;
  });
  const carriesRaw = (bytes: number) => bytes >= rawBytes && bytes < rawBytes + 1024;
  try {
    const result = await act();
    return {
      result,
      largest: () => Math.max(0, ...sizes.filter((b) => !carriesRaw(b))),
      rawReads: () => sizes.filter(carriesRaw).length,
    };
  } finally {
    spy.mockRestore();
  }
}
