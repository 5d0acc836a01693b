/** renderNotification for the runtime kinds (contained, isolated, notify-only, repeats…), and selectKind. */
import type { ResponseResults } from '../../lambdas/core/outcome';
import { renderNotification, selectKind } from '../../lambdas/core/render';
import {
  ACCOUNT,
  CLUSTER_ARN,
  containedResults,
  DIGEST,
  EXECUTION_ARN,
  enrichment,
  evidence,
  expectPublishable,
  FINDING_ID,
  plan,
  REGION,
  runtimeFinding,
  runtimeInput,
  TASK_ARN,
  TASK_ID,
} from '../helpers/notification';

// ---------------------------------------------------------------------------------------------------------
// Runtime kinds.

describe('renderNotification: a stop is "stopping" until lastStatus STOPPED is read back', () => {
  const render = (stop: NonNullable<ResponseResults['stop']>) =>
    renderNotification(runtimeInput('contained', { results: { ...containedResults, stop }, enrichment }));

  it('says stopping for the StopTask answer (RUNNING, desired STOPPED) and for a stop in DEACTIVATING', () => {
    for (const lastStatus of ['RUNNING', 'DEACTIVATING', 'STOPPING']) {
      const { title, description } = render({
        status: 'done',
        taskArn: TASK_ARN,
        lastStatus,
        desiredStatus: 'STOPPED',
      }).chat.content;
      expect(title).toContain('stop requested, the task is stopping');
      expect(description).toContain(`is stopping (last status ${lastStatus}, desired STOPPED)`);
      expect(`${title}\n${description}`).not.toMatch(/task stopped|Stop task:\* done/);
    }
  });

  it('says stopped once the stop is confirmed, and keeps a failed stop a failure', () => {
    const confirmed = render({
      status: 'done',
      taskArn: TASK_ARN,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
    }).chat.content;
    expect(confirmed.title).toContain('contained: task stopped');
    expect(confirmed.description).toMatch(
      /Stop task:\* done — task `[0-9a-f]+` stopped \(last status STOPPED/,
    );
    const failed = render({ status: 'failed', taskArn: TASK_ARN, reason: 'AccessDeniedException' }).chat
      .content;
    expect(failed.description).toMatch(/Stop task:\* FAILED — task `[0-9a-f]+` — AccessDeniedException/);
    expect(failed.description).not.toContain('stopping');
  });
});

describe('renderNotification: contained', () => {
  const rendered = renderNotification(runtimeInput('contained', { results: containedResults, enrichment }));
  const { title, description, nextSteps } = rendered.chat.content;
  const steps = nextSteps.join('\n');

  it('is publishable', () => {
    expectPublishable(rendered);
  });

  it('names severity with its band, the finding type in words and the action in the title', () => {
    expect(title).toContain('8.0 HIGH');
    expect(title).toContain('Execution: reverse shell');
    expect(title).toContain('contained: stop requested, the task is stopping');
    expect(title).not.toContain('task stopped');
    expect(title).toContain('prod-cluster');
  });

  it('has a subject like the runbook shows', () => {
    expect(rendered.subject).toBe(
      '[shield-right] HIGH Execution:Runtime/ReverseShell contained in prod-cluster',
    );
  });

  it('threads under the incident id', () => {
    expect(rendered.chat.metadata.threadId).toBe(FINDING_ID);
    expect(rendered.chat.metadata.eventType).toBe('contained');
  });

  it('says where: account, region, cluster, service, task, image and digest', () => {
    for (const fact of [ACCOUNT, REGION, 'prod-cluster', 'payments-api', TASK_ID, DIGEST]) {
      expect(description).toContain(fact);
    }
    expect(description).toContain('payments-api:1.4.2');
  });

  it('shows the process, its path, command line and parent', () => {
    for (const fact of ['`nc`', '/usr/bin/nc', '203.0.113.7 4444', '`bash`', '/bin/bash', 'pid 4242']) {
      expect(description).toContain(fact);
    }
  });

  it('reports every action with its outcome', () => {
    expect(description).toMatch(
      /Stop task:\* stop requested — task `[0-9a-f]+` is stopping \(last status RUNNING, desired STOPPED\): ECS sends SIGTERM, then SIGKILL after the stop timeout/,
    );
    expect(description).toMatch(/Isolate task:\* done .*security group rules revoked \(4 rules\)/);
    expect(description).toMatch(/Quarantine image:\* done/);
    expect(description).toContain('`1.4.2` → `quarantine-9ac6f1e0b1d2`');
    expect(description).toContain('archived');
    expect(description).toMatch(/Tag service:\* done/);
  });

  it('says what was skipped and why', () => {
    expect(description).toContain('Skipped');
    expect(description).toContain('is not in a private ECR registry');
  });

  it('shows the blast radius without counting the task itself', () => {
    expect(description).toContain('2 other running tasks use the same image digest (scanned 48 tasks)');
    expect(description).toContain('other1');
  });

  it('links the GuardDuty finding, the ECS task, the execution and the evidence', () => {
    expect(steps).toContain(
      `https://${REGION}.console.aws.amazon.com/guardduty/home?region=${REGION}#/findings?macros=current&amp;fId=${FINDING_ID}`,
    );
    expect(steps).toContain(
      `https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/tasks/${TASK_ID}/configuration?region=${REGION}`,
    );
    expect(steps).toContain(
      `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/${EXECUTION_ARN}`,
    );
    expect(steps).toContain(
      `https://s3.console.aws.amazon.com/s3/object/${evidence.bucket}?region=${REGION}&amp;prefix=${evidence.key}`,
    );
  });

  it('gives the exact release command', () => {
    expect(steps).toContain(`\`shield-right release ${FINDING_ID}\``);
    expect(rendered.email).toContain(`shield-right release ${FINDING_ID}`);
  });

  it('lists the related ARNs', () => {
    expect(rendered.chat.metadata.relatedResources).toEqual(
      expect.arrayContaining([
        TASK_ARN,
        CLUSTER_ARN,
        EXECUTION_ARN,
        `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/payments-api`,
        `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/payments-api`,
      ]),
    );
  });

  it('sets the message attributes subscription filters use', () => {
    expect(rendered.attributes).toEqual({
      severity: { DataType: 'Number', StringValue: '8' },
      severityLabel: { DataType: 'String', StringValue: 'HIGH' },
      findingType: { DataType: 'String', StringValue: 'Execution:Runtime/ReverseShell' },
      action: { DataType: 'String', StringValue: 'contained' },
      cluster: { DataType: 'String', StringValue: 'prod-cluster' },
      account: { DataType: 'String', StringValue: ACCOUNT },
    });
  });

  it('carries the same facts in plain text for email, without chat markup', () => {
    // Arrange
    const email = rendered.email;

    // Assert
    for (const fact of [
      '8.0 HIGH',
      'Execution: reverse shell',
      TASK_ID,
      DIGEST,
      'nc -e /bin/sh',
      'STOPPED',
    ]) {
      expect(email).toContain(fact);
    }
    expect(email).toContain(`&fId=${FINDING_ID}`);
    expect(email).not.toContain('&amp;');
    expect(email).not.toContain('*Stop task:*');
  });
});

describe('renderNotification: other runtime kinds', () => {
  it('isolated: says the task was cut off and reports the isolation', () => {
    // Arrange
    const results: ResponseResults = { isolate: containedResults.isolate };

    // Act
    const rendered = renderNotification(
      runtimeInput('isolated', {
        finding: runtimeFinding({ severity: 5, severityLabel: 'MEDIUM' }),
        plan: plan({ disposition: 'isolate', stop: false, quarantine: false, tagService: false }),
        results,
      }),
    );

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.content.title).toContain('5.0 MEDIUM');
    expect(rendered.chat.content.title).toContain('isolated');
    expect(rendered.chat.content.description).toMatch(/Isolate task:\* done/);
    expect(rendered.chat.content.nextSteps.join('\n')).toContain(`shield-right release ${FINDING_ID}`);
  });

  it('observe: nothing changed, what would have been done, and how to act', () => {
    // Arrange
    const observePlan = plan({
      disposition: 'observe',
      path: 'notify',
      isolate: false,
      stop: false,
      quarantine: false,
      tagService: false,
      reasons: ['mode is observe: planned only, nothing changed'],
      skipped: [{ action: 'stop', reason: 'mode is observe: planned only, nothing changed' }],
      wouldHaveDone: ['isolate', 'stop', 'tagService'],
    });

    // Act
    const rendered = renderNotification(runtimeInput('observe', { plan: observePlan }));
    const { title, description, nextSteps } = rendered.chat.content;

    // Assert
    expectPublishable(rendered);
    expect(title).toContain('observe mode');
    expect(description).toContain('Nothing was changed.');
    expect(description).toContain('isolate the task, stop the task, tag the service');
    expect(description).toContain('mode is observe');
    expect(nextSteps.join('\n')).toContain(`\`shield-right respond --finding-id ${FINDING_ID} --force\``);
  });

  it('exempt: why it is exempt and how to act anyway', () => {
    // Arrange
    const exemptPlan = plan({
      disposition: 'exempt',
      path: 'notify',
      stop: false,
      isolate: false,
      quarantine: false,
      tagService: false,
      reasons: ['exempt: the task is tagged shield-right:exempt=true'],
      skipped: [{ action: 'stop', reason: 'exempt: the task is tagged shield-right:exempt=true' }],
      wouldHaveDone: ['isolate', 'stop'],
    });

    // Act
    const rendered = renderNotification(runtimeInput('exempt', { plan: exemptPlan }));

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.content.title).toContain('exempt');
    expect(rendered.chat.content.description).toContain('tagged shield');
    expect(rendered.chat.content.nextSteps.join('\n')).toContain(
      `shield-right respond --finding-id ${FINDING_ID} --force`,
    );
  });

  it('notify-only: reasons and no release command', () => {
    // Act
    const rendered = renderNotification(
      runtimeInput('notify-only', {
        finding: runtimeFinding({ severity: 2, severityLabel: 'LOW' }),
        plan: plan({
          disposition: 'notify',
          path: 'notify',
          stop: false,
          isolate: false,
          quarantine: false,
          tagService: false,
          skipped: [],
          reasons: ['severity 2 (LOW) is below the isolation threshold 4'],
        }),
      }),
    );

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.content.title).toContain('2.0 LOW');
    expect(rendered.chat.content.description).toContain('below the isolation threshold');
    expect(rendered.chat.content.nextSteps.join('\n')).not.toContain('release');
  });

  it('sample: says it is a sample and offers no commands', () => {
    // Act
    const rendered = renderNotification(
      runtimeInput('sample', {
        finding: runtimeFinding({ sample: true }),
        plan: plan({ disposition: 'sample' }),
      }),
    );

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.content.title).toContain('sample');
    expect(rendered.chat.content.nextSteps.join('\n')).not.toContain('shield-right respond');
  });

  it('cap-reached: the limit, what would have been done, left for a human, how to act', () => {
    // Act
    const rendered = renderNotification(runtimeInput('cap-reached'));
    const { title, description, nextSteps } = rendered.chat.content;

    // Assert
    expectPublishable(rendered);
    expect(title).toContain('blast-radius limit reached');
    expect(description).toContain(
      'the High budget: at most 5 actions per cluster, 20 per account and 40 across the organization',
    );
    expect(description).toContain('Would have done:');
    expect(description).toContain('isolate the task, stop the task, quarantine the image, tag the service');
    expect(description).toContain('left open (CAP_REACHED) for a human');
    expect(nextSteps.join('\n')).toContain(`shield-right respond --finding-id ${FINDING_ID} --force`);
    expect(nextSteps.join('\n')).toContain(`shield-right rerun ${EXECUTION_ARN}`);
  });

  it('step-failed: which step, why, what was already done, and the redrive command', () => {
    // Arrange
    const failure = {
      state: 'QuarantineImage',
      error: 'ActionFailedError',
      cause: JSON.stringify({
        errorType: 'ActionFailedError',
        errorMessage: 'ecr:PutImage failed: AccessDeniedException',
        trace: ['at quarantine (/var/task/index.js:1:1)'],
      }),
    };

    // Act
    const rendered = renderNotification(
      runtimeInput('step-failed', {
        failure,
        results: { stop: containedResults.stop, isolate: containedResults.isolate },
      }),
    );
    const { title, description, nextSteps } = rendered.chat.content;

    // Assert
    expectPublishable(rendered);
    expect(title).toContain('step QuarantineImage failed');
    expect(title).toContain('8.0 HIGH');
    expect(description).toContain('`QuarantineImage`');
    expect(description).toContain('ecr:PutImage failed: AccessDeniedException');
    expect(description).not.toContain('/var/task/index.js');
    expect(description).toContain('Done before the failure');
    expect(description).toMatch(/Stop task:\* stop requested/);
    expect(description).toContain('*Failed*');
    expect(nextSteps.join('\n')).toContain(`\`shield-right redrive ${EXECUTION_ARN}\``);
    expect(nextSteps.join('\n')).toContain(`\`shield-right rerun ${EXECUTION_ARN}\``);
    expect(rendered.subject).toContain('step QuarantineImage failed');
  });

  it('already-contained: repeat of a contained incident, nothing new done, release command', () => {
    // Act
    const rendered = renderNotification(
      runtimeInput('already-contained', { repeat: { count: 4, previousCount: 3, status: 'contained' } }),
    );

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.metadata.threadId).toBe(FINDING_ID);
    expect(rendered.chat.content.description).toContain('seen 4 times (was 3)');
    expect(rendered.chat.content.description).toContain('already contained');
    expect(rendered.chat.content.nextSteps.join('\n')).toContain(`shield-right release ${FINDING_ID}`);
  });

  it('a cluster-level finding without a task renders without task links or commands', () => {
    // Arrange
    const { task: _task, ...withoutTask } = runtimeFinding();

    // Act
    const rendered = renderNotification(
      runtimeInput('notify-only', { finding: { ...withoutTask, hasTask: false }, enrichment: undefined }),
    );

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.content.nextSteps.join('\n')).not.toContain('/tasks/');
    expect(rendered.chat.content.nextSteps.join('\n')).not.toContain('respond');
  });
});

