/**
 * Organization mode for the vulnerable-image workflow (issue 16): an Inspector finding about a member
 * account's image is described, and its running tasks found, in that account through the member role; a
 * missing or untrusting role refuses the finding loudly before anything is done there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../../definitions/config';
import { WORKFLOWS } from '../../definitions/functions';
import { PACKAGE_ROOT } from '../../definitions/package-root';
import { decideImageResponse, normalizeVulnerabilityFinding } from '../../lambdas/core/vulnerability';
import { Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent } from '../../local/fixtures/events';
import type { ApiCall } from '../../local/sandbox/account';
import { callsTo, execution, objects, only, parts } from '../helpers/runtime-response';

const MEMBER = '222233334444';
const ROLE = 'ShieldRightMemberRole';
const WITH_ROLE: ShieldRightConfig = { ...DEFAULT_CONFIG, memberAccountRoleName: ROLE };

function inAccount(calls: readonly ApiCall[], account: string): ApiCall[] {
  return calls.filter((c) => c.account === account);
}

describe("an Inspector finding about a member account's image", () => {
  it('is described in the member account through the member role; incident and evidence stay central and the notification names the account', async () => {
    // Arrange
    const simulator = new Simulator({ config: WITH_ROLE });

    // Act
    const result = await simulator.processEvent(inspectorEvent({ account: MEMBER, severity: 'CRITICAL' }));

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    const describe = only(callsTo(result, 'ecr', 'DescribeImages'));
    expect(describe.account).toBe(MEMBER);
    expect(describe.error).toBeNull();
    expect(callsTo(result, 'sts', 'AssumeRole').every((c) => c.account === ACCOUNT && c.error === null)).toBe(
      true,
    );
    // Nothing about the image or its tasks was asked of the deployment's own ECR or ECS.
    expect(
      [...callsTo(result, 'ecr'), ...callsTo(result, 'ecs')].filter((c) => c.account === ACCOUNT),
    ).toEqual([]);
    for (const call of [...callsTo(result, 'dynamodb'), ...callsTo(result, 's3'), ...callsTo(result, 'sns')])
      expect(call.account).toBe(ACCOUNT);
    expect(Object.keys(objects(simulator)).some((key) => key.startsWith('incidents/'))).toBe(true);
    expect(parts(only(result.notifications)).chat.content.description).toContain(MEMBER);
  });

  it.each([
    ['missing', { [MEMBER]: false } as const],
    ['trusting another account', { [MEMBER]: { trustedAccount: '999988887777' } }],
  ])(
    'with the member role %s: refused before anything is called there, one notification naming account, role and fix',
    async (_, memberRoles) => {
      // Arrange
      const simulator = new Simulator({ config: WITH_ROLE, scenario: { memberRoles } });

      // Act
      const result = await simulator.processEvent(inspectorEvent({ account: MEMBER, severity: 'CRITICAL' }));

      // Assert
      expect(inAccount(result.apiCalls, MEMBER)).toEqual([]);
      expect(callsTo(result, 'ecr')).toEqual([]);
      expect(callsTo(result, 'sts', 'AssumeRole').map((c) => c.error)).toEqual(['AccessDenied']);
      const notification = only(result.notifications);
      expect(String(notification.subject)).toContain('member role missing or untrusted');
      const text = `${parts(notification).chat.content.title} ${parts(notification).chat.content.description}`;
      expect(text).toContain(MEMBER);
      expect(text).toContain(`arn:aws:iam::${MEMBER}:role/${ROLE}`);
      expect(Object.keys(objects(simulator)).some((key) => key.startsWith('rejected/'))).toBe(true);
    },
  );
});

describe('StopExposedTasks of a member account', () => {
  // Organization mode spares every image quarantine today (other accounts are not scanned), so no
  // execution reaches the stops offline: the route is checked on the plan and the state machine.
  type State = {
    Type: string;
    Choices?: Json[];
    Default?: string;
    Credentials?: Json;
    Next?: string;
    Parameters?: Json;
  };
  type Json = Record<string, unknown>;
  const definition = JSON.parse(
    readFileSync(join(PACKAGE_ROOT, WORKFLOWS.VulnerableImageResponse.file), 'utf8'),
  ) as { States: Record<string, Json> };
  const map = definition.States.StopExposedTasks as {
    ItemSelector: Json;
    ItemProcessor: { States: Record<string, State> };
  };
  const states = map.ItemProcessor.States;

  it("the plan carries the member role of the scanned account, and none for the deployment's own", () => {
    const member = normalizeVulnerabilityFinding(inspectorEvent({ account: MEMBER }), {
      memberRoleName: ROLE,
      allowedAccounts: 'all',
    });
    const own = normalizeVulnerabilityFinding(inspectorEvent(), {
      memberRoleName: ROLE,
      allowedAccounts: 'all',
    });
    expect(decideImageResponse(member, undefined, WITH_ROLE, 0).memberAccount).toEqual({
      roleArn: `arn:aws:iam::${MEMBER}:role/${ROLE}`,
    });
    expect(decideImageResponse(own, undefined, WITH_ROLE, 0).memberAccount).toEqual({});
  });

  it('stops through Credentials.RoleArn when the plan names a member role, with the workflow role otherwise', () => {
    expect(map.ItemSelector['memberAccount.$']).toBe('$.assessment.plan.memberAccount');
    expect(states.ClaimExposedTask?.Next).toBe('StopInWhichAccount');
    const choice = states.StopInWhichAccount;
    expect(choice?.Choices).toEqual([
      {
        And: [
          { Variable: '$.memberAccount.roleArn', IsPresent: true },
          // definitions/organization.ts taskCredentialsRoleArns: matches only in the commercial partition
          { Variable: '$.memberAccount.roleArn', StringMatches: `\${TaskCredentialsRoleArns}` },
        ],
        Next: 'StopExposedTaskInMemberAccount',
      },
      {
        Variable: '$.memberAccount.roleArn',
        IsPresent: true,
        Next: 'StopExposedTaskInMemberAccountByLambda',
      },
    ]);
    expect(choice?.Default).toBe('StopExposedTask');
    expect(states.StopExposedTaskInMemberAccount?.Credentials).toEqual({
      'RoleArn.$': '$.memberAccount.roleArn',
    });
    expect(states.StopExposedTaskInMemberAccount?.Next).toBe(states.StopExposedTask?.Next);
    expect(states.StopExposedTask?.Credentials).toBeUndefined();
    // Where Credentials.RoleArn is unavailable: the same call, parameters, result and error handling
    // through the memberEcsCall function (organization-fallback.test.ts runs that path for the runtime workflow).
    const credentials = states.StopExposedTaskInMemberAccount as Json;
    const fallback = states.StopExposedTaskInMemberAccountByLambda as Json;
    expect(fallback.Resource).toBe(`\${MemberEcsCallFunctionArn}`);
    expect(fallback.Credentials).toBeUndefined();
    expect(fallback.Parameters).toEqual({
      action: 'stopTask',
      'roleArn.$': '$.memberAccount.roleArn',
      parameters: credentials.Parameters,
    });
    for (const field of ['ResultSelector', 'ResultPath', 'Catch', 'Next'])
      expect(fallback[field]).toEqual(credentials[field]);
    // A claim retried after a conflict keeps the account it stops in.
    expect(states.ClaimTaskAgain?.Parameters?.['memberAccount.$']).toBe('$.memberAccount');
  });
});
