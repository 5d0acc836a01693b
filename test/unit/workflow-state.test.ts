import { DEFAULT_CONFIG } from '../../definitions/config';
import { StepInputError } from '../../lambdas/core/errors';
import { normalizeRuntimeFinding } from '../../lambdas/core/finding';
import type { ExposedTask, ResponseResults } from '../../lambdas/core/outcome';
import { decideRuntimeResponse, type TaskEnrichment } from '../../lambdas/core/policy';
import {
  decideImageResponse,
  type ImageEnrichment,
  normalizeVulnerabilityFinding,
} from '../../lambdas/core/vulnerability';
import { evidenceKeyFor, notificationInput, parseNotifyRequest } from '../../lambdas/core/workflow-state';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';

const NOW = Date.UTC(2026, 10, 28, 10, 5, 0);
const CONTEXT = { region: REGION, accountId: ACCOUNT, bucket: 'evidence' };
const EXECUTION = {
  arn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:shield-right-runtime:exec-1`,
  name: 'exec-1',
  startTime: '2026-11-28T10:04:00.000Z',
};

const enrichment: TaskEnrichment = {
  found: true,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  networkMode: 'awsvpc',
  eniId: 'eni-1',
  containers: [{ name: 'app', image: 'img', digest: `sha256:${'a'.repeat(64)}` }],
  taskTags: {},
  service: { name: 'payments-api', runningCount: 3, desiredCount: 3, tags: {} },
  clusterTags: {},
};

function runtimeState(severity: number, extra: Record<string, unknown> = {}) {
  const finding = normalizeRuntimeFinding(runtimeEvent({ id: 'rt0001', severity, count: 4 }));
  const plan = decideRuntimeResponse(finding, enrichment, DEFAULT_CONFIG, NOW);
  return { finding, plan, state: { finding, assessment: { enrichment, plan }, ...extra } };
}

function invalid(fn: () => unknown): StepInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StepInputError) return err;
    throw err;
  }
  throw new Error('expected a StepInputError');
}

describe('parseNotifyRequest', () => {
  it('reads kind, state and execution', () => {
    const request = parseNotifyRequest({ kind: 'response', state: { a: 1 }, execution: EXECUTION });

    expect(request).toEqual({ kind: 'response', state: { a: 1 }, execution: EXECUTION });
  });

  it('drops an execution without an ARN', () => {
    expect(parseNotifyRequest({ kind: 'repeat', state: {}, execution: { name: 'x' } })).toEqual({
      kind: 'repeat',
      state: {},
    });
  });

  it.each<[string, unknown, string]>([
    ['a non-object', 'notify', 'input'],
    ['null', null, 'input'],
    ['an unknown kind', { kind: 'explode', state: {} }, 'input.kind'],
    ['a missing kind', { state: {} }, 'input.kind'],
    ['a missing state', { kind: 'response' }, 'input.state'],
    ['a state that is a list', { kind: 'response', state: [] }, 'input.state'],
  ])('rejects %s naming the field', (_case, input, field) => {
    expect(invalid(() => parseNotifyRequest(input)).field).toBe(field);
  });
});

describe('notificationInput: runtime', () => {
  it('lets the plan and results choose the kind: a High finding whose task was stopped is contained', () => {
    const { finding, plan, state } = runtimeState(8, {
      results: { isolate: { status: 'done' } },
      stop: { status: 'done', taskArn: 'arn:task' },
    });

    const input = notificationInput({ kind: 'response', state, execution: EXECUTION }, CONTEXT);

    expect(input).toEqual({
      kind: 'contained',
      finding,
      enrichment,
      plan,
      results: { isolate: { status: 'done' }, stop: { status: 'done', taskArn: 'arn:task' } },
      execution: EXECUTION,
      evidence: { bucket: 'evidence', key: 'incidents/rt0001/exec-1/evidence.json' },
      region: REGION,
      accountId: ACCOUNT,
    });
  });

  it('is isolated when the stop did not happen but the isolation did', () => {
    const { state } = runtimeState(8, {
      results: { isolate: { status: 'done' } } satisfies ResponseResults,
      stop: { status: 'failed', taskArn: 'arn:task' },
    });

    expect(notificationInput({ kind: 'response', state }, CONTEXT).kind).toBe('isolated');
  });

  it('is image-quarantined when only the quarantine succeeded', () => {
    const { state } = runtimeState(8, {
      results: { isolate: { status: 'not-possible' }, quarantine: { status: 'done', images: [] } },
    });

    expect(notificationInput({ kind: 'response', state }, CONTEXT).kind).toBe('image-quarantined');
  });

  it('maps a Low plan to notify-only, and a response without plan to notify-only', () => {
    const { state } = runtimeState(2);
    const finding = normalizeRuntimeFinding(runtimeEvent());

    expect(notificationInput({ kind: 'response', state }, CONTEXT).kind).toBe('notify-only');
    expect(notificationInput({ kind: 'response', state: { finding } }, CONTEXT).kind).toBe('notify-only');
  });

  it('keeps an explicit kind', () => {
    const { state } = runtimeState(8);

    expect(notificationInput({ kind: 'cap-reached', state }, CONTEXT).kind).toBe('cap-reached');
  });

  it('maps the repeat record, taking the count from the finding', () => {
    const { state } = runtimeState(8, {
      repeat: { previousCount: '2', firstSeen: '2026-11-28T09:00:00.000Z', status: 'CONTAINED', junk: 1 },
    });

    const input = notificationInput({ kind: 'repeat', state, execution: EXECUTION }, CONTEXT);

    expect(input.repeat).toEqual({
      count: 4,
      previousCount: 2,
      firstSeen: '2026-11-28T09:00:00.000Z',
      status: 'CONTAINED',
    });
  });

  it('leaves out evidence without an execution name, and the account when unknown', () => {
    const { state } = runtimeState(8);

    const input = notificationInput(
      { kind: 'response', state, execution: { arn: EXECUTION.arn } },
      {
        region: REGION,
        bucket: 'evidence',
      },
    );

    expect(input.evidence).toBeUndefined();
    expect(input.accountId).toBeUndefined();
    expect(input.execution).toEqual({ arn: EXECUTION.arn });
  });
});

describe('notificationInput: invalid input', () => {
  it('summarizes the raw event and the rejection, with the rejected-event evidence', () => {
    const state = {
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Finding',
      id: 'raw-event-1',
      rejection: { Error: 'InvalidFindingError', Cause: 'detail.severity: expected a number' },
    };

    const input = notificationInput({ kind: 'invalid-input', state, execution: EXECUTION }, CONTEXT);

    expect(input).toEqual({
      kind: 'invalid-input',
      failure: {
        state: 'ValidateFinding',
        error: 'InvalidFindingError',
        cause: 'detail.severity: expected a number',
      },
      rawEventSummary: { source: 'aws.guardduty', detailType: 'GuardDuty Finding', id: 'raw-event-1' },
      execution: EXECUTION,
      evidence: { bucket: 'evidence', key: 'rejected/exec-1.json' },
      region: REGION,
      accountId: ACCOUNT,
    });
  });

  it('has no failure when the rejection is missing', () => {
    const input = notificationInput({ kind: 'invalid-input', state: { id: 5 } }, CONTEXT);

    expect(input.failure).toBeUndefined();
    expect(input.rawEventSummary).toEqual({});
  });
});

describe('notificationInput: the assessment and stop result are step input', () => {
  const field = (state: Record<string, unknown>): string =>
    invalid(() => notificationInput({ kind: 'response', state }, CONTEXT)).field;

  it.each([
    [
      'a plan with an unknown disposition',
      { plan: 'disposition', value: 'maybe' },
      'input.state.assessment.plan.disposition',
    ],
    [
      'a plan without its claim key',
      { plan: 'claimKey', value: undefined },
      'input.state.assessment.plan.claimKey',
    ],
    [
      'an enrichment without a network mode',
      { enrichment: 'networkMode', value: 7 },
      'input.state.assessment.enrichment.networkMode',
    ],
  ])('rejects %s naming the field', (_case, change, path) => {
    const { state } = runtimeState(8);
    const assessment = {
      enrichment: 'enrichment' in change ? { ...enrichment, [change.enrichment]: change.value } : enrichment,
      plan:
        'plan' in change ? { ...state.assessment.plan, [change.plan]: change.value } : state.assessment.plan,
    };
    expect(field({ ...state, assessment })).toBe(path);
  });

  it('rejects a stop result without the task ARN', () => {
    const { state } = runtimeState(8, { stop: { status: 'done' } });
    expect(field(state)).toBe('input.state.stop.taskArn');
  });

  it('rejects action results of the wrong shape', () => {
    const { state } = runtimeState(8, { results: { quarantine: { status: 'done', images: 'all' } } });
    expect(field(state)).toBe('input.state.results.quarantine.images');
  });

  it('rejects an image plan with an unknown path, read as the vulnerability workflow wrote it', () => {
    const finding = normalizeVulnerabilityFinding(inspectorEvent({}));
    const plan = { ...decideImageResponse(finding, undefined, DEFAULT_CONFIG, NOW), path: 'elsewhere' };
    expect(field({ finding, assessment: { plan } })).toBe('input.state.assessment.plan.path');
  });

  it('reads a state without an assessment (the finding was rejected or repeated) as before', () => {
    const { finding } = runtimeState(8);
    expect(
      notificationInput({ kind: 'repeat', state: { finding, assessment: null, stop: null } }, CONTEXT).kind,
    ).toBe('repeat');
  });
});

describe('notificationInput: vulnerability', () => {
  const finding = normalizeVulnerabilityFinding(inspectorEvent({ severity: 'CRITICAL' }));
  const exposed: ExposedTask[] = [
    {
      taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/1',
      clusterArn: 'arn:c',
      image: 'img',
      serviceName: 'web',
    },
  ];
  const imageEnrichment: ImageEnrichment = {
    found: true,
    imageStatus: 'ACTIVE',
    tags: ['v1.4.1'],
    repositoryTags: {},
    runningTasks: exposed,
    scannedTasks: 40,
    truncated: true,
  };

  function vulnerabilityState(extra: Record<string, unknown> = {}, config = DEFAULT_CONFIG) {
    const plan = decideImageResponse(finding, imageEnrichment, config, NOW);
    return { plan, state: { finding, assessment: { enrichment: imageEnrichment, plan }, ...extra } };
  }

  it('maps the running tasks to exposure and drops the task enrichment', () => {
    const { plan, state } = vulnerabilityState();

    const input = notificationInput({ kind: 'response', state }, CONTEXT);

    expect(input.kind).toBe('vulnerability');
    expect(input.exposure).toEqual({ tasks: exposed, scannedTasks: 40, truncated: true });
    expect(input.enrichment).toBeUndefined();
    expect(input.plan).toEqual(plan);
    expect(input.repeat).toBeUndefined();
  });

  it('is image-quarantined when the quarantine was done or already done', () => {
    const done = vulnerabilityState({ results: { quarantine: { status: 'done', images: [] } } });
    const already = vulnerabilityState({ results: { quarantine: { status: 'already-done', images: [] } } });

    expect(notificationInput({ kind: 'response', state: done.state }, CONTEXT).kind).toBe(
      'image-quarantined',
    );
    expect(notificationInput({ kind: 'response', state: already.state }, CONTEXT).kind).toBe(
      'image-quarantined',
    );
  });

  it('follows the plan disposition: observe, exempt and resolved', () => {
    const observe = vulnerabilityState({}, { ...DEFAULT_CONFIG, mode: 'observe' });
    const exempt = vulnerabilityState(
      {},
      { ...DEFAULT_CONFIG, inspector: { ...DEFAULT_CONFIG.inspector, exemptRepositories: ['payments-api'] } },
    );
    const closed = normalizeVulnerabilityFinding(inspectorEvent({ status: 'CLOSED' }));
    const resolvedPlan = decideImageResponse(closed, imageEnrichment, DEFAULT_CONFIG, NOW);

    expect(observe.plan.disposition).toBe('observe');
    expect(notificationInput({ kind: 'response', state: observe.state }, CONTEXT).kind).toBe('observe');
    expect(exempt.plan.disposition).toBe('exempt');
    expect(notificationInput({ kind: 'response', state: exempt.state }, CONTEXT).kind).toBe('exempt');
    expect(
      notificationInput(
        { kind: 'response', state: { finding: closed, assessment: { plan: resolvedPlan } } },
        CONTEXT,
      ).kind,
    ).toBe('vulnerability-finding-closed');
  });

  it('counts a vulnerability repeat as 1 and links no evidence (a repeat writes none)', () => {
    const { state } = vulnerabilityState({ repeat: { previousCount: 3 } });

    const input = notificationInput({ kind: 'repeat', state, execution: EXECUTION }, CONTEXT);

    expect(input.repeat).toEqual({ count: 1, previousCount: 3 });
    expect(input.evidence).toBeUndefined();
  });
});

describe('evidenceKeyFor', () => {
  it.each<[Parameters<typeof evidenceKeyFor>, string | undefined]>([
    [['contained', 'inc1', 'exec-1'], 'incidents/inc1/exec-1/evidence.json'],
    [['response', 'inc1', 'exec-1'], 'incidents/inc1/exec-1/evidence.json'],
    [['invalid-input', undefined, 'exec-1'], 'rejected/exec-1.json'],
    [['invalid-input', 'inc1', 'exec-1'], 'rejected/exec-1.json'],
    [['contained', undefined, 'exec-1'], undefined],
    [['contained', 'inc1', undefined], undefined],
    [['invalid-input', undefined, undefined], undefined],
    [['repeat', 'inc1', 'exec-1'], undefined],
    [['vulnerability-finding-closed', 'inc1', 'exec-1'], undefined],
  ])('%p → %p', (args, key) => {
    expect(evidenceKeyFor(...args)).toBe(key);
  });
});
