/**
 * Organization-wide response where Step Functions' `Credentials.RoleArn` is unavailable (outside the commercial
 * partition, docs/aws-behaviours.md X3): a member account's StopTask and TagResource go through the
 * memberEcsCall function, which assumes the member role and makes the same calls there. The sandbox is told
 * the partition (SandboxOptions.partition); it refuses a Task's Credentials outside `aws`, so a fallback that
 * is not taken fails these tests.
 */
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../../definitions/config';
import { centralRoleArn } from '../../definitions/organization';
import { Simulator } from '../../local/engine';
import { ACCOUNT, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { MemberRoleScenario } from '../../local/organization';
import { callsTo, execution, inputOf, only } from '../helpers/runtime-response';

const MEMBER = '222233334444';
const ROLE = 'ShieldRightMemberRole';
const WITH_ROLE: ShieldRightConfig = { ...DEFAULT_CONFIG, memberAccountRoleName: ROLE };
const GOV = { partition: 'aws-us-gov', region: 'us-gov-west-1' } as const;

/**
 * A member account's finding as the delegated administrator's bus delivers it, in `partition`/`region`
 * (every ARN, the finding's partition and Region, and the image's registry host).
 */
function memberEvent(taskId: string, where: { partition: string; region: string }): unknown {
  const event = { ...runtimeEvent({ account: MEMBER, taskId, severity: 8 }), account: ACCOUNT };
  return JSON.parse(
    JSON.stringify(event)
      .replaceAll('arn:aws:', `arn:${where.partition}:`)
      .replaceAll('"partition":"aws"', `"partition":"${where.partition}"`)
      .replaceAll(REGION, where.region),
  );
}

function simulator(
  where: { partition: string; region: string },
  memberRoles: Record<string, MemberRoleScenario> = {},
): Simulator {
  return new Simulator({ config: WITH_ROLE, ...where, scenario: { memberRoles } });
}

describe('a member account finding where Credentials.RoleArn is unavailable (aws-us-gov)', () => {
  it('stops the task and tags its service with calls made in the member account by the memberEcsCall function', async () => {
    // Arrange
    const sim = simulator(GOV);
    const taskId = 'a1'.repeat(16);
    const taskArn = `arn:aws-us-gov:ecs:${GOV.region}:${MEMBER}:task/prod/${taskId}`;

    // Act
    const result = await sim.processEvent(memberEvent(taskId, GOV));

    // Assert: the fallback states ran, the Credentials states did not
    const run = execution(result);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states).toEqual(
      expect.arrayContaining(['StopTaskInMemberAccountByLambda', 'TagServiceInMemberAccountByLambda']),
    );
    expect(run.states).not.toContain('StopTaskInMemberAccount');
    expect(run.states).not.toContain('TagServiceInMemberAccount');
    // StopTask: answered by the member account, with the parameters the integration would have sent
    const stop = only(callsTo(result, 'ecs', 'StopTask'));
    expect(stop).toMatchObject({ account: MEMBER, error: null, state: 'StopTaskInMemberAccountByLambda' });
    expect(inputOf(stop)).toMatchObject({
      cluster: `arn:aws-us-gov:ecs:${GOV.region}:${MEMBER}:cluster/prod`,
      task: taskArn,
    });
    expect(sim.organization.account(MEMBER).ecs.getTask(taskArn)?.desiredStatus).toBe('STOPPED');
    const tag = only(callsTo(result, 'ecs', 'TagResource'));
    expect(tag).toMatchObject({ account: MEMBER, error: null, state: 'TagServiceInMemberAccountByLambda' });
    expect(inputOf(tag).tags).toEqual([{ key: 'shield-right:incident', value: expect.any(String) }]);
    // The function assumed the member role in the deployment account's STS
    const assumed = callsTo(result, 'sts', 'AssumeRole').filter((c) =>
      c.state?.endsWith('InMemberAccountByLambda'),
    );
    expect(assumed.length).toBeGreaterThan(0);
    for (const call of assumed) {
      expect(call).toMatchObject({ account: ACCOUNT, error: null });
      expect(inputOf(call).RoleArn).toBe(`arn:aws-us-gov:iam::${MEMBER}:role/${ROLE}`);
    }
    // The result has the integration's shape: the rest of the workflow reads it as before
    const output = run.output as { stop?: Record<string, unknown> };
    expect(output.stop).toEqual({
      status: 'done',
      taskArn,
      lastStatus: expect.any(String),
      desiredStatus: 'STOPPED',
    });
  });

  it('with a member role that does not trust the function (an older member template): the stop fails loudly, as with Credentials, and nothing is stopped', async () => {
    // Arrange: the role trusts every central role but memberEcsCall
    const sim = simulator(GOV, { [MEMBER]: { distrusts: ['memberEcsCall'] } });
    const taskId = 'a2'.repeat(16);

    // Act
    const result = await sim.processEvent(memberEvent(taskId, GOV));

    // Assert
    const run = execution(result);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('MemberRoleError');
    expect(run.cause).toContain(`arn:aws-us-gov:iam::${MEMBER}:role/${ROLE}`);
    const refused = callsTo(result, 'sts', 'AssumeRole').filter(
      (c) => c.state === 'StopTaskInMemberAccountByLambda',
    );
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((c) => c.error === 'AccessDenied')).toBe(true);
    expect(callsTo(result, 'ecs', 'StopTask')).toEqual([]);
    const task = sim.organization
      .account(MEMBER)
      .ecs.getTask(`arn:aws-us-gov:ecs:${GOV.region}:${MEMBER}:task/prod/${taskId}`);
    expect(task?.desiredStatus).toBe('RUNNING');
    // The failure is reported (execution-failure rule → reportFailure), as any failed response
    expect(result.notifications.length).toBeGreaterThan(0);
  });
});

describe('the same member role without the workflow in its trust, in the commercial partition', () => {
  it('fails the Credentials stop the same way: execution FAILED, nothing stopped, failure reported', async () => {
    // Arrange: the Credentials path assumes the role as the state machine's role
    const sim = simulator(
      { partition: 'aws', region: REGION },
      { [MEMBER]: { distrusts: ['RuntimeThreatResponse'] } },
    );
    const taskId = 'a3'.repeat(16);

    // Act
    const result = await sim.processEvent(memberEvent(taskId, { partition: 'aws', region: REGION }));

    // Assert
    const run = execution(result);
    expect(run.status).toBe('FAILED');
    expect(run.states).toContain('StopTaskInMemberAccount');
    expect(run.states).not.toContain('StopTaskInMemberAccountByLambda');
    expect(run.cause).toContain(centralRoleArn('aws', ACCOUNT, 'RuntimeThreatResponse', REGION));
    expect(callsTo(result, 'ecs', 'StopTask')).toEqual([]);
    expect(result.notifications.length).toBeGreaterThan(0);
  });
});
