/**
 * The sandbox organization and STS (issue 16; docs/aws-behaviours.md X1-X3): AssumeRole enforces the role's
 * trust policy and answers a refused or missing role alike with AccessDenied (403), and a client holding
 * the issued credentials is answered by the role's account.
 */
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { memberTrustPolicy } from '../../definitions/organization';
import { recordCalls, SandboxAccount } from '../../local/sandbox/account';
import { asPrincipal, SandboxOrganization } from '../../local/sandbox/organization';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';

const CENTRAL = '111122223333';
const MEMBER = '222233334444';
const ROLE = `arn:aws:iam::${MEMBER}:role/ShieldRightMemberRole`;
const ENRICH = `arn:aws:iam::${CENTRAL}:role/shield-right-enrich-us-east-1`;

function organization(trustedAccount = CENTRAL) {
  let clock = Date.parse('2026-12-01T00:00:00Z');
  const home = new SandboxAccount({ accountId: CENTRAL, clock: () => clock });
  const org = new SandboxOrganization(home, { clock: () => clock });
  org.account(MEMBER).sts.putRole(
    'ShieldRightMemberRole',
    memberTrustPolicy({
      partition: 'aws',
      centralAccountId: trustedAccount,
      regions: ['us-east-1'],
      organizationId: org.orgId,
    }),
  );
  org.account(MEMBER).ecs.putCluster({ name: 'member-cluster' });
  return { home, org, advance: (ms: number) => (clock += ms) };
}

const sts = new STSClient({ region: 'us-east-1' });
attachSandbox(sts, 'sts');

async function assume(home: SandboxAccount, principal: string, roleArn = ROLE) {
  return runInSandbox(home, () =>
    asPrincipal(principal, () =>
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'shield-right' })),
    ),
  );
}

function memberEcs(credentials: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }) {
  const client = new ECSClient({
    region: 'us-east-1',
    credentials: {
      accessKeyId: credentials.AccessKeyId ?? '',
      secretAccessKey: credentials.SecretAccessKey ?? '',
      sessionToken: credentials.SessionToken ?? '',
    },
  });
  attachSandbox(client, 'ecs', { keepCredentials: true });
  return client;
}

describe('sandbox STS AssumeRole', () => {
  it('issues credentials to a trusted central role, and calls made with them are answered by the member account', async () => {
    // Arrange
    const { home } = organization();

    // Act
    const out = await assume(home, ENRICH);
    const { result, calls } = await recordCalls(() =>
      runInSandbox(home, () => memberEcs(out.Credentials ?? {}).send(new ListClustersCommand({}))),
    );

    // Assert
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/ShieldRightMemberRole/shield-right`,
    );
    expect(result.clusterArns).toEqual([`arn:aws:ecs:us-east-1:${MEMBER}:cluster/member-cluster`]);
    expect(calls.map((c) => c.account)).toEqual([MEMBER]);
  });

  it.each([
    [
      'a central role the trust policy does not name',
      `arn:aws:iam::${CENTRAL}:role/shield-right-notify-us-east-1`,
      ROLE,
    ],
    ['a role that does not exist', ENRICH, `arn:aws:iam::${MEMBER}:role/NoSuchRole`],
  ])('refuses %s with AccessDenied (403) and the STS sentence', async (_case, principal, roleArn) => {
    // Arrange
    const { home } = organization();

    // Act
    const refused = await assume(home, principal, roleArn).catch((err: unknown) => err);

    // Assert
    expect(refused).toMatchObject({
      name: 'AccessDenied',
      message: `User: ${principal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses a role that trusts another account', async () => {
    // Arrange
    const { home } = organization('999988887777');

    // Act
    const refused = await assume(home, ENRICH).catch((err: unknown) => err);

    // Assert
    expect(refused).toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses calls with expired credentials, and with temporary credentials it never issued', async () => {
    // Arrange
    const { home, advance } = organization();
    const out = await assume(home, ENRICH);
    advance(3600 * 1000 + 1);

    // Act
    const expired = await runInSandbox(home, () =>
      memberEcs(out.Credentials ?? {}).send(new ListClustersCommand({})),
    ).catch((err: unknown) => err);
    const unknown = await runInSandbox(home, () =>
      memberEcs({ AccessKeyId: 'ASIAUNKNOWN000000000', SecretAccessKey: 'x' }).send(
        new ListClustersCommand({}),
      ),
    ).catch((err: unknown) => err);

    // Assert
    expect(expired).toMatchObject({ name: 'ExpiredTokenException' });
    expect(unknown).toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('refuses a session name that breaks the STS model with ValidationError', async () => {
    // Arrange
    const { home } = organization();

    // Act
    const refused = await runInSandbox(home, () =>
      sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'has space' })),
    ).catch((err: unknown) => err);

    // Assert
    expect(refused).toMatchObject({ name: 'ValidationError' });
  });
});
