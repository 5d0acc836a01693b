/**
 * The offline engine's organization-wide pieces, kept out of the engine: which account an event is about,
 * the member role auto-provisioned there (as the StackSet of ShieldRightMemberRole would create it, unless
 * the scenario says otherwise), and a direct integration made with a Task's `Credentials.RoleArn`.
 */
import type { ShieldRightConfig } from '../definitions/config';
import type { FunctionId, WorkflowName } from '../definitions/functions';
import {
  centralRoleArn,
  memberReleaseRoleName,
  memberReleaseTrustPolicy,
  memberTrustPolicy,
  operatorRoleName,
  taskCredentialsAvailable,
} from '../definitions/organization';
import { parseImage } from '../lambdas/core/image';
import { TaskError } from './asl-runner';
import { provisionFromEvent } from './provision';
import type { SandboxAccount } from './sandbox/account';
import type { SandboxOrganization } from './sandbox/organization';
import { isRecord } from './sandbox/shared';
import { type Principal, trustAllows } from './sandbox/sts';
import type { ServiceName } from './sandbox/types';

/**
 * How a scenario sets up a member account's role: absent (`false`), trusting another account, or not
 * trusting some central roles (`distrusts`), as a member template older than those roles would.
 */
export type MemberRoleScenario =
  | false
  | { readonly trustedAccount?: string; readonly distrusts?: readonly (FunctionId | WorkflowName)[] };

/** The account an event's resources are in (GuardDuty `detail.accountId`, Inspector `detail.awsAccountId`). */
export function accountOfEvent(event: unknown): string | undefined {
  if (!isRecord(event) || !isRecord(event.detail)) return undefined;
  const id = event.detail.accountId ?? event.detail.awsAccountId;
  return typeof id === 'string' && /^\d{12}$/.test(id) ? id : undefined;
}

/**
 * Provisions what an event refers to in the account it is about, and, for a member account with
 * `memberAccountRoleName` set, the member role trusting the central roles (or as the scenario says).
 */
export function provisionOrganization(
  organization: SandboxOrganization,
  config: ShieldRightConfig,
  event: unknown,
  memberRoles: Readonly<Record<string, MemberRoleScenario>> = {},
  deployedByHand: { readonly managementRole?: boolean } = {},
): void {
  const home = organization.home;
  const accountId = accountOfEvent(event) ?? home.accountId;
  provisionFromEvent(organization.account(accountId), event);
  const roleName = config.memberAccountRoleName;
  // The central operator role `shield-right release` assumes first (the central stack creates it).
  if (roleName && once(home, 'operator-role')) {
    home.sts.putRole(operatorRoleName(home.region), {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:${home.partition}:iam::${home.accountId}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    });
  }
  if (!roleName) return;
  // The StackSet rolls the member role (and the member release role) out to the event's account, every
  // listed account (with "all": every account of the organization so far), and the registry accounts the
  // event's images live in.
  const listed = config.accounts === 'all' ? organization.all().map((a) => a.accountId) : config.accounts;
  for (const id of new Set([accountId, ...listed, ...registryAccountsOfEvent(event)])) {
    const account = organization.account(id);
    // A service-managed StackSet never deploys to the management account: its role is deployed by hand.
    const management = id === organization.managementAccountId && account !== home;
    if (management && !deployedByHand.managementRole) continue;
    if (account === home || !once(account, `member-role:${roleName}`)) continue;
    const scenario = memberRoles[id];
    if (scenario === false) continue;
    const options = {
      partition: home.partition,
      centralAccountId: scenario?.trustedAccount ?? home.accountId,
      regions: [home.region],
      organizationId: organization.orgId,
    };
    account.sts.putRole(
      roleName,
      withoutPrincipals(memberTrustPolicy(options), scenario?.distrusts ?? [], home),
    );
    // The member release role, from the same StackSet: trusts only the central operator roles.
    account.sts.putRole(memberReleaseRoleName(roleName), memberReleaseTrustPolicy(options));
  }
}

/** The member trust policy without the central roles of `owners` (a scenario's older member template). */
function withoutPrincipals(
  policy: ReturnType<typeof memberTrustPolicy>,
  owners: readonly (FunctionId | WorkflowName)[],
  home: SandboxAccount,
): ReturnType<typeof memberTrustPolicy> {
  if (owners.length === 0) return policy;
  const left = new Set(owners.map((o) => centralRoleArn(home.partition, home.accountId, o, home.region)));
  return {
    ...policy,
    Statement: policy.Statement.map((statement) => ({
      ...statement,
      Condition: {
        ...statement.Condition,
        ArnEquals: {
          'aws:PrincipalArn': statement.Condition.ArnEquals['aws:PrincipalArn'].filter(
            (arn) => !left.has(arn),
          ),
        },
      },
    })),
  };
}

/** The private ECR registry accounts of a GuardDuty event's task containers. */
function registryAccountsOfEvent(event: unknown): string[] {
  if (!isRecord(event) || !isRecord(event.detail) || !isRecord(event.detail.resource)) return [];
  const cluster = event.detail.resource.ecsClusterDetails;
  const task = isRecord(cluster) ? cluster.taskDetails : undefined;
  const containers = isRecord(task) && Array.isArray(task.containers) ? task.containers : [];
  return containers
    .filter(isRecord)
    .map((c) => (typeof c.image === 'string' ? parseImage(c.image).ecr?.accountId : undefined))
    .filter((id): id is string => id !== undefined);
}

function once(account: SandboxAccount, key: string): boolean {
  if (account.provisioned.has(key)) return false;
  account.provisioned.add(key);
  return true;
}

/** The principal a workflow's direct integrations run as: its state machine's (fixed-name) role. */
export function workflowPrincipal(home: SandboxAccount, workflow: string): Principal {
  return {
    arn: centralRoleArn(home.partition, home.accountId, workflow as 'RuntimeThreatResponse', home.region),
    accountId: home.accountId,
  };
}

/**
 * A direct integration with `Credentials.RoleArn`: Step Functions assumes the role as the state machine's
 * role and calls the service in the role's account. The assumption itself is not an API call of the
 * workflow's (no round trip on the critical path), so it is not logged; a role that does not trust the
 * state machine fails the task (the error name Step Functions raises then is not confirmed: States.TaskFailed).
 * Outside the commercial partition the field is unavailable (X3): the sandbox fails such a task too (how AWS
 * refuses it, at CreateStateMachine or at run time, is not confirmed), so a fallback that is not taken shows.
 */
export async function callWithTaskRole(
  organization: SandboxOrganization,
  principal: Principal,
  roleArn: string,
  service: ServiceName,
  operation: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const partition = organization.home.partition;
  if (!taskCredentialsAvailable(partition)) {
    throw new TaskError(
      'States.TaskFailed',
      `Credentials.RoleArn is unavailable in partition ${partition} (commercial Regions only): ${roleArn} was not assumed`,
    );
  }
  const match = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  const role = match?.[1] && match[2] ? organization.role(match[1], match[2]) : undefined;
  if (!match?.[1] || !role || !trustAllows(role.trust, { ...principal, orgId: organization.orgId })) {
    throw new TaskError(
      'States.TaskFailed',
      `Step Functions could not assume ${roleArn} for this task: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  return organization.account(match[1]).call(service, operation, input);
}
