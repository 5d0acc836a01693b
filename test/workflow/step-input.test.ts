/**
 * A step that receives input it does not expect (a handler and the state machine disagree) fails the
 * execution with StepInputError, which the failure rule reports like any other failure: notified, the
 * incident marked FAILED, and a repeat of the finding responded to again. A bad event is still only
 * rejected and alerted by the workflow itself.
 */
import * as findingModule from '../../lambdas/core/finding';
import { type EventResult, Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';

import { incidentStatus } from '../helpers/runtime-response';

const FINDING_ID = '7a1b2c3d4e5f60718293a4b5c6d7e8f9';
const TASK_ID = '1b2c3d4e5f60718293a4b5c6d7e8f90a';

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('expected exactly one item');
  return item;
}

const calls = (result: EventResult, service: string, operation: string) =>
  result.apiCalls.filter((c) => c.service === service && c.operation === operation);

afterEach(() => jest.restoreAllMocks());

describe('a step input the step does not accept', () => {
  it('fails the execution with StepInputError, is notified, marks the incident FAILED, and a repeat responds again', async () => {
    // Arrange: ValidateFinding returns a finding without its containers, which EnrichAndDecide requires
    // (once: the failure reporter reads the finding from the execution input with the real normalizer).
    const simulator = new Simulator();
    const normalize = findingModule.normalizeRuntimeFinding;
    const drift = jest
      .spyOn(findingModule, 'normalizeRuntimeFinding')
      .mockImplementationOnce((event, options) => ({
        ...normalize(event, options),
        containers: undefined as never,
      }));

    // Act
    const failed = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }),
    );
    const statusAfterFailure = await incidentStatus(simulator, FINDING_ID);
    drift.mockRestore();
    const repeated = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, count: 2 }),
    );

    // Assert: the failure is reported like any other
    const run = only(failed.executions);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('StepInputError');
    expect(run.cause).toContain('EnrichAndDecide: input.finding.containers');
    const report = only(failed.notifications);
    expect(report.attributes.action).toBe('step-failed');
    expect(report.subject).toContain('EnrichAndDecide');
    expect(calls(failed, 'ecs', 'StopTask')).toEqual([]);
    expect(statusAfterFailure).toBe('FAILED');

    // Assert: the repeat of the finding is responded to
    expect(only(repeated.executions).status).toBe('SUCCEEDED');
    expect(calls(repeated, 'ecs', 'StopTask')).toHaveLength(1);
    expect(await incidentStatus(simulator, FINDING_ID)).toBe('CONTAINED');
  });

  it('a bad event is still only rejected: alerted once by the workflow, no failure report, no incident', async () => {
    // Arrange
    const simulator = new Simulator();
    const event = runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 });
    (event.detail as Record<string, unknown>).id = '../not-a-finding-id';

    // Act
    const result = await simulator.processEvent(event);

    // Assert
    const run = only(result.executions);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidFindingError');
    expect(only(result.notifications).attributes.action).toBe('invalid-input');
    expect(await incidentStatus(simulator, FINDING_ID)).toBeUndefined();
  });
});
