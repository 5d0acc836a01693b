/**
 * `shield-right release` of a member account's incident (organization mode): the containment was made in
 * the member account, so it is undone there. The operator's credentials assume the central operator role
 * (fixed name, created by the central stack), which alone may assume the member release role
 * (`<memberAccountRoleName>-release`, rolled out with the member role); the ECS, EC2 and ECR calls of the
 * release are made with that role's credentials. Incident, evidence and notification stay central.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, type Credentials, STSClient } from '@aws-sdk/client-sts';
import { memberReleaseRoleName, operatorRoleArn } from '../../definitions/organization';
import { loadIncident } from '../../lambdas/actions/incident-store';
import { memberRoleArnFor } from '../../lambdas/core/accounts';
import { attachSandbox } from '../../local/sandbox/transport';
import { arnParts, type OperatorContext, OperatorError } from './operator-context';

export interface AccountClients {
  readonly ecs: ECSClient;
  readonly ec2: EC2Client;
  readonly ecr: ECRClient;
}

/** The account an incident's containment was made in: its cluster's (runtime incidents record it). */
export function accountOfIncident(item: Record<string, unknown>): string | undefined {
  return typeof item.clusterArn === 'string' ? arnParts(item.clusterArn)?.account : undefined;
}

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

async function assume(
  sts: STSClient,
  roleArn: string,
  fix: string,
): Promise<ReturnType<typeof sessionCredentials>> {
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
      throw new OperatorError(`could not assume ${roleArn} (${err.name}): ${fix}; nothing was released`);
    }
    throw err;
  }
}

/**
 * The clients a release of `incidentId` acts with: the operator's own for an incident of the deployment's
 * account, the member release role's for a member account's (refused, saying what to set, without a role).
 */
export async function releaseClients(
  ctx: OperatorContext,
  incidentId: string,
  memberRoleName: string | undefined,
): Promise<AccountClients> {
  const own = { ecs: ctx.clients.ecs, ec2: ctx.clients.ec2, ecr: ctx.clients.ecr };
  const central = arnParts(ctx.deployment.stateMachines.RuntimeThreatResponse)?.account;
  const incident = await loadIncident(ctx.clients.dynamodb, ctx.deployment.table, incidentId);
  const account = incident ? accountOfIncident(incident.item) : undefined;
  if (!central || !account || account === central) return own;
  if (!memberRoleName) {
    throw new OperatorError(
      `incident ${incidentId} is about member account ${account}: pass --member-role-name (the deployment's memberAccountRoleName) to release it there; nothing was released`,
    );
  }
  const region = ctx.deployment.region;
  const sandbox = ctx.sandbox !== undefined;
  // Offline, the clients answer from the saved sandbox; those made with assumed credentials keep them, so
  // the account (and role) they were issued for answers.
  const withSandbox = <C extends ECSClient | EC2Client | ECRClient | STSClient>(
    client: C,
    service: 'ecs' | 'ec2' | 'ecr' | 'sts',
    keepCredentials = true,
  ): C => {
    if (sandbox) attachSandbox(client, service, { keepCredentials });
    return client;
  };
  const base = withSandbox(new STSClient({ region }), 'sts', false);
  const partition = ctx.deployment.stateMachines.RuntimeThreatResponse.split(':')[1] ?? 'aws';
  const operatorArn = operatorRoleArn(partition, central, region);
  const operator = await assume(
    base,
    operatorArn,
    `allow yourself sts:AssumeRole on ${operatorArn} (the central stack creates it with memberAccountRoleName)`,
  );
  const releaseArn = memberRoleArnFor(partition, account, memberReleaseRoleName(memberRoleName));
  const member = await assume(
    withSandbox(new STSClient({ region, credentials: operator }), 'sts'),
    releaseArn,
    `deploy the member role template (npm run member-template) in account ${account}: it creates ${memberReleaseRoleName(memberRoleName)} trusting ${operatorArn}`,
  );
  const config = { region, credentials: member };
  return {
    ecs: withSandbox(new ECSClient(config), 'ecs'),
    ec2: withSandbox(new EC2Client(config), 'ec2'),
    ecr: withSandbox(new ECRClient(config), 'ecr'),
  };
}