describe('renderNotification: subject', () => {
  it('shortens a long finding type first, keeping severity, outcome and cluster', () => {
    // Arrange
    const finding = runtimeFinding({
      type: 'PrivilegeEscalation:Runtime/ContainerMountsHostDirectoryWithAVeryLongNameIndeed.Custom!Variant',
    });

    // Act
    const contained = renderNotification(runtimeInput('contained', { finding }));
    const repeated = renderNotification(
      runtimeInput('repeat', { finding, repeat: { count: 12, previousCount: 11 } }),
    );

    // Assert
    for (const { subject } of [contained, repeated]) {
      expect(subject).toMatch(/^[\x20-\x7E]{1,99}$/);
      expect(subject).toContain('HIGH PrivilegeEscalation:Runtime/');
      expect(subject).toContain('in prod-cluster');
    }
    expect(contained.subject).toContain('contained in prod-cluster');
    expect(repeated.subject).toContain('seen 12 times (was 11)');
  });

  it('transliterates and drops non-ASCII cluster names and types', () => {
    // Act
    const rendered = renderNotification(
      runtimeInput('contained', {
        finding: runtimeFinding({
          cluster: { name: 'prod-café-日本\r\nBcc: x', arn: CLUSTER_ARN, tags: {} },
        }),
      }),
    );

    // Assert
    expect(rendered.subject).toMatch(/^[\x20-\x7E]{1,99}$/);
    expect(rendered.subject).toContain('in prod-cafe- Bcc: x');
  });
});

