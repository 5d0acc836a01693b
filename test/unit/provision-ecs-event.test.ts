import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { Simulator } from '../../local/engine';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';

const ecs = new ECSClient({ region: 'us-east-1' });
attachSandbox(ecs, 'ecs');

const TASK = 'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const event = {
  version: '0',
  id: 'e0c4a8b2-0000-4000-8000-000000000001',
  'detail-type': 'ECS Task State Change',
  source: 'aws.ecs',
  account: '111122223333',
  time: '2026-06-01T00:00:00Z',
  region: 'us-east-1',
  resources: [TASK],
  detail: {
    clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
    taskArn: TASK,
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/api:7',
    group: 'service:api',
    launchType: 'FARGATE',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    containers: [
      { name: 'app', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1.0', imageDigest: DIGEST },
    ],
  },
};

it('simulate provisions the task an ECS Task State Change describes, with the digest ECS reported', async () => {
  const sim = new Simulator();
  const result = await sim.processEvent(event);
  // signing.mode is off by default: the ImageTrustRule is not deployed, nothing is called.
  expect(result.matchedRules).toEqual([]);
  expect(result.apiCalls).toEqual([]);
  const described = await runInSandbox(sim.account, () =>
    ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [TASK] })),
  );
  expect(described.tasks?.[0]).toMatchObject({
    lastStatus: 'RUNNING',
    group: 'service:api',
    containers: [
      { name: 'app', image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1.0', imageDigest: DIGEST },
    ],
  });
  expect(sim.account.ecr.imageStatus('api', DIGEST)).toEqual({ status: 'ACTIVE' });
});
