/**
 * Organization-wide response offline (issue 16): deployed in account A (the delegated administrator, where
 * member findings arrive), shield-right acts on a member account B's task through the member role, and
 * refuses, saying why, when the role is not configured or does not trust A.
 */
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../../definitions/config';
import { Simulator } from '../../local/engine';
import { ACCOUNT, inspectorEvent, REGION, runtimeEvent } from '../../local/fixtures/events';
import type { ApiCall } from '../../local/sandbox/account';
import { callsTo, execution, objects, only, parts } from '../helpers/runtime-response';

const MEMBER = '222233334444';
const OTHER_MEMBER = '333344445555';
const ROLE = 'ShieldRightMemberRole';
const WITH_ROLE: ShieldRightConfig = { ...DEFAULT_CONFIG, memberAccountRoleName: ROLE };

/** A member account's finding as the delegated administrator's EventBridge bus delivers it. */
function memberEvent(member: string, options: { taskId: string; severity?: number; id?: string }) {
  return { ...runtimeEvent({ account: member, ...options }), account: ACCOUNT };
}

function inAccount(calls: readonly ApiCall[], account: string): ApiCall[] {
  return calls.filter((c) => c.account === account);
}

function description(result: Awaited<ReturnType<Simulator['processEvent']>>): string {
  return parts(only(result.notifications)).chat.content.description;
}

describe('a member account finding, with memberAccountRoleName', () => {
  it('stops the task with a call made in the member account, keeps incident and evidence centrally, and names the account', async () => {
    // Arrange
    const simulator = new Simulator({ config: WITH_ROLE });
    const taskId = 'aa'.repeat(16);

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId, severity: 8 }));

    // Assert: the stop was made in B, through Step Functions' Credentials (no STS call on that state)
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(execution(result).states).toContain('StopTaskInMemberAccount');
    const stop = only(callsTo(result, 'ecs', 'StopTask'));
    expect(stop.account).toBe(MEMBER);
    expect(stop.error).toBeNull();
    expect(stop.state).toBe('StopTaskInMemberAccount');
    const task = simulator.organization
      .account(MEMBER)
      .ecs.getTask(`arn:aws:ecs:${REGION}:${MEMBER}:task/prod/${taskId}`);
    expect(task?.desiredStatus).toBe('STOPPED');
    // The Lambda actions assumed the member role (in A's STS) and described the task in B.
    const assume = callsTo(result, 'sts', 'AssumeRole');
    expect(assume.length).toBeGreaterThan(0);
    expect(assume.every((c) => c.account === ACCOUNT && c.error === null)).toBe(true);
    expect(only(callsTo(result, 'ecs', 'DescribeTasks')).account).toBe(MEMBER);
    // Incident, claim, evidence and notification stay in A.
    for (const call of [...callsTo(result, 'dynamodb'), ...callsTo(result, 's3'), ...callsTo(result, 'sns')])
      expect(call.account).toBe(ACCOUNT);
    expect(Object.keys(objects(simulator)).some((key) => key.startsWith('incidents/'))).toBe(true);
    expect(description(result)).toContain(MEMBER);
  });
});

describe('image quarantine in organization mode (fail safe)', () => {
  it('archives no image while the organization cannot be listed (ListAccounts refused), and the notification says so', async () => {
    // Arrange: accounts "all", but A is neither the management account nor a delegated administrator
    const simulator = new Simulator({
      config: WITH_ROLE,
      scenario: { organization: { listAccounts: false } },
    });

    // Act
    const result = await simulator.processEvent(runtimeEvent({ taskId: 'bb'.repeat(16), severity: 8 }));

    // Assert: the task is stopped, the image is spared, and the reason names the refused listing
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecs', 'StopTask')).toHaveLength(1);
    expect(callsTo(result, 'organizations', 'ListAccounts').map((c) => c.error)).toEqual([
      'AccessDeniedException',
    ]);
    expect(callsTo(result, 'ecr', 'UpdateImageStorageClass')).toEqual([]);
    expect(callsTo(result, 'ecr', 'PutImage')).toEqual([]);
    expect(description(result)).toContain('organization mode');
    expect(description(result)).toContain('organizations:ListAccounts failed (AccessDeniedException');
  });

  it('with accounts "all" lists the organization in the deployment account and archives once every account is scanned', async () => {
    const simulator = new Simulator({ config: WITH_ROLE });

    const result = await simulator.processEvent(runtimeEvent({ taskId: 'b6'.repeat(16), severity: 8 }));

    expect(execution(result).status).toBe('SUCCEEDED');
    const listings = callsTo(result, 'organizations', 'ListAccounts');
    expect(listings.map((c) => [c.account, c.error])).toEqual([[ACCOUNT, null]]);
    expect(only(callsTo(result, 'ecr', 'UpdateImageStorageClass')).error).toBeNull();
  });

  it('an Inspector CRITICAL finding notifies instead of archiving', async () => {
    const simulator = new Simulator({ config: WITH_ROLE });

    const result = await simulator.processEvent(inspectorEvent({ severity: 'CRITICAL' }));

    expect(execution(result).status).toBe('SUCCEEDED');
    expect(callsTo(result, 'ecr', 'UpdateImageStorageClass')).toEqual([]);
    expect(callsTo(result, 'ecr', 'PutImage')).toEqual([]);
    expect(description(result)).toContain('organization mode');
  });
});