describe('renderNotification: repeats thread as updates', () => {
  it('keeps the thread and says Update with the new count', () => {
    // Act
    const first = renderNotification(runtimeInput('contained', { results: containedResults }));
    const second = renderNotification(
      runtimeInput('repeat', {
        finding: runtimeFinding({ count: 3, eventId: 'evt-0002' }),
        repeat: { count: 3, previousCount: 1, firstSeen: '2024-05-01T03:00:00.000Z', status: 'contained' },
      }),
    );

    // Assert
    expectPublishable(second);
    expect(second.chat.metadata.threadId).toBe(first.chat.metadata.threadId);
    expect(second.chat.id).not.toBe(first.chat.id);
    expect(second.chat.content.title).toContain('Update');
    expect(second.chat.content.title).toContain('seen 3 times (was 1)');
    expect(second.chat.content.title.match(/Update/g)).toHaveLength(1);
    expect(second.chat.content.description).toContain('Update');
    expect(second.chat.content.description).toContain('seen 3 times (was 1)');
    expect(second.subject).toContain('Update');
    expect(second.chat.content.nextSteps.join('\n')).toContain(`shield-right release ${FINDING_ID}`);
  });
});

describe('selectKind', () => {
  it.each([
    ['sample', undefined, 'sample'],
    ['exempt', undefined, 'exempt'],
    ['observe', undefined, 'observe'],
    ['notify', undefined, 'notify-only'],
    ['no-task', undefined, 'notify-only'],
    ['task-stopped', undefined, 'notify-only'],
    ['contain', undefined, 'contained'],
    ['isolate', undefined, 'isolated'],
  ] as const)('%s without results → %s', (disposition, results, expected) => {
    expect(selectKind(plan({ disposition }), results)).toBe(expected);
  });

  it('follows what the actions reported', () => {
    const stopFailed: ResponseResults = {
      stop: { status: 'not-possible', taskArn: TASK_ARN },
      isolate: { status: 'done' },
    };
    expect(selectKind(plan(), containedResults)).toBe('contained');
    expect(selectKind(plan(), stopFailed)).toBe('isolated');
    expect(selectKind(plan(), { quarantine: { status: 'done', images: [] } })).toBe('image-quarantined');
    expect(selectKind(plan(), { stop: { status: 'skipped', taskArn: TASK_ARN } })).toBe('notify-only');
    expect(selectKind(plan(), { stop: { status: 'already-done', taskArn: TASK_ARN } })).toBe('contained');
  });
});
