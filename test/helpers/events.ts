/**
 * Fixture builders for EventBridge events, written from the GuardDuty and Inspector schemas (not copied
 * from any sample). Each call returns a fresh object, so tests can mutate what they get.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export function loadExample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', 'events', name), 'utf8')) as Record<
    string,
    unknown
  >;
}

export interface RuntimeEventOptions {
  readonly id?: string;
  readonly type?: string;
  readonly severity?: number;
  readonly count?: number;
  readonly cluster?: string;
  readonly taskId?: string;
  readonly service?: string | null;
  readonly image?: string;
  readonly launchType?: 'FARGATE' | 'EC2';
  readonly taskTags?: Record<string, string>;
  readonly clusterTags?: Record<string, string>;
  readonly sample?: boolean;
  /** Omit taskDetails: a cluster-level finding. */
  readonly withoutTask?: boolean;
  readonly processName?: string;
  readonly executablePath?: string;
  readonly commandLine?: string;
  readonly account?: string;
  readonly eventId?: string;
}

const hex = (seed: string, length: number): string => {
  let h = 2166136261;
  let out = '';
  while (out.length < length) {
    for (const ch of `${seed}${out.length}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
};

/** A GuardDuty Runtime Monitoring finding for an ECS task, as EventBridge delivers it. */
export function runtimeEvent(options: RuntimeEventOptions = {}): Record<string, unknown> {
  const account = options.account ?? ACCOUNT;
  const id = options.id ?? hex(`finding${options.taskId ?? ''}${options.type ?? ''}`, 32);
  const cluster = options.cluster ?? 'prod';
  const taskId = options.taskId ?? hex(`task${id}`, 32);
  const service = options.service === undefined ? 'payments-api' : options.service;
  const image = options.image ?? `${account}.dkr.ecr.${REGION}.amazonaws.com/payments-api:v1.4.2`;
  const tags = (map: Record<string, string> | undefined) =>
    Object.entries(map ?? {}).map(([key, value]) => ({ key, value }));
  const taskDetails = {
    arn: `arn:aws:ecs:${REGION}:${account}:task/${cluster}/${taskId}`,
    definitionArn: `arn:aws:ecs:${REGION}:${account}:task-definition/${service ?? 'batch'}:3`,
    version: '3',
    createdAt: 1764322681.5,
    startedAt: 1764322700.25,
    ...(service ? { group: `service:${service}` } : { group: 'family:batch' }),
    launchType: options.launchType ?? 'FARGATE',
    tags: tags(options.taskTags),
    containers: [{ name: 'app', image }],
  };
  return {
    version: '0',
    id: options.eventId ?? `${hex(`event${id}${options.count ?? 1}`, 8)}-0000-4000-8000-${hex(`e${id}`, 12)}`,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account,
    time: '2026-11-28T10:01:40Z',
    region: REGION,
    resources: [],
    detail: {
      schemaVersion: '2.0',
      accountId: account,
      region: REGION,
      partition: 'aws',
      id,
      arn: `arn:aws:guardduty:${REGION}:${account}:detector/0123456789abcdef0123456789abcdef/finding/${id}`,
      type: options.type ?? 'CryptoCurrency:Runtime/BitcoinTool.B',
      resource: {
        resourceType: 'ECSCluster',
        ecsClusterDetails: {
          name: cluster,
          arn: `arn:aws:ecs:${REGION}:${account}:cluster/${cluster}`,
          status: 'ACTIVE',
          tags: tags(options.clusterTags),
          ...(options.withoutTask ? {} : { taskDetails }),
        },
      },
      service: {
        serviceName: 'guardduty',
        detectorId: '0123456789abcdef0123456789abcdef',
        featureName: 'RuntimeMonitoring',
        runtimeDetails: {
          process: {
            name: options.processName ?? 'xmrig',
            executablePath: options.executablePath ?? '/tmp/.x/xmrig',
            pid: 4242,
            user: 'root',
            lineage: [{ name: 'sh', executablePath: '/bin/sh', pid: 4240 }],
          },
          context: options.commandLine ? { commandLineExample: options.commandLine } : {},
        },
        eventFirstSeen: '2026-11-28T10:01:02.000Z',
        eventLastSeen: '2026-11-28T10:01:02.000Z',
        archived: false,
        count: options.count ?? 1,
        additionalInfo: options.sample
          ? { sample: true, value: '{"sample":true}', type: 'default' }
          : { value: '{}', type: 'default' },
      },
      severity: options.severity ?? 8,
      createdAt: '2026-11-28T10:01:35.212Z',
      updatedAt: '2026-11-28T10:01:35.212Z',
      title: 'Suspicious process in an ECS task',
      description: `A process in task ${taskId} behaved suspiciously.`,
    },
  };
}

export interface InspectorEventOptions {
  readonly findingId?: string;
  readonly severity?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  readonly status?: 'ACTIVE' | 'CLOSED' | 'SUPPRESSED';
  readonly repository?: string;
  readonly digest?: string;
  readonly tags?: readonly string[];
  readonly cve?: string;
  readonly exploitAvailable?: 'YES' | 'NO';
  readonly epss?: number;
  readonly resourceType?: string;
}

/** An Amazon Inspector finding for an ECR image, as EventBridge delivers it. */
export function inspectorEvent(options: InspectorEventOptions = {}): Record<string, unknown> {
  const repository = options.repository ?? 'payments-api';
  const digest = options.digest ?? `sha256:${hex(`digest${repository}`, 64)}`;
  const findingId = options.findingId ?? hex(`inspector${options.cve ?? ''}${digest}`, 32);
  const resourceId = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repository}/${digest}`;
  return {
    version: '0',
    id: `${hex(`ievent${findingId}${options.status ?? ''}`, 8)}-0000-4000-8000-${hex(findingId, 12)}`,
    'detail-type': 'Inspector2 Finding',
    source: 'aws.inspector2',
    account: ACCOUNT,
    time: '2026-11-28T10:20:00Z',
    region: REGION,
    resources: [resourceId],
    detail: {
      awsAccountId: ACCOUNT,
      findingArn: `arn:aws:inspector2:${REGION}:${ACCOUNT}:finding/${findingId}`,
      type: 'PACKAGE_VULNERABILITY',
      status: options.status ?? 'ACTIVE',
      severity: options.severity ?? 'CRITICAL',
      title: `${options.cve ?? 'CVE-2026-0001'} - openssl`,
      description: 'A buffer overflow allows remote code execution.',
      inspectorScore: 9.8,
      epss: { score: options.epss ?? 0.5 },
      exploitAvailable: options.exploitAvailable ?? 'YES',
      fixAvailable: 'YES',
      firstObservedAt: 'Sat Nov 28 10:19:38.411 UTC 2026',
      lastObservedAt: 'Sat Nov 28 10:19:38.411 UTC 2026',
      updatedAt: 'Sat Nov 28 10:19:38.411 UTC 2026',
      packageVulnerabilityDetails: {
        vulnerabilityId: options.cve ?? 'CVE-2026-0001',
        source: 'NVD',
        sourceUrl: `https://nvd.nist.gov/vuln/detail/${options.cve ?? 'CVE-2026-0001'}`,
        vulnerablePackages: [
          { name: 'openssl', version: '3.0.7', fixedInVersion: '3.0.15', packageManager: 'OS' },
        ],
      },
      resources: [
        {
          type: options.resourceType ?? 'AWS_ECR_CONTAINER_IMAGE',
          id: resourceId,
          region: REGION,
          partition: 'aws',
          details: {
            awsEcrContainerImage: {
              repositoryName: repository,
              registry: ACCOUNT,
              imageHash: digest,
              imageTags: [...(options.tags ?? ['v1.4.1'])],
              pushedAt: '2026-10-02T08:00:00Z',
            },
          },
        },
      ],
    },
  };
}