describe('a member account finding that cannot be acted on', () => {
  it('without memberAccountRoleName: refused, nothing called in the member account, and the notification says what to set', async () => {
    // Arrange
    const simulator = new Simulator();

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId: 'bb'.repeat(16) }));

    // Assert
    expect(inAccount(result.apiCalls, MEMBER)).toEqual([]);
    expect(callsTo(result, 'sts')).toEqual([]);
    const text = description(result);
    expect(text).toContain('memberAccountRoleName');
    expect(text).toContain(MEMBER);
  });

  it('with a member role that trusts another account: AccessDenied, nothing called in the member account, one notification naming account, role and fix', async () => {
    // Arrange
    const simulator = new Simulator({
      config: WITH_ROLE,
      scenario: { memberRoles: { [MEMBER]: { trustedAccount: '999988887777' } } },
    });

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId: 'cc'.repeat(16) }));

    // Assert
    expect(inAccount(result.apiCalls, MEMBER)).toEqual([]);
    expect(callsTo(result, 'sts', 'AssumeRole').map((c) => c.error)).toEqual(['AccessDenied']);
    const text = description(result);
    expect(text).toContain(MEMBER);
    expect(text).toContain(`role/${ROLE}`);
    expect(text).toContain('Fix:');
    // The event is kept as evidence; nothing is reported as contained.
    expect(Object.keys(objects(simulator)).some((key) => key.startsWith('rejected/'))).toBe(true);
    expect(text).not.toContain('stop requested');
  });

  it('with the member role missing in that account: the same refusal', async () => {
    // Arrange
    const simulator = new Simulator({ config: WITH_ROLE, scenario: { memberRoles: { [MEMBER]: false } } });

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId: 'dd'.repeat(16) }));

    // Assert
    expect(inAccount(result.apiCalls, MEMBER)).toEqual([]);
    expect(description(result)).toContain(`role/${ROLE}`);
  });

  it('is headlined as a missing or untrusted member role naming account and role, not as invalid input', async () => {
    // Arrange
    const simulator = new Simulator({ config: WITH_ROLE, scenario: { memberRoles: { [MEMBER]: false } } });

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId: 'ee'.repeat(16) }));

    // Assert
    const notification = only(result.notifications);
    const subject = String(notification.subject);
    const title = parts(notification).chat.content.title;
    expect(subject).toContain('member role missing or untrusted');
    expect(subject).not.toContain('invalid input');
    expect(title).toContain(`account ${MEMBER}`);
    expect(title).toContain(`arn:aws:iam::${MEMBER}:role/${ROLE}`);
    expect(title).toContain('fix:');
    expect(description(result)).toContain('npm run member-template');
  });

  it('a protected account is never acted in, even with the role', async () => {
    // Arrange
    const simulator = new Simulator({ config: { ...WITH_ROLE, protectedAccounts: [MEMBER] } });

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId: 'ee'.repeat(16) }));

    // Assert
    expect(inAccount(result.apiCalls, MEMBER)).toEqual([]);
    expect(description(result)).toContain('protectedAccounts');
  });

  it('an account left out of the accounts allow-list is refused', async () => {
    // Arrange
    const simulator = new Simulator({ config: { ...WITH_ROLE, accounts: [OTHER_MEMBER] } });

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId: 'ff'.repeat(16) }));

    // Assert
    expect(inAccount(result.apiCalls, MEMBER)).toEqual([]);
    expect(description(result)).toContain('not in the configured accounts');
  });
});

