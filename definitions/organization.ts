/**
 * Organization-wide response: the fixed names of the central roles that act in member accounts, and the
 * trust policy of the member role (ShieldRightMemberRole) that lets exactly those roles, of the deployment
 * account and of the organization, assume it. Shared by the CDK constructs, the member-role template and
 * the offline sandbox (which provisions the same trust policy in every member account, as the StackSet
 * would). No AWS or CDK imports here.
 */
import type { FunctionId, WorkflowName } from './functions';

/** Functions whose calls about a finding are made in the finding's (member) account. */
export const MEMBER_ACTING_FUNCTIONS = [
  'enrich',
  'enrichImage',
  'isolate',
  'quarantine',
  'exposure',
  // The workflows' member-account StopTask/TagResource where Credentials.RoleArn is unavailable.
  'memberEcsCall',
] as const satisfies readonly FunctionId[];
/**
 * Workflows whose direct integrations run in a member account (`Credentials.RoleArn`, commercial partition
 * only): the runtime workflow's StopTask and TagResource, the vulnerable-image workflow's StopExposedTasks.
 */
export const MEMBER_ACTING_WORKFLOWS = [
  'RuntimeThreatResponse',
  'VulnerableImageResponse',
] as const satisfies readonly WorkflowName[];

/**
 * Whether a Task's `Credentials.RoleArn` is available in `partition`: "access to cross-account AWS resources
 * is available in Commercial Regions only" (Step Functions developer guide, concepts-access-cross-acct-
 * resources; docs/aws-behaviours.md X3). Elsewhere the member-account StopTask/TagResource go through the
 * memberEcsCall function, which assumes the member role itself.
 */
export function taskCredentialsAvailable(partition: string): boolean {
  return partition === 'aws';
}

/** The value of `TaskCredentialsRoleArns` where no role ARN may be named: a pattern no ARN matches. */
export const NO_TASK_CREDENTIALS = 'none (Credentials.RoleArn is unavailable in this partition)';

/**
 * The `${TaskCredentialsRoleArns}` substitution: a Choice's `StringMatches` pattern that a member role ARN
 * matches only where Step Functions can assume it for a Task (the CDK decides the same with a
 * CloudFormation condition on AWS::Partition, response-workflows.ts).
 */
export function taskCredentialsRoleArns(partition: string): string {
  return taskCredentialsAvailable(partition) ? `arn:${partition}:iam::*` : NO_TASK_CREDENTIALS;
}

/**
 * The fixed name of a central role. Fixed (not generated) so a member role's `aws:PrincipalArn` condition
 * keeps matching when the role is replaced; the Region is part of it because IAM names are account-wide
 * and shield-right is deployed once per Region.
 */
export function centralRoleName(owner: FunctionId | WorkflowName, region: string): string {
  return `shield-right-${owner}-${region}`;
}

export function centralRoleArn(
  partition: string,
  accountId: string,
  owner: FunctionId | WorkflowName,
  region: string,
): string {
  return `arn:${partition}:iam::${accountId}:role/${centralRoleName(owner, region)}`;
}

/** Every central role that assumes the member role. */
export function memberAssumingRoleArns(partition: string, accountId: string, region: string): string[] {
  return [...MEMBER_ACTING_FUNCTIONS, ...MEMBER_ACTING_WORKFLOWS].map((owner) =>
    centralRoleArn(partition, accountId, owner, region),
  );
}

export interface MemberTrustOptions {
  readonly partition: string;
  /** The account shield-right is deployed in (the delegated administrator). */
  readonly centralAccountId: string;
  /** The Regions shield-right is deployed in: one set of central roles each. */
  readonly regions: readonly string[];
  /** The organization's id (`o-…`): only principals of the organization may assume the role. */
  readonly organizationId: string;
}

/** The member role's trust policy: the central account, only its named central roles, only within the organization. */
export function memberTrustPolicy(options: MemberTrustOptions) {
  const principals = options.regions.flatMap((region) =>
    memberAssumingRoleArns(options.partition, options.centralAccountId, region),
  );
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { AWS: `arn:${options.partition}:iam::${options.centralAccountId}:root` },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': principals },
          StringEquals: { 'aws:PrincipalOrgID': options.organizationId },
        },
      },
    ],
  };
}

/**
 * `shield-right release` of a member account's incident. The member role trusts only the roles that act
 * automatically; undoing a containment (re-authorizing revoked rules, restoring an image) is a human's
 * decision, so it gets its own pair of roles, neither of which the automatic roles can use:
 * - the central operator role (fixed name, one per Region) that operators assume, allowed only to assume
 *   the member release role in the allowed accounts;
 * - the member release role (`<memberAccountRoleName>-release`, from the same StackSet), trusting only the
 *   central operator roles within the organization, granted only what a release calls in that account.
 */
export function operatorRoleName(region: string): string {
  return `shield-right-operator-${region}`;
}

export function operatorRoleArn(partition: string, accountId: string, region: string): string {
  return `arn:${partition}:iam::${accountId}:role/${operatorRoleName(region)}`;
}

/** The member release role's name: the member role's, suffixed (IAM role names are at most 64 characters). */
export function memberReleaseRoleName(memberRoleName: string): string {
  return `${memberRoleName.slice(0, 56)}-release`;
}

/** The member release role's trust policy: only the central operator roles, only within the organization. */
export function memberReleaseTrustPolicy(options: MemberTrustOptions) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { AWS: `arn:${options.partition}:iam::${options.centralAccountId}:root` },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': options.regions.map((region) =>
              operatorRoleArn(options.partition, options.centralAccountId, region),
            ),
          },
          StringEquals: { 'aws:PrincipalOrgID': options.organizationId },
        },
      },
    ],
  };
}
