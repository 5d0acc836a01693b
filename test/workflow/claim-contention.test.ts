/**
 * DynamoDB cancels a transaction for reasons other than a failed condition: `TransactionConflict`,
 * `ThrottlingError` (on-demand tables) and `ProvisionedThroughputExceeded` (TransactWriteItems API reference).
 * Those are transient: the workflows claim or reopen again instead of reading them as "already handled".
 */
import { Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { AwsError } from '../../local/sandbox/types';
import { commitThenFail, failCalls } from '../helpers/faults';

const CLOCK = () => Date.UTC(2026, 10, 28, 10, 20);
const REPOSITORY = 'payments-api';
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const SCENARIO: Scenario = {
  repositories: [{ name: REPOSITORY, images: [{ tags: ['v2.0.0'], digest: DIGEST }] }],
  tasks: [
    {
      cluster: 'prod',
      service: 'payments-api',
      containers: [{ name: 'app', image: `${REGISTRY}/${REPOSITORY}@${DIGEST}` }],
    },
  ],
};

/** What DynamoDB says when it cancels a transaction; the reasons are listed in the order of the items. */
function cancelled(...reasons: string[]): AwsError {
  return new AwsError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.join(', ')}]`,
  );
}

/** Fails the first `times` TransactWriteItems calls of `state` (told apart by what they write) with `error`. */
function failTransactions(
  simulator: Simulator,
  state: string,
  error: AwsError,
  times = 1,
): { failed: () => number } {
  const marker = state === 'ReopenIncident' ? ':failed' : 'CLAIM#';
  return failCalls(
    simulator,
    (service, operation, input) =>
      service === 'dynamodb' &&
      operation === 'TransactWriteItems' &&
      JSON.stringify(input.TransactItems ?? []).includes(marker),
    error,
    times,
  );
}

const AFTER_COMMIT = new AwsError('ServiceUnavailable', 'Service unavailable (after commit)', {
  statusCode: 503,
});

afterEach(() => jest.restoreAllMocks());

describe('ClaimContainment refused by a transient cancellation', () => {
  it.each([
    ['ProvisionedThroughputExceeded', cancelled('None', 'None', 'ProvisionedThroughputExceeded')],
    ['TransactionConflict', cancelled('TransactionConflict', 'None', 'None')],
    ['ThrottlingError', cancelled('None', 'ThrottlingError', 'None')],
  ])('claims again after %s and stops the task once', async (_reason, error) => {
    const simulator = new Simulator({ clock: CLOCK });
    const fault = failTransactions(simulator, 'ClaimContainment', error);

    const result = await simulator.processEvent(runtimeEvent({ severity: 8 }));

    const [run] = result.executions;
    expect(fault.failed()).toBe(1);
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.states).toEqual(
      expect.arrayContaining(['WhyClaimRefused', 'WaitBeforeClaimingAgain', 'StopTask']),
    );
    expect(result.apiCalls.filter((c) => c.operation === 'StopTask' && c.error === null)).toHaveLength(1);
  });
});

describe('ReopenIncident of a failed image incident', () => {
  /** A CRITICAL finding whose quarantine failed for good: the incident is FAILED, ready to be reopened. */
  async function failedImageIncident(): Promise<Simulator> {
    const simulator = new Simulator({ clock: CLOCK, scenario: SCENARIO });
    const denied = failCalls(
      simulator,
      (service, operation) => service === 'ecr' && operation === 'UpdateImageStorageClass',
      new AwsError('AccessDeniedException', 'not authorized to perform: ecr:UpdateImageStorageClass'),
    );
    const first = await simulator.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-0001' }),
      'first',
    );
    expect(first.executions.map((e) => e.status)).toEqual(['FAILED']);
    denied.restore();
    return simulator;
  }

  it('reopens again after a TransactionConflict and quarantines the image', async () => {
    const simulator = await failedImageIncident();
    const fault = failTransactions(simulator, 'ReopenIncident', cancelled('TransactionConflict', 'None'));

    const result = await simulator.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-0002' }),
      'second',
    );

    const [run] = result.executions;
    expect(fault.failed()).toBe(1);
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.states).toEqual(
      expect.arrayContaining([
        'WhyReopenRefused',
        'WaitBeforeReopeningAgain',
        'EnrichAndDecide',
        'QuarantineImage',
      ]),
    );
    expect(run?.states).not.toContain('FindingAppended');
  });

  it('records the finding only when another execution reopened the incident first (a failed condition)', async () => {
    const simulator = await failedImageIncident();
    failTransactions(simulator, 'ReopenIncident', cancelled('ConditionalCheckFailed', 'None'));

    const result = await simulator.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-0002' }),
      'second',
    );

    const [run] = result.executions;
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.states).toEqual(expect.arrayContaining(['WhyReopenRefused', 'FindingAppended']));
    expect(run?.states).not.toContain('QuarantineImage');
  });

  it('fails the execution, to be reported and redriven, for any other cancellation', async () => {
    const simulator = await failedImageIncident();
    failTransactions(simulator, 'ReopenIncident', cancelled('ValidationError', 'None'));

    const result = await simulator.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-0002' }),
      'second',
    );

    const [run] = result.executions;
    expect(run?.status).toBe('FAILED');
    expect(run?.error).toBe('ReopenRefused');
  });
});

describe('a write that commits and then reports an error (the retry sees its own write)', () => {
  it('RecordIncident: the execution recognises its own incident and responds', async () => {
    const simulator = new Simulator({ clock: CLOCK });
    commitThenFail(
      simulator,
      (service, operation) => service === 'dynamodb' && operation === 'PutItem',
      AFTER_COMMIT,
    );

    const result = await simulator.processEvent(runtimeEvent({ severity: 8 }));

    const [run] = result.executions;
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.states).toEqual(expect.arrayContaining(['LoadIncident', 'EnrichAndDecide', 'StopTask']));
    expect(run?.states).not.toContain('DuplicateDelivery');
    expect(result.notifications.map((n) => n.attributes.action)).toEqual(['contained']);
  });
});

describe('a write of the image workflow that commits and then reports an error', () => {
  it('ClaimQuarantine: the execution recognises its own claim and quarantines', async () => {
    const simulator = new Simulator({ clock: CLOCK, scenario: SCENARIO });
    const fault = commitThenFail(
      simulator,
      (service, operation) => service === 'dynamodb' && operation === 'TransactWriteItems',
      AFTER_COMMIT,
    );

    const result = await simulator.processEvent(
      inspectorEvent({ digest: DIGEST, cve: 'CVE-2026-0003' }),
      'claim',
    );

    const [run] = result.executions;
    expect(fault.fired()).toBe(true);
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.states).toContain('QuarantineImage');
    expect(run?.states).not.toContain('FindingAppended');
  });
});
