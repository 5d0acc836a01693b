import 'aws-sdk-client-mock-jest';
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { findFailedStep } from '../../lambdas/actions/report-failure';

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-east-1' });
const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:shield-right-runtime:abc-1';
const T0 = new Date('2026-11-28T10:00:00Z');

/** A history written oldest first, as it happened; the mock returns it newest first like reverseOrder does. */
function history(events: Omit<HistoryEvent, 'id' | 'timestamp'>[]): void {
  const numbered = events.map((e, i) => ({ ...e, id: i + 1, timestamp: new Date(T0.getTime() + i * 1000) }));
  sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [...numbered].reverse() });
}

const entered = (name: string): Omit<HistoryEvent, 'id' | 'timestamp'> => ({
  type: 'TaskStateEntered',
  stateEnteredEventDetails: { name },
});
const exited = (name: string): Omit<HistoryEvent, 'id' | 'timestamp'> => ({
  type: 'TaskStateExited',
  stateExitedEventDetails: { name },
});

beforeEach(() => {
  sfnMock.reset();
});

describe('findFailedStep', () => {
  it('names the task state that failed, with the task error and cause', async () => {
    history([
      { type: 'ExecutionStarted' },
      entered('ValidateFinding'),
      { type: 'TaskSucceeded' },
      exited('ValidateFinding'),
      entered('QuarantineImage'),
      { type: 'TaskScheduled' },
      { type: 'TaskStarted' },
      {
        type: 'TaskFailed',
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'ThrottlingException',
          cause: 'first attempt',
        },
      },
      { type: 'TaskScheduled' },
      { type: 'TaskStarted' },
      {
        type: 'TaskFailed',
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'AccessDeniedException',
          cause: 'not authorized',
        },
      },
      {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: 'AccessDeniedException', cause: 'summary' },
      },
    ]);

    const failure = await findFailedStep(sfn, EXECUTION, {
      error: 'States.TaskFailed',
      cause: 'from the event',
    });

    expect(failure).toEqual({
      state: 'QuarantineImage',
      error: 'AccessDeniedException',
      cause: 'not authorized',
    });
    expect(sfnMock).toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
      executionArn: EXECUTION,
      reverseOrder: true,
    });
  });

  it('reads Lambda function failures and timeouts', async () => {
    history([
      entered('EnrichAndDecide'),
      { type: 'LambdaFunctionScheduled' },
      { type: 'LambdaFunctionTimedOut', lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout' } },
      { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'States.Timeout' } },
    ]);

    const failure = await findFailedStep(sfn, EXECUTION, {});

    expect(failure).toEqual({
      state: 'EnrichAndDecide',
      error: 'States.Timeout',
      cause: 'no cause recorded',
    });
  });

  it('uses the execution failure and the last state entered when no task failed', async () => {
    history([
      entered('EnrichAndDecide'),
      exited('EnrichAndDecide'),
      { type: 'ChoiceStateEntered', stateEnteredEventDetails: { name: 'RouteByPlan' } },
      {
        type: 'ExecutionFailed',
        executionFailedEventDetails: {
          error: 'States.Runtime',
          cause: 'Invalid path $.assessment.plan.path',
        },
      },
    ]);

    const failure = await findFailedStep(sfn, EXECUTION, {});

    expect(failure).toEqual({
      state: 'RouteByPlan',
      error: 'States.Runtime',
      cause: 'Invalid path $.assessment.plan.path',
    });
  });

  it('reads an execution timeout', async () => {
    history([
      entered('WaitForStop'),
      {
        type: 'ExecutionTimedOut',
        executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'too long' },
      },
    ]);

    expect(await findFailedStep(sfn, EXECUTION, {})).toEqual({
      state: 'WaitForStop',
      error: 'States.Timeout',
      cause: 'too long',
    });
  });

  it('does not blame a state whose failure was retried and which then succeeded', async () => {
    history([
      entered('StopTask'),
      { type: 'TaskScheduled' },
      {
        type: 'TaskFailed',
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'ThrottlingException',
          cause: 'Rate exceeded',
        },
      },
      { type: 'TaskScheduled' },
      { type: 'TaskSucceeded' },
      exited('StopTask'),
      entered('WaitForStop'),
      {
        type: 'ExecutionTimedOut',
        executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'too long' },
      },
    ]);

    expect(await findFailedStep(sfn, EXECUTION, {})).toEqual({
      state: 'WaitForStop',
      error: 'States.Timeout',
      cause: 'too long',
    });
  });

  it('falls back to the event error and cause when the history has none', async () => {
    history([entered('StopTask'), { type: 'TaskFailed' }]);

    const failure = await findFailedStep(sfn, EXECUTION, {
      error: 'States.TaskFailed',
      cause: 'from the event',
    });

    expect(failure).toEqual({ state: 'StopTask', error: 'States.TaskFailed', cause: 'from the event' });
  });

  it('says unknown step with defaults for an empty history', async () => {
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });

    expect(await findFailedStep(sfn, EXECUTION, {})).toEqual({
      state: 'unknown step',
      error: 'States.Runtime',
      cause: 'no cause recorded',
    });
  });

  it('propagates a history read failure', async () => {
    sfnMock
      .on(GetExecutionHistoryCommand)
      .rejects(Object.assign(new Error('no such execution'), { name: 'ExecutionDoesNotExist' }));

    await expect(findFailedStep(sfn, EXECUTION, {})).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });
});
