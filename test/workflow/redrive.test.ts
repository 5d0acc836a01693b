/**
 * Offline redrive as Step Functions does it (RedriveExecution; developer guide, "Redriving executions"):
 * the same execution continues at the state that did not complete, with that state's recorded input;
 * states that completed are not run again; in a Parallel state only the branches that failed or were
 * aborted run again, the others keep their outputs.
 */
import { type Dispatcher, LocalWorkflow } from '../../local/asl-runner';
import { Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { type ApiCall, recordCalls } from '../../local/sandbox/account';
import { runInSandbox } from '../../local/sandbox/transport';
import { AwsError } from '../../local/sandbox/types';
import { failCalls } from '../helpers/faults';

const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const ACCESS_DENIED = new AwsError('AccessDeniedException', 'not authorized (injected)');

// Whole executions and their redrives per test, on a shared machine: not a timing assertion.
jest.setTimeout(60_000);
afterEach(() => jest.restoreAllMocks());

function callsOf(calls: readonly ApiCall[], operation: string): ApiCall[] {
  return calls.filter((c) => c.operation === operation);
}

/** RedriveExecution through the sandbox's Step Functions API, with every AWS call the redrive made. */
async function redrive(sim: Simulator, executionArn: string) {
  return recordCalls(() =>
    runInSandbox(sim.account, () => sim.account.call('states', 'RedriveExecution', { executionArn })),
  );
}

async function describe_(sim: Simulator, executionArn: string) {
  return (await runInSandbox(sim.account, () =>
    sim.account.call('states', 'DescribeExecution', { executionArn }),
  )) as { status?: string; redriveCount?: number; redriveStatus?: string; redriveStatusReason?: string };
}

async function historyTypes(sim: Simulator, executionArn: string): Promise<string[]> {
  const out = (await runInSandbox(sim.account, () =>
    sim.account.call('states', 'GetExecutionHistory', { executionArn }),
  )) as { events: { type: string; stateEnteredEventDetails?: { name?: string } }[] };
  return out.events.map((e) =>
    e.stateEnteredEventDetails?.name ? `${e.type}:${e.stateEnteredEventDetails.name}` : e.type,
  );
}

async function capCounters(sim: Simulator): Promise<string[]> {
  const out = (await sim.account.call('dynamodb', 'Scan', { TableName: sim.table })) as {
    Items?: Record<string, { S?: string; N?: string }>[];
  };
  return (out.Items ?? [])
    .filter((item) => item.pk?.S?.startsWith('CAP#'))
    .map((item) => item.actions?.N ?? '')
    .sort();
}

describe('redrive of the runtime workflow', () => {
  it('resumes at the failed StopTask with its recorded input: ClaimContainment is not run again, the caps are charged once', async () => {
    // Arrange: StopTask is refused once (not retried), after the claim took the task and charged the caps.
    const sim = new Simulator({ clock: CLOCK });
    const refused: unknown[] = [];
    const fault = failCalls(
      sim,
      (s, op, input) => s === 'ecs' && op === 'StopTask' && refused.push(input) === 1,
      ACCESS_DENIED,
      1,
    );
    const failed = await sim.processEvent(runtimeEvent({ severity: 8 }));
    const [run] = failed.executions;
    const executionArn = run?.executionArn ?? '';
    const capsAfterFailure = await capCounters(sim);

    // Act
    const { calls } = await redrive(sim, executionArn);

    // Assert
    expect(fault.failed()).toBe(1);
    expect(run?.status).toBe('FAILED');
    expect(run?.states.at(-1)).toBe('StopTask');
    expect(callsOf(failed.apiCalls, 'TransactWriteItems')).toHaveLength(1);
    expect(callsOf(calls, 'TransactWriteItems')).toHaveLength(0);
    expect(callsOf(calls, 'PutItem')).toHaveLength(0);
    expect(callsOf(calls, 'StopTask').map((c) => c.input)).toEqual(refused.slice(0, 1));
    // Cluster, account and organization counters (issue 16), each charged once.
    expect(capsAfterFailure).toEqual(['1', '1', '1']);
    expect(await capCounters(sim)).toEqual(['1', '1', '1']);
    expect(await describe_(sim, executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const history = await historyTypes(sim, executionArn);
    const redriven = history.indexOf('ExecutionRedriven');
    expect(history.slice(0, redriven)).toContain('TaskStateEntered:ClaimContainment');
    expect(history.slice(0, redriven).at(-1)).toBe('ExecutionFailed');
    expect(history.slice(redriven + 1, redriven + 2)).toEqual(['TaskStateEntered:StopTask']);
    expect(history.slice(redriven)).not.toContain('TaskStateEntered:ClaimContainment');
    expect(history.at(-1)).toBe('ExecutionSucceeded');
  });

  it('re-runs only the unsuccessful branches of ContainInPlace: the branch that completed keeps its output', async () => {
    // Arrange: QuarantineImage fails (DescribeImages refused, not retried); TagService completed before it.
    // (A failed MeasureBlastRadius no longer fails the execution: the quarantine then spares every image.)
    const sim = new Simulator({ clock: CLOCK });
    const fault = failCalls(sim, (s, op) => s === 'ecr' && op === 'DescribeImages', ACCESS_DENIED, 1);
    const failed = await sim.processEvent(runtimeEvent({ severity: 8 }));
    const executionArn = failed.executions[0]?.executionArn ?? '';
    const firstStates = failed.executions[0]?.states ?? [];

    // Act
    const { calls } = await redrive(sim, executionArn);

    // Assert
    expect(fault.failed()).toBe(1);
    expect(failed.executions[0]?.status).toBe('FAILED');
    expect(firstStates).toEqual(expect.arrayContaining(['TagService', 'QuarantineImage']));
    expect(callsOf(failed.apiCalls, 'TagResource')).toHaveLength(1);
    expect(callsOf(calls, 'TagResource')).toHaveLength(0);
    expect(callsOf(calls, 'DescribeImages').length).toBeGreaterThan(0);
    expect(callsOf(calls, 'StopTask')).toHaveLength(0);
    expect(callsOf(calls, 'TransactWriteItems')).toHaveLength(0);
    const history = await historyTypes(sim, executionArn);
    const afterRedrive = history.slice(history.indexOf('ExecutionRedriven'));
    expect(afterRedrive).toContain('ParallelStateEntered:ContainInPlace');
    expect(afterRedrive).toContain('TaskStateEntered:QuarantineImage');
    expect(afterRedrive).not.toContain('TaskStateEntered:TagService');
    expect(await describe_(sim, executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });

  it('refuses to redrive a SUCCEEDED execution with ExecutionNotRedrivable, and runs nothing', async () => {
    // Arrange
    const sim = new Simulator({ clock: CLOCK });
    const done = await sim.processEvent(runtimeEvent({ severity: 8 }));
    const executionArn = done.executions[0]?.executionArn ?? '';

    // Act
    const attempt = redrive(sim, executionArn);

    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'ExecutionNotRedrivable' });
    expect(await describe_(sim, executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven.',
    });
  });
});

describe('redrive of a Parallel state (a definition of its own)', () => {
  const fn = (name: string) => `arn:aws:lambda:us-east-1:111122223333:function:${name}`;
  const definition = {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Task', Resource: fn('prepare'), Next: 'Fan' },
      Fan: {
        Type: 'Parallel',
        Next: 'Finish',
        Branches: [
          { StartAt: 'Quick', States: { Quick: { Type: 'Task', Resource: fn('quick'), End: true } } },
          {
            StartAt: 'Slow1',
            States: {
              Slow1: { Type: 'Task', Resource: fn('slow1'), Next: 'Slow2' },
              Slow2: { Type: 'Task', Resource: fn('slow2'), End: true },
            },
          },
        ],
      },
      Finish: { Type: 'Task', Resource: fn('finish'), End: true },
    },
  };

  /** Lambdas that count their invocations; `slow2` fails its first `failures` invocations. */
  function lambdas(failures: number) {
    const invoked: Record<string, unknown[]> = {};
    const dispatcher: Dispatcher = {
      invokeLambda: async (name, payload) => {
        invoked[name] = [...(invoked[name] ?? []), payload];
        if (name === 'slow2' && (invoked[name]?.length ?? 0) <= failures) {
          throw Object.assign(new Error('slow2 failed'), { name: 'Boom' });
        }
        if (name === 'prepare') return { prepared: true };
        if (name === 'finish') return { finished: payload };
        return { from: name, got: payload };
      },
      callService: async () => {
        throw new Error('no service calls here');
      },
    };
    return { invoked, dispatcher };
  }

  const options = { executionName: 'fan', accountId: '111122223333', region: 'us-east-1' };
  const workflow = new LocalWorkflow(
    'Fan',
    'arn:aws:states:us-east-1:111122223333:stateMachine:Fan',
    definition as unknown as ConstructorParameters<typeof LocalWorkflow>[2],
  );

  it('runs again only the failed branch, from its failed state with its recorded input', async () => {
    // Arrange
    const { invoked, dispatcher } = lambdas(1);
    const first = await workflow.run({ order: 1 }, dispatcher, options);

    // Act
    const second = await workflow.run({ order: 1 }, dispatcher, {
      ...options,
      ...(first.resume ? { resume: first.resume } : {}),
    });

    // Assert
    expect(first.status).toBe('FAILED');
    expect(first.resume).toMatchObject({
      state: 'Fan',
      input: { prepared: true },
      branches: [
        { kind: 'succeeded', output: { from: 'quick', got: { prepared: true } } },
        { kind: 'resume', at: { state: 'Slow2', input: { from: 'slow1', got: { prepared: true } } } },
      ],
    });
    expect(second.status).toBe('SUCCEEDED');
    expect(second.states).toEqual(['Fan', 'Slow2', 'Finish']);
    expect(Object.fromEntries(Object.entries(invoked).map(([k, v]) => [k, v.length]))).toEqual({
      prepare: 1,
      quick: 1,
      slow1: 1,
      slow2: 2,
      finish: 1,
    });
    expect(invoked.slow2?.[1]).toEqual(invoked.slow2?.[0]);
    expect(second.output).toEqual({
      finished: [
        { from: 'quick', got: { prepared: true } },
        { from: 'slow2', got: { from: 'slow1', got: { prepared: true } } },
      ],
    });
  });

  it('a second redrive keeps what the first kept: the succeeded branch still never runs again', async () => {
    // Arrange: slow2 fails on the first run and on the first redrive.
    const { invoked, dispatcher } = lambdas(2);
    const first = await workflow.run({ order: 2 }, dispatcher, options);
    const second = await workflow.run({ order: 2 }, dispatcher, {
      ...options,
      ...(first.resume ? { resume: first.resume } : {}),
    });

    // Act
    const third = await workflow.run({ order: 2 }, dispatcher, {
      ...options,
      ...(second.resume ? { resume: second.resume } : {}),
    });

    // Assert
    expect(second.status).toBe('FAILED');
    expect(second.resume).toEqual(first.resume);
    expect(third.status).toBe('SUCCEEDED');
    expect(invoked.quick).toHaveLength(1);
    expect(invoked.slow1).toHaveLength(1);
    expect(invoked.slow2).toHaveLength(3);
    expect(third.states).toEqual(['Fan', 'Slow2', 'Finish']);
  });
});
