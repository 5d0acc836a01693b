import { imageTrustPattern } from '../../definitions/patterns';
import { compilePattern } from '../../local/event-pattern';

/** An ECS Task State Change event with the fields the ECS developer guide's example carries. */
function taskEvent(lastStatus: string, desiredStatus: string, overrides: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '3317b2af-7005-947d-b652-f55e762e571a',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '111122223333',
    time: '2026-06-01T00:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef'],
    detail: {
      clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
      taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef',
      group: 'service:api',
      launchType: 'FARGATE',
      lastStatus,
      desiredStatus,
      version: 4,
      containers: [
        {
          name: 'app',
          image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1.0',
          imageDigest: `sha256:${'ab'.repeat(32)}`,
          lastStatus,
        },
      ],
      ...overrides,
    },
  };
}

const matches = compilePattern(imageTrustPattern());

it('matches a task that is RUNNING and meant to run', () => {
  expect(matches(taskEvent('RUNNING', 'RUNNING'))).toBe(true);
});

it('does not match the other status changes of a task (one status per task start)', () => {
  for (const [last, desired] of [
    ['PROVISIONING', 'RUNNING'],
    ['PENDING', 'RUNNING'],
    ['ACTIVATING', 'RUNNING'],
    ['RUNNING', 'STOPPED'],
    ['DEACTIVATING', 'STOPPED'],
    ['STOPPED', 'STOPPED'],
  ]) {
    expect(matches(taskEvent(String(last), String(desired)))).toBe(false);
  }
});

it('does not match other ECS events', () => {
  expect(
    matches({ ...taskEvent('RUNNING', 'RUNNING'), 'detail-type': 'ECS Container Instance State Change' }),
  ).toBe(false);
});
