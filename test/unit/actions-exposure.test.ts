import 'aws-sdk-client-mock-jest';
import {
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_MAX_TASKS, findTasksRunningImage } from '../../lambdas/actions/exposure';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-east-1' });

const BAD = `sha256:${'b'.repeat(64)}`;
const GOOD = `sha256:${'0'.repeat(64)}`;
const PREFIX = 'arn:aws:ecs:us-east-1:111122223333';
const clusterArn = (name: string) => `${PREFIX}:cluster/${name}`;
const taskArn = (cluster: string, i: number) =>
  `${PREFIX}:task/${cluster}/${i.toString(16).padStart(32, '0')}`;

/** Tasks of one cluster: the listed indexes run the bad digest, the others a good one. */
function cluster(name: string, count: number, bad: readonly number[] = [], pageSize = 100): void {
  const arns = Array.from({ length: count }, (_, i) => taskArn(name, i));
  const pages = Math.max(1, Math.ceil(count / pageSize));
  for (let p = 0; p < pages; p += 1) {
    ecsMock
      .on(ListTasksCommand, { cluster: clusterArn(name), ...(p > 0 ? { nextToken: `${name}-${p}` } : {}) })
      .resolves({
        taskArns: arns.slice(p * pageSize, (p + 1) * pageSize),
        ...(p + 1 < pages ? { nextToken: `${name}-${p + 1}` } : {}),
      });
  }
  ecsMock
    .on(DescribeTasksCommand, { cluster: clusterArn(name) })
    .callsFake((input: { tasks?: string[] }) => ({
      tasks: (input.tasks ?? []).map(
        (arn): Task => ({
          taskArn: arn,
          clusterArn: clusterArn(name),
          group: 'service:web',
          containers: [
            { name: 'app', image: 'repo/web:1', imageDigest: bad.includes(arns.indexOf(arn)) ? BAD : GOOD },
          ],
        }),
      ),
    }));
}

function describedBatches(): number[] {
  return ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length ?? 0);
}

beforeEach(() => {
  ecsMock.reset();
});

