import 'aws-sdk-client-mock-jest';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  ImageNotFoundException,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  ECSClient,
  ECSServiceException,
  ListClustersCommand,
  ListTasksCommand,
  type ListTasksCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { enrichVulnerableImage } from '../../lambdas/actions/enrich-image';
import { normalizeVulnerabilityFinding, type VulnerabilityFinding } from '../../lambdas/core/vulnerability';
import { ACCOUNT, inspectorEvent, REGION } from '../../local/fixtures/events';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
const REPOSITORY = 'payments-api';
const REPOSITORY_ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPOSITORY}`;
const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPOSITORY}@${DIGEST}`;

const ecrMock = mockClient(ECRClient);
const ecsMock = mockClient(ECSClient);
const deps = (maxTasks?: number) => ({
  ecr: new ECRClient({ region: REGION }),
  ecs: new ECSClient({ region: REGION }),
  ...(maxTasks !== undefined ? { maxTasks } : {}),
});

function finding(): VulnerabilityFinding {
  return normalizeVulnerabilityFinding(inspectorEvent({ digest: DIGEST, repository: REPOSITORY }));
}

const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
const taskArn = (cluster: string, id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id}`;

/** A fake ECS account: clusters of tasks (id → digest), listed in pages of `pageSize`. */
function ecsAccount(clusters: Record<string, Record<string, string>>, pageSize = 100): void {
  const names = Object.keys(clusters);
  ecsMock.on(ListClustersCommand).callsFake((input: { nextToken?: string }) => {
    // One cluster per page, so cluster pagination is exercised too.
    const index = input.nextToken ? Number(input.nextToken) : 0;
    const name = names[index];
    return {
      clusterArns: name ? [clusterArn(name)] : [],
      ...(index + 1 < names.length ? { nextToken: String(index + 1) } : {}),
    };
  });
  ecsMock.on(ListTasksCommand).callsFake((input: ListTasksCommandInput) => {
    const name = (input.cluster ?? '').split('/').pop() ?? '';
    const ids = Object.keys(clusters[name] ?? {});
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const end = Math.min(start + pageSize, ids.length);
    return {
      taskArns: ids.slice(start, end).map((id) => taskArn(name, id)),
      ...(end < ids.length ? { nextToken: String(end) } : {}),
    };
  });
  ecsMock.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput) => {
    const name = (input.cluster ?? '').split('/').pop() ?? '';
    const tasks: Task[] = (input.tasks ?? []).map((arn) => {
      const id = arn.split('/').pop() ?? '';
      const digest = clusters[name]?.[id] ?? OTHER_DIGEST;
      return {
        taskArn: arn,
        clusterArn: clusterArn(name),
        group: `service:${name}-svc`,
        containers: [{ name: 'app', image: IMAGE.replace(DIGEST, digest), imageDigest: digest }],
      };
    });
    return { tasks };
  });
}

function imageFound(): void {
  ecrMock.on(DescribeImagesCommand).resolves({
    imageDetails: [
      {
        imageDigest: DIGEST,
        imageTags: ['v1.4.1', 'latest'],
        imageStatus: 'ACTIVE',
        imagePushedAt: new Date('2026-10-02T08:00:00Z'),
        imageSizeInBytes: 52_428_800,
      },
    ],
  });
}

function repositoryTagged(tags: { Key: string; Value: string }[], mutability = 'IMMUTABLE'): void {
  ecrMock.on(DescribeRepositoriesCommand).resolves({
    repositories: [
      {
        repositoryArn: REPOSITORY_ARN,
        repositoryName: REPOSITORY,
        imageTagMutability: mutability as 'IMMUTABLE',
      },
    ],
  });
  ecrMock.on(ListTagsForResourceCommand).resolves({ tags });
}

beforeEach(() => {
  ecrMock.reset();
  ecsMock.reset();
});

describe('enrichVulnerableImage: the image and its repository', () => {
  it('describes the image by digest in the finding registry and reads the repository tags', async () => {
    imageFound();
    repositoryTagged([
      { Key: 'shield-right:exempt', Value: 'true' },
      { Key: 'team', Value: 'payments' },
    ]);
    ecsAccount({});

    const enrichment = await enrichVulnerableImage(deps(), finding());

    expect(enrichment).toEqual({
      found: true,
      imageStatus: 'ACTIVE',
      tags: ['v1.4.1', 'latest'],
      pushedAt: '2026-10-02T08:00:00.000Z',
      sizeInBytes: 52_428_800,
      tagMutability: 'IMMUTABLE',
      repositoryTags: { 'shield-right:exempt': 'true', team: 'payments' },
      runningTasks: [],
      scannedTasks: 0,
      truncated: false,
    });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      registryId: ACCOUNT,
      repositoryName: REPOSITORY,
      imageIds: [{ imageDigest: DIGEST }],
    });
    expect(ecrMock).toHaveReceivedCommandWith(DescribeRepositoriesCommand, {
      registryId: ACCOUNT,
      repositoryNames: [REPOSITORY],
    });
    expect(ecrMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: REPOSITORY_ARN });
  });

  it('reports an image ECR no longer has as not found, keeping the repository tags', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'The image does not exist', $metadata: {} }));
    repositoryTagged([{ Key: 'team', Value: 'payments' }], 'MUTABLE');
    ecsAccount({});

    const enrichment = await enrichVulnerableImage(deps(), finding());

    expect(enrichment.found).toBe(false);
    expect(enrichment.tags).toEqual([]);
    expect(enrichment).not.toHaveProperty('imageStatus');
    expect(enrichment).not.toHaveProperty('pushedAt');
    expect(enrichment.repositoryTags).toEqual({ team: 'payments' });
    expect(enrichment.tagMutability).toBe('MUTABLE');
  });

  it('reports a deleted repository as an image not found, without tags', async () => {
    const gone = () =>
      new RepositoryNotFoundException({ message: 'The repository does not exist', $metadata: {} });
    ecrMock.on(DescribeImagesCommand).rejects(gone());
    ecrMock.on(DescribeRepositoriesCommand).rejects(gone());
    ecsAccount({});

    const enrichment = await enrichVulnerableImage(deps(), finding());

    expect(enrichment).toMatchObject({ found: false, tags: [], repositoryTags: {} });
    expect(enrichment).not.toHaveProperty('tagMutability');
    expect(ecrMock).not.toHaveReceivedCommand(ListTagsForResourceCommand);
  });

  it('returns no repository tags when the repository has no ARN to list them by', async () => {
    imageFound();
    ecrMock.on(DescribeRepositoriesCommand).resolves({ repositories: [] });
    ecsAccount({});

    const enrichment = await enrichVulnerableImage(deps(), finding());

    expect(enrichment.repositoryTags).toEqual({});
    expect(ecrMock).not.toHaveReceivedCommand(ListTagsForResourceCommand);
  });

  it('lets an ECR throttling error propagate so the workflow retries the step', async () => {
    ecrMock.on(DescribeImagesCommand).rejects(
      new ECRServiceException({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    repositoryTagged([]);
    ecsAccount({});

    await expect(enrichVulnerableImage(deps(), finding())).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });

  it('lets an access error on the repository tags propagate rather than read it as "not exempt"', async () => {
    imageFound();
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [{ repositoryArn: REPOSITORY_ARN, repositoryName: REPOSITORY }],
    });
    ecrMock.on(ListTagsForResourceCommand).rejects(
      new ECRServiceException({
        name: 'AccessDeniedException',
        message: 'not authorized to perform ecr:ListTagsForResource',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    ecsAccount({});

    await expect(enrichVulnerableImage(deps(), finding())).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });
});

describe('enrichVulnerableImage: exposure (running ECS tasks on the digest)', () => {
  beforeEach(() => {
    imageFound();
    repositoryTagged([]);
  });

  it('finds the tasks on the digest across every cluster and every page of tasks', async () => {
    ecsAccount(
      {
        prod: { t1: DIGEST, t2: OTHER_DIGEST, t3: DIGEST },
        staging: { s1: OTHER_DIGEST },
        batch: { b1: DIGEST },
      },
      2,
    );

    const enrichment = await enrichVulnerableImage(deps(), finding());

    expect(enrichment.runningTasks).toEqual([
      {
        taskArn: taskArn('prod', 't1'),
        clusterArn: clusterArn('prod'),
        serviceName: 'prod-svc',
        image: IMAGE,
        digest: DIGEST,
      },
      {
        taskArn: taskArn('prod', 't3'),
        clusterArn: clusterArn('prod'),
        serviceName: 'prod-svc',
        image: IMAGE,
        digest: DIGEST,
      },
      {
        taskArn: taskArn('batch', 'b1'),
        clusterArn: clusterArn('batch'),
        serviceName: 'batch-svc',
        image: IMAGE,
        digest: DIGEST,
      },
    ]);
    expect(enrichment.scannedTasks).toBe(5);
    expect(enrichment.truncated).toBe(false);
    expect(ecsMock).toHaveReceivedCommandTimes(ListClustersCommand, 3);
    // prod has two pages of tasks, staging and batch one each.
    expect(ecsMock).toHaveReceivedCommandTimes(ListTasksCommand, 4);
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: clusterArn('prod'),
      desiredStatus: 'RUNNING',
    });
  });

  it('stops at maxTasks across clusters and says the exposure list may be incomplete', async () => {
    ecsAccount({
      prod: { t1: DIGEST, t2: OTHER_DIGEST },
      batch: { b1: DIGEST, b2: DIGEST, b3: DIGEST },
      staging: { s1: DIGEST },
    });

    const enrichment = await enrichVulnerableImage(deps(3), finding());

    expect(enrichment.scannedTasks).toBe(3);
    expect(enrichment.truncated).toBe(true);
    expect(enrichment.runningTasks.map((t) => t.taskArn)).toEqual([
      taskArn('prod', 't1'),
      taskArn('batch', 'b1'),
    ]);
    // Only one more task is described in the second cluster, and the third is never listed.
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, {
      cluster: clusterArn('batch'),
      tasks: [taskArn('batch', 'b1')],
    });
    expect(ecsMock).not.toHaveReceivedCommandWith(ListTasksCommand, { cluster: clusterArn('staging') });
  });

  it('stops at maxTasks within a cluster with more pages of tasks', async () => {
    ecsAccount({ prod: { t1: DIGEST, t2: OTHER_DIGEST, t3: DIGEST, t4: DIGEST, t5: DIGEST } }, 2);

    const enrichment = await enrichVulnerableImage(deps(3), finding());

    expect(enrichment).toMatchObject({ scannedTasks: 3, truncated: true });
    expect(enrichment.runningTasks.map((t) => t.taskArn)).toEqual([
      taskArn('prod', 't1'),
      taskArn('prod', 't3'),
    ]);
    expect(ecsMock).toHaveReceivedCommandTimes(ListTasksCommand, 2);
  });

  it('is not truncated when the bound is reached exactly on the last task of the last cluster', async () => {
    ecsAccount({ prod: { t1: DIGEST, t2: DIGEST } });

    const enrichment = await enrichVulnerableImage(deps(2), finding());

    expect(enrichment.scannedTasks).toBe(2);
    expect(enrichment.truncated).toBe(false);
    expect(enrichment.runningTasks).toHaveLength(2);
  });

  it('lets an ECS throttling error propagate', async () => {
    ecsAccount({ prod: { t1: DIGEST } });
    ecsMock.on(ListTasksCommand).rejects(
      new ECSServiceException({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    await expect(enrichVulnerableImage(deps(), finding())).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});
