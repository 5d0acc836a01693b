/**
 * The memberEcsCall function's action: the aws-sdk integration's PascalCase parameters become the same SDK
 * call, the answer comes back in the integration's shape, and ECS errors keep their names (the state's Retry
 * matches on them, docs/aws-behaviours.md E4).
 */
import 'aws-sdk-client-mock-jest';
import { ECSClient, ServerException, StopTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { callInMemberAccount } from '../../lambdas/actions/member-ecs-call';
import { StepInputError } from '../../lambdas/core/errors';
import { MemberEcsCallInputSchema, stepInput } from '../../lambdas/core/schemas';

const ecsMock = mockClient(ECSClient);
const ecs = new ECSClient({ region: 'us-gov-west-1' });
const MEMBER = '222233334444';
const ROLE = `arn:aws-us-gov:iam::${MEMBER}:role/ShieldRightMemberRole`;
const CLUSTER = `arn:aws-us-gov:ecs:us-gov-west-1:${MEMBER}:cluster/prod`;
const TASK = `arn:aws-us-gov:ecs:us-gov-west-1:${MEMBER}:task/prod/${'ab'.repeat(16)}`;
const SERVICE = `arn:aws-us-gov:ecs:us-gov-west-1:${MEMBER}:service/prod/payments-api`;

beforeEach(() => ecsMock.reset());

describe('callInMemberAccount', () => {
  it('makes StopTask with the integration parameters and answers the integration shape', async () => {
    // Arrange
    ecsMock.on(StopTaskCommand).resolves({
      task: { taskArn: TASK, lastStatus: 'RUNNING', desiredStatus: 'STOPPED', cpu: '256' },
    });

    // Act
    const out = await callInMemberAccount(ecs, {
      action: 'stopTask',
      roleArn: ROLE,
      parameters: { Cluster: CLUSTER, Task: TASK, Reason: 'shield-right: incident' },
    });

    // Assert
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: CLUSTER,
      task: TASK,
      reason: 'shield-right: incident',
    });
    expect(out).toEqual({ Task: { TaskArn: TASK, LastStatus: 'RUNNING', DesiredStatus: 'STOPPED' } });
  });

  it('makes TagResource with the same tags and answers an empty object', async () => {
    // Arrange
    ecsMock.on(TagResourceCommand).resolves({});

    // Act
    const out = await callInMemberAccount(ecs, {
      action: 'tagResource',
      roleArn: ROLE,
      parameters: { ResourceArn: SERVICE, Tags: [{ Key: 'shield-right:incident', Value: 'inc-1' }] },
    });

    // Assert
    expect(ecsMock).toHaveReceivedCommandWith(TagResourceCommand, {
      resourceArn: SERVICE,
      tags: [{ key: 'shield-right:incident', value: 'inc-1' }],
    });
    expect(out).toEqual({});
  });

  it('lets an ECS error through under its own name (the Retry list names ServerException)', async () => {
    // Arrange
    ecsMock.on(StopTaskCommand).rejects(new ServerException({ message: 'boom', $metadata: {} }));

    // Act
    const call = callInMemberAccount(ecs, {
      action: 'stopTask',
      roleArn: ROLE,
      parameters: { Cluster: CLUSTER, Task: TASK, Reason: 'r' },
    });

    // Assert
    await expect(call).rejects.toMatchObject({ name: 'ServerException' });
  });
});

describe('the MemberEcsCall step input', () => {
  const stop = { action: 'stopTask', parameters: { Cluster: CLUSTER, Task: TASK, Reason: 'r' } };

  it('accepts a member role ARN of any partition', () => {
    expect(() =>
      stepInput('MemberEcsCall', MemberEcsCallInputSchema, { ...stop, roleArn: ROLE }),
    ).not.toThrow();
  });

  it.each([
    ['an empty role (which would act in the deployment account)', ''],
    ['something that is not a role ARN', `arn:aws:iam::${MEMBER}:user/someone`],
  ])('refuses %s', (_, roleArn) => {
    expect(() => stepInput('MemberEcsCall', MemberEcsCallInputSchema, { ...stop, roleArn })).toThrow(
      StepInputError,
    );
  });

  it('refuses an action it does not make', () => {
    expect(() =>
      stepInput('MemberEcsCall', MemberEcsCallInputSchema, {
        ...stop,
        action: 'deleteService',
        roleArn: ROLE,
      }),
    ).toThrow(StepInputError);
  });
});