describe('findTasksRunningImage', () => {
  it('finds running tasks using the digest, with their service', async () => {
    cluster('prod', 3, [1]);

    const result = await findTasksRunningImage(ecs, { digests: [BAD], clusters: [clusterArn('prod')] });

    expect(result).toEqual({
      tasks: [
        {
          taskArn: taskArn('prod', 1),
          clusterArn: clusterArn('prod'),
          serviceName: 'web',
          image: 'repo/web:1',
          digest: BAD,
        },
      ],
      scannedTasks: 3,
      truncated: false,
    });
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: clusterArn('prod'),
      desiredStatus: 'RUNNING',
      maxResults: 100,
    });
  });

  it('follows ListTasks pages and describes each page in batches of at most 100', async () => {
    cluster('prod', 250, [0, 120, 249]);

    const result = await findTasksRunningImage(ecs, { digests: [BAD], clusters: [clusterArn('prod')] });

    expect(ecsMock).toHaveReceivedCommandTimes(ListTasksCommand, 3);
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, { nextToken: 'prod-1' });
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, { nextToken: 'prod-2' });
    expect(describedBatches()).toEqual([100, 100, 50]);
    expect(result.tasks.map((t) => t.taskArn)).toEqual([
      taskArn('prod', 0),
      taskArn('prod', 120),
      taskArn('prod', 249),
    ]);
    expect(result).toMatchObject({ scannedTasks: 250, truncated: false });
  });

  it('stops at maxTasks and says the scan was truncated', async () => {
    cluster('prod', 300, [10, 150, 299]);

    const result = await findTasksRunningImage(ecs, {
      digests: [BAD],
      clusters: [clusterArn('prod')],
      maxTasks: 150,
    });

    expect(result.scannedTasks).toBe(150);
    expect(result.truncated).toBe(true);
    expect(describedBatches()).toEqual([100, 50]);
    expect(result.tasks.map((t) => t.taskArn)).toEqual([taskArn('prod', 10)]);
    expect(ecsMock).toHaveReceivedCommandTimes(ListTasksCommand, 2);
  });

  it('is truncated when the account has more clusters than the listing reads (1,000)', async () => {
    // Eleven pages of 100 clusters: the listing stops after ten, so clusters are left unseen
    for (let p = 0; p < 11; p += 1) {
      ecsMock
        .on(ListClustersCommand, { ...(p > 0 ? { nextToken: `c-${p}` } : {}), maxResults: 100 })
        .resolves({
          clusterArns: Array.from({ length: 100 }, (_, i) => clusterArn(`c${p * 100 + i}`)),
          ...(p < 10 ? { nextToken: `c-${p + 1}` } : {}),
        });
    }
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });

    const result = await findTasksRunningImage(ecs, { digests: [BAD] });

    expect(ecsMock.commandCalls(ListClustersCommand)).toHaveLength(10);
    expect(ecsMock.commandCalls(ListTasksCommand)).toHaveLength(1000);
    expect(result).toEqual({ tasks: [], scannedTasks: 0, truncated: true });
  });

  it('is truncated when the bound is reached with clusters left to scan', async () => {
    cluster('a', 5);
    cluster('b', 5, [0]);

    const result = await findTasksRunningImage(ecs, {
      digests: [BAD],
      clusters: [clusterArn('a'), clusterArn('b')],
      maxTasks: 5,
    });

    expect(result).toEqual({ tasks: [], scannedTasks: 5, truncated: true });
    expect(ecsMock).not.toHaveReceivedCommandWith(ListTasksCommand, { cluster: clusterArn('b') });
  });

  it('is not truncated when the bound is reached exactly at the end of the last cluster', async () => {
    cluster('prod', 100, [99]);

    const result = await findTasksRunningImage(ecs, {
      digests: [BAD],
      clusters: [clusterArn('prod')],
      maxTasks: 100,
    });

    expect(result).toMatchObject({ scannedTasks: 100, truncated: false });
    expect(result.tasks).toHaveLength(1);
  });

  it('is truncated when the bound cuts the last page short', async () => {
    cluster('prod', 80, [70]);

    const result = await findTasksRunningImage(ecs, {
      digests: [BAD],
      clusters: [clusterArn('prod')],
      maxTasks: 50,
    });

    expect(result.scannedTasks).toBe(50);
    expect(result.truncated).toBe(true);
  });

  it('leaves out the task the finding is about', async () => {
    cluster('prod', 4, [0, 2]);

    const result = await findTasksRunningImage(ecs, {
      digests: [BAD],
      clusters: [clusterArn('prod')],
      excludeTaskArns: [taskArn('prod', 0)],
    });

    expect(result.tasks.map((t) => t.taskArn)).toEqual([taskArn('prod', 2)]);
    expect(result.scannedTasks).toBe(3);
    expect(ecsMock.commandCalls(DescribeTasksCommand)[0]?.args[0].input.tasks).not.toContain(
      taskArn('prod', 0),
    );
  });

  it('lists every cluster (all pages) when none is given', async () => {
    ecsMock
      .on(ListClustersCommand)
      .resolvesOnce({ clusterArns: [clusterArn('a')], nextToken: 'c2' })
      .resolvesOnce({ clusterArns: [clusterArn('b')] });
    cluster('a', 2);
    cluster('b', 2, [1]);

    const result = await findTasksRunningImage(ecs, { digests: [BAD] });

    expect(ecsMock).toHaveReceivedCommandTimes(ListClustersCommand, 2);
    expect(ecsMock).toHaveReceivedNthSpecificCommandWith(2, ListClustersCommand, { nextToken: 'c2' });
    expect(result.tasks.map((t) => t.taskArn)).toEqual([taskArn('b', 1)]);
    expect(result.scannedTasks).toBe(4);
  });

  it('does not list clusters when clusters are given', async () => {
    cluster('prod', 1);

    await findTasksRunningImage(ecs, { digests: [BAD], clusters: [clusterArn('prod')] });

    expect(ecsMock).not.toHaveReceivedCommand(ListClustersCommand);
  });

  it('calls nothing without digests', async () => {
    const result = await findTasksRunningImage(ecs, { digests: [] });

    expect(result).toEqual({ tasks: [], scannedTasks: 0, truncated: false });
    expect(ecsMock).not.toHaveReceivedAnyCommand();
  });

  it('skips DescribeTasks for an empty cluster', async () => {
    cluster('empty', 0);

    const result = await findTasksRunningImage(ecs, { digests: [BAD], clusters: [clusterArn('empty')] });

    expect(result.scannedTasks).toBe(0);
    expect(ecsMock).not.toHaveReceivedCommand(DescribeTasksCommand);
  });

  it('bounds the scan at DEFAULT_MAX_TASKS (1000) when no bound is given', async () => {
    cluster('big', 1100, [1050]);

    const result = await findTasksRunningImage(ecs, { digests: [BAD], clusters: [clusterArn('big')] });

    expect(DEFAULT_MAX_TASKS).toBe(1000);
    expect(result).toEqual({ tasks: [], scannedTasks: 1000, truncated: true });
  });
});
