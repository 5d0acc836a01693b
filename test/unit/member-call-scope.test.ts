/**
 * memberEcsCall accepts only what the workflows send (lambdas/core/member-call-scope.ts): the configured
 * member role, a task of a cluster of that role's account, a service of that account, the incident tag only.
 */
import { memberCallRefusal } from '../../lambdas/core/member-call-scope';

const ROLE = 'ShieldRightMemberRole';
const B = '222233334444';
const roleArn = `arn:aws-us-gov:iam::${B}:role/${ROLE}`;
const cluster = `arn:aws-us-gov:ecs:us-gov-west-1:${B}:cluster/prod`;
const task = `arn:aws-us-gov:ecs:us-gov-west-1:${B}:task/prod/0123456789abcdef0123456789abcdef`;
const service = `arn:aws-us-gov:ecs:us-gov-west-1:${B}:service/prod/api`;
const TAG = 'shield-right:incident';
const stop = (over: Partial<{ roleArn: string; Cluster: string; Task: string }> = {}) => ({
  action: 'stopTask' as const,
  roleArn: over.roleArn ?? roleArn,
  parameters: { Cluster: over.Cluster ?? cluster, Task: over.Task ?? task },
});
const tag = (ResourceArn: string, Tags = [{ Key: TAG, Value: 'i-1' }]) => ({
  action: 'tagResource' as const,
  roleArn,
  parameters: { ResourceArn, Tags },
});

describe('memberCallRefusal', () => {
  it('accepts the stop and the incident tag the workflows send', () => {
    expect(memberCallRefusal(stop(), ROLE, TAG)).toBeUndefined();
    expect(memberCallRefusal(tag(service), ROLE, TAG)).toBeUndefined();
  });

  it.each([
    [
      'another role name',
      stop({ roleArn: `arn:aws-us-gov:iam::${B}:role/Admin` }),
      'not the configured member role',
    ],
    ['a task of another account', stop({ Task: task.replace(B, '999988887777') }), `not in account ${B}`],
    [
      'a cluster of another account',
      stop({ Cluster: cluster.replace(B, '999988887777') }),
      `not in account ${B}`,
    ],
    [
      'a task of another cluster',
      stop({ Task: task.replace('task/prod/', 'task/payments/') }),
      'not in cluster prod',
    ],
    ['a task named without its ARN', stop({ Task: '0123456789abcdef0123456789abcdef' }), 'task ARNs'],
    ['a resource that is not a service', tag(cluster), 'ECS service'],
    ['a service of another account', tag(service.replace(B, '999988887777')), 'ECS service'],
    ['another tag', tag(service, [{ Key: 'owner', Value: 'x' }]), `only the ${TAG} tag`],
    [
      'an extra tag',
      tag(service, [
        { Key: TAG, Value: 'i-1' },
        { Key: 'owner', Value: 'x' },
      ]),
      `only the ${TAG} tag`,
    ],
  ])('refuses %s', (_why, call, said) => {
    expect(memberCallRefusal(call, ROLE, TAG)).toContain(said);
  });

  it('refuses everything when no member role is configured', () => {
    expect(memberCallRefusal(stop(), undefined, TAG)).toContain('memberAccountRoleName unset');
  });
});