describe('per-account caps', () => {
  it("findings in one member account cannot use up another account's budget", async () => {
    // Arrange: one action per account and window (the organization's budget set apart, so only the accounts' bind)
    const simulator = new Simulator({
      config: {
        ...WITH_ROLE,
        blastRadius: { ...WITH_ROLE.blastRadius, maxActionsPerAccount: 1, maxActionsPerOrganization: 10 },
      },
    });

    // Act
    const first = await simulator.processEvent(
      memberEvent(MEMBER, { taskId: '01'.repeat(16), id: 'f1'.repeat(16) }),
    );
    const capped = await simulator.processEvent(
      memberEvent(MEMBER, { taskId: '02'.repeat(16), id: 'f2'.repeat(16) }),
    );
    const other = await simulator.processEvent(
      memberEvent(OTHER_MEMBER, { taskId: '03'.repeat(16), id: 'f3'.repeat(16) }),
    );
    const home = await simulator.processEvent(runtimeEvent({ taskId: '04'.repeat(16), id: 'f4'.repeat(16) }));

    // Assert
    expect(only(callsTo(first, 'ecs', 'StopTask')).account).toBe(MEMBER);
    expect(callsTo(capped, 'ecs', 'StopTask')).toEqual([]);
    expect(execution(capped).states).toContain('NotifyCapReached');
    expect(only(callsTo(other, 'ecs', 'StopTask')).account).toBe(OTHER_MEMBER);
    expect(only(callsTo(home, 'ecs', 'StopTask')).account).toBe(ACCOUNT);
  });
});

describe('the organization-wide cap', () => {
  it("stops at the band's organization budget across member accounts, though each account's own budget has room", async () => {
    // Arrange: two actions per account, three for the whole organization, per band and window
    const simulator = new Simulator({
      config: {
        ...WITH_ROLE,
        blastRadius: { ...WITH_ROLE.blastRadius, maxActionsPerAccount: 2, maxActionsPerOrganization: 3 },
      },
    });
    const run = (member: string | undefined, n: number) =>
      simulator.processEvent(
        member
          ? memberEvent(member, { taskId: `${n}`.padStart(2, '0').repeat(16), id: `e${n}`.repeat(16) })
          : runtimeEvent({ taskId: `${n}`.padStart(2, '0').repeat(16), id: `e${n}`.repeat(16) }),
      );

    // Act
    const b1 = await run(MEMBER, 1);
    const b2 = await run(MEMBER, 2);
    const b3 = await run(MEMBER, 3);
    const c1 = await run(OTHER_MEMBER, 4);
    const c2 = await run(OTHER_MEMBER, 5);
    const home = await run(undefined, 6);

    // Assert: B's third is its own account cap; C's second and A's first are the organization's
    expect(only(callsTo(b1, 'ecs', 'StopTask')).account).toBe(MEMBER);
    expect(only(callsTo(b2, 'ecs', 'StopTask')).account).toBe(MEMBER);
    expect(callsTo(b3, 'ecs', 'StopTask')).toEqual([]);
    expect(only(callsTo(c1, 'ecs', 'StopTask')).account).toBe(OTHER_MEMBER);
    for (const capped of [c2, home]) {
      expect(callsTo(capped, 'ecs', 'StopTask')).toEqual([]);
      expect(execution(capped).states).toContain('NotifyCapReached');
    }
    expect(description(c2)).toContain('3 across the organization');
    const counter = simulator.account.dynamodb
      .items(simulator.table)
      .find((item) => item.pk?.S === 'CAP#ORGANIZATION#high');
    expect(counter?.stamps?.L).toHaveLength(3);
  });
});

describe('Regions and account names', () => {
  it('a finding from another Region than the deployment is refused, saying where shield-right runs; nothing is called in the account', async () => {
    // Arrange: deployed in the fixtures' Region (and in eu-central-1, per regions); the finding is eu-central-1's
    const simulator = new Simulator({ config: { ...WITH_ROLE, regions: [REGION, 'eu-central-1'] } });
    const event = JSON.parse(
      JSON.stringify(memberEvent(MEMBER, { taskId: '71'.repeat(16) })).replaceAll(REGION, 'eu-central-1'),
    ) as Record<string, unknown>;

    // Act
    const result = await simulator.processEvent(event);

    // Assert
    expect(inAccount(result.apiCalls, MEMBER)).toEqual([]);
    expect(callsTo(result, 'ecs')).toEqual([]);
    expect(callsTo(result, 'sts')).toEqual([]);
    const text = description(result);
    expect(text).toContain(`acts in ${REGION} only`);
    expect(text).toContain('the shield-right deployment in eu-central-1 responds to it');
  });

  it('notifications name the member account with its configured name', async () => {
    // Arrange
    const simulator = new Simulator({
      config: { ...WITH_ROLE, accountNames: { [MEMBER]: 'payments-prod' } },
    });

    // Act
    const result = await simulator.processEvent(memberEvent(MEMBER, { taskId: '72'.repeat(16) }));

    // Assert
    expect(execution(result).status).toBe('SUCCEEDED');
    expect(description(result)).toContain(`${MEMBER}\` (payments-prod)`);
  });
});
