/**
 * `shield-right release` of a member account's incident (organization mode): the containment was made in
 * the member account, so it is undone there. The operator's credentials assume the central operator role
 * (fixed name, created by the central stack), which alone may assume the member release role
 * (`<memberAccountRoleName>-release`, rolled out with the member role); the ECS, EC2 and ECR calls of the
 * release are made with that role's credentials. An image quarantined in another account (a central registry)
 * is restored there the same way, through that account's member release role. Incident, evidence and
 * notification stay central.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, type Credentials, STSClient } from '@aws-sdk/client-sts';
import { memberReleaseRoleName, operatorRoleArn } from '../../definitions/organization';
import { loadIncident } from '../../lambdas/actions/incident-store';
import { memberRoleArnFor } from '../../lambdas/core/accounts';
import { MemberRoleError } from '../../lambdas/core/errors';
import { attachSandbox } from '../../local/sandbox/transport';
import { arnParts, type OperatorContext, OperatorError } from './operator-context';

export interface AccountClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
}

/** The incident account's clients, and the ECR of the account each quarantined image is in. */
export interface ReleaseAccess extends AccountClients {
  readonly ecrFor: (roleArn: string) => Promise<ECRClient>;
}

/** The account an incident's containment was made in: its cluster's (runtime incidents record it). */
export function accountOfIncident(item: Record<string, unknown>): string | undefined {
  return typeof item.clusterArn === 'string' ? arnParts(item.clusterArn)?.account : undefined;
}

type SessionCredentials = ReturnType<typeof sessionCredentials>;

function sessionCredentials(credentials: Credentials | undefined, roleArn: string) {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new OperatorError(`AssumeRole ${roleArn} returned no credentials`);
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
    ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
  };
}

async function assume(sts: STSClient, roleArn: string, fix: string): Promise<SessionCredentials> {
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'shield-right-release',
        DurationSeconds: 900,
      }),
    );
    return sessionCredentials(out.Credentials, roleArn);
  } catch (err) {
    if (err instanceof Error && (err.name === 'AccessDenied' || err.name === 'AccessDeniedException')) {
      throw new MemberRoleError(`could not assume ${roleArn} (${err.name}): ${fix}`);
    }
    throw err;
  }
}

/**
 * The operator's way into member accounts: the central operator role (assumed once), then the member release
 * role of each account asked for (once per account); every client made with those credentials.
 */
class MemberReleaseSession {
  private operator: Promise<SessionCredentials> | undefined;
  private readonly accounts = new Map<string, Promise<AccountClients>>();
  private readonly partition: string;
  private readonly operatorArn: string;

  constructor(
    private readonly ctx: OperatorContext,
    central: string,
  ) {
    this.partition = ctx.deployment.stateMachines.RuntimeThreatResponse.split(':')[1] ?? 'aws';
    this.operatorArn = operatorRoleArn(this.partition, central, ctx.deployment.region);
  }

  /** Offline, the clients answer from the saved sandbox; those made with assumed credentials keep them. */
  private withSandbox<C extends ECSClient | EC2Client | ECRClient | STSClient>(
    client: C,
    service: 'ecs' | 'ec2' | 'ecr' | 'sts',
    keepCredentials = true,
  ): C {
    if (this.ctx.sandbox !== undefined) attachSandbox(client, service, { keepCredentials });
    return client;
  }

  private operatorCredentials(): Promise<SessionCredentials> {
    this.operator ??= assume(
      this.withSandbox(new STSClient({ region: this.ctx.deployment.region }), 'sts', false),
      this.operatorArn,
      `allow yourself sts:AssumeRole on ${this.operatorArn} (the central stack creates it with memberAccountRoleName)`,
    );
    return this.operator;
  }

  /** The clients of `account`, through its `<memberRoleName>-release` role (MemberRoleError if refused). */
  clientsIn(account: string, memberRoleName: string): Promise<AccountClients> {
    const key = `${account}/${memberRoleName}`;
    let clients = this.accounts.get(key);
    if (!clients) {
      clients = this.assumeIn(account, memberRoleName);
      this.accounts.set(key, clients);
    }
    return clients;
  }

  private async assumeIn(account: string, memberRoleName: string): Promise<AccountClients> {
    const region = this.ctx.deployment.region;
    const operator = await this.operatorCredentials();
    const name = memberReleaseRoleName(memberRoleName);
    const releaseArn = memberRoleArnFor(this.partition, account, name);
    const member = await assume(
      this.withSandbox(new STSClient({ region, credentials: operator }), 'sts'),
      releaseArn,
      `deploy the member role template (npm run member-template) in account ${account}: it creates ${name} trusting ${this.operatorArn}`,
    );
    const config = { region, credentials: member };
    return {
      ecs: this.withSandbox(new ECSClient(config), 'ecs'),
      ec2: this.withSandbox(new EC2Client(config), 'ec2'),
      ecr: this.withSandbox(new ECRClient(config), 'ecr'),
    };
  }
}

/** The account and role name of a member role ARN a quarantine recorded. */
function roleOfArn(roleArn: string): { account: string; name: string } | undefined {
  const m = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  return m?.[1] && m[2] ? { account: m[1], name: m[2] } : undefined;
}

/**
 * The clients a release of `incidentId` acts with: the operator's own for an incident of the deployment's
 * account, the member release role's for a member account's (refused, saying what to set, without a role);
 * and `ecrFor`, the ECR of the account an image was quarantined in (a registry account, or the member's own
 * repository), through that account's member release role: the quarantine recorded the member role it acted
 * through, whose name is the deployment's memberAccountRoleName. A refused role there fails that image's
 * restore only (MemberRoleError: it stays quarantined, the release says why).
 */
export async function releaseClients(
  ctx: OperatorContext,
  incidentId: string,
  memberRoleName: string | undefined,
): Promise<ReleaseAccess> {
  const own = { ecs: ctx.clients.ecs, ec2: ctx.clients.ec2, ecr: ctx.clients.ecr };
  const central = arnParts(ctx.deployment.stateMachines.RuntimeThreatResponse)?.account;
  if (!central) return { ...own, ecrFor: async () => own.ecr };
  const session = new MemberReleaseSession(ctx, central);
  const ecrFor = async (roleArn: string): Promise<ECRClient> => {
    const role = roleOfArn(roleArn);
    if (!role) throw new MemberRoleError(`${roleArn} is not a role ARN`);
    if (role.account === central) return own.ecr;
    return (await session.clientsIn(role.account, role.name)).ecr;
  };
  const incident = await loadIncident(ctx.clients.dynamodb, ctx.deployment.table, incidentId);
  const account = incident ? accountOfIncident(incident.item) : undefined;
  if (!account || account === central) return { ...own, ecrFor };
  if (!memberRoleName) {
    throw new OperatorError(
      `incident ${incidentId} is about member account ${account}: pass --member-role-name (the deployment's memberAccountRoleName) to release it there; nothing was released`,
    );
  }
  try {
    return { ...(await session.clientsIn(account, memberRoleName)), ecrFor };
  } catch (err) {
    if (err instanceof MemberRoleError) throw new OperatorError(`${err.message}; nothing was released`);
    throw err;
  }
}
