/**
 * A quarantine touches only the finding's workload (issue 14, defects 2 and 10): before it, every task of
 * every cluster that runs the digest is found; a digest that a protected or exempt workload, or another
 * service, runs is spared and the notification says why; only the involved container's image is considered;
 * repository and digest come from DescribeTasks; a failed scan never archives.
 */
import { parseConfig } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { Scenario } from '../../local/provision';
import { AwsError } from '../../local/sandbox/types';
import { failCalls } from '../helpers/faults';
import { callsTo, execution, inputOf, only, parts } from '../helpers/runtime-response';

const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const APP = `${REGISTRY}/payments-api:v1.4.2`;
const SIDECAR = `${REGISTRY}/log-router:2.1`;
const DEV_TASK = '0123456789abcdef0123456789abcdef';
const devTaskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/dev/${DEV_TASK}`;

const ARCHIVING = ['UpdateImageStorageClass', 'PutImage', 'BatchDeleteImage'];
const ecrWrites = (result: Awaited<ReturnType<Simulator['processEvent']>>) =>
  result.apiCalls.filter((c) => c.service === 'ecr' && ARCHIVING.includes(c.operation) && c.error === null);
const writtenRepositories = (result: Awaited<ReturnType<Simulator['processEvent']>>) => [
  ...new Set(ecrWrites(result).map((c) => inputOf(c).repositoryName)),
];

/** A dev task of service `payments-dev` (app + sidecar); prod's `payments-api` runs the same app image. */
function shared(extra: Partial<Scenario> = {}): Scenario {
  return {
    clusters: [{ name: 'prod' }, { name: 'dev' }],
    services: [
      { cluster: 'prod', name: 'payments-api', image: APP },
      { cluster: 'dev', name: 'payments-dev', image: APP },
    ],
    tasks: [
      {
        cluster: 'dev',
        taskArn: devTaskArn,
        service: 'payments-dev',
        containers: [
          { name: 'app', image: APP },
          { name: 'log-router', image: SIDECAR },
        ],
      },
      { cluster: 'prod', service: 'payments-api', containers: [{ name: 'app', image: APP }], count: 2 },
    ],
    ...extra,
  };
}

/** A High finding on the dev task, naming the container it involves (`resource.containerDetails`). */
function devFinding(involved?: { name: string; image: string }, image = APP): Record<string, unknown> {
  const event = runtimeEvent({
    cluster: 'dev',
    taskId: DEV_TASK,
    service: 'payments-dev',
    severity: 8,
    image,
  });
  if (involved) {
    const detail = event.detail as { resource: Record<string, unknown> };
    detail.resource.containerDetails = { name: involved.name, image: involved.image, id: 'c0ffee' };
  }
  return event;
}

const email = (result: Awaited<ReturnType<Simulator['processEvent']>>) =>
  parts(only(result.notifications)).email;

describe('blast radius per workload', () => {
  it('a digest a protected cluster runs is never archived; the dev task is still stopped, and the notification says why', async () => {
    const simulator = new Simulator({
      config: parseConfig({ protectedClusters: ['prod'] }),
      scenario: shared(),
    });

    const result = await simulator.processEvent(devFinding({ name: 'app', image: APP }));

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecs', 'StopTask').map((c) => inputOf(c).task)).toEqual([devTaskArn]);
    expect(ecrWrites(result)).toEqual([]);
    const text = email(result);
    expect(text).toContain('spared');
    expect(text).toContain(
      'service payments-api in cluster prod runs it and is protected (cluster prod is in protectedClusters)',
    );
    // Every cluster was scanned: prod's tasks are in the blast radius.
    expect(text).toContain('2 other running tasks use the same image digest');
  });

  it('a digest another (unprotected) service runs is spared too: the finding proves nothing about it', async () => {
    const simulator = new Simulator({ scenario: shared() });

    const result = await simulator.processEvent(devFinding({ name: 'app', image: APP }));

    expect(ecrWrites(result)).toEqual([]);
    expect(email(result)).toContain(
      "service payments-api in cluster prod runs it too, outside the finding's workload",
    );
  });

  it('quarantines only the involved container image, and says archiving reaches consumers it cannot see', async () => {
    // prod runs the sidecar only: the app image is the dev workload's alone.
    const simulator = new Simulator({
      scenario: shared({
        services: [
          { cluster: 'prod', name: 'payments-api', image: SIDECAR },
          { cluster: 'dev', name: 'payments-dev', image: APP },
        ],
        tasks: [
          shared().tasks?.[0] ?? { cluster: 'dev', containers: [] },
          { cluster: 'prod', service: 'payments-api', containers: [{ name: 'app', image: SIDECAR }] },
        ],
      }),
    });

    const result = await simulator.processEvent(devFinding({ name: 'app', image: APP }));

    expect(writtenRepositories(result)).toEqual(['payments-api']);
    expect(email(result)).toContain('Archiving also affects consumers shield-right cannot see');
  });

  it('without containerDetails every image of the task is considered, the shared sidecar is spared, and it says so', async () => {
    const simulator = new Simulator({
      scenario: shared({
        services: [
          { cluster: 'prod', name: 'payments-api', image: SIDECAR },
          { cluster: 'dev', name: 'payments-dev', image: APP },
        ],
        tasks: [
          shared().tasks?.[0] ?? { cluster: 'dev', containers: [] },
          { cluster: 'prod', service: 'payments-api', containers: [{ name: 'app', image: SIDECAR }] },
        ],
      }),
    });

    const result = await simulator.processEvent(devFinding());

    expect(writtenRepositories(result)).toEqual(['payments-api']);
    const text = email(result);
    expect(text).toContain('the finding names no involved container (resource.containerDetails)');
    expect(text).toMatch(/log-router@\S+: spared/);
  });

  it('repository and digest come from the described task, not the finding', async () => {
    const simulator = new Simulator({
      scenario: {
        clusters: [{ name: 'dev' }],
        repositories: [{ name: 'innocent-repo', images: [{ tags: ['v1'] }] }],
        tasks: [{ cluster: 'dev', taskArn: devTaskArn, containers: [{ name: 'app', image: APP }] }],
      },
    });

    const result = await simulator.processEvent(devFinding(undefined, `${REGISTRY}/innocent-repo:v1`));

    expect(writtenRepositories(result)).toEqual(['payments-api']);
    expect(email(result)).toContain(
      `the finding names image ${REGISTRY}/innocent-repo:v1 for container app but ECS describes ${APP}`,
    );
  });

  it('a failed scan never archives: the quarantine is spared and the notification says why', async () => {
    const simulator = new Simulator({
      scenario: {
        clusters: [{ name: 'dev' }],
        tasks: [{ cluster: 'dev', taskArn: devTaskArn, containers: [{ name: 'app', image: APP }] }],
      },
    });
    failCalls(
      simulator,
      (service, operation) => service === 'ecs' && operation === 'ListClusters',
      new AwsError('AccessDeniedException', 'not authorized to perform ecs:ListClusters'),
    );

    const result = await simulator.processEvent(devFinding());

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecs', 'StopTask').map((c) => inputOf(c).task)).toEqual([devTaskArn]);
    expect(ecrWrites(result)).toEqual([]);
    expect(email(result)).toContain('the blast-radius scan failed');
  });
});
