/**
 * The central side of organization-wide response: the central roles that act in member accounts get fixed
 * names (definitions/organization.ts, so a member role's `aws:PrincipalArn` condition survives a replaced
 * role) and may assume only the member role, by its name, in the allowed accounts, never in a protected one.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { ShieldRightConfig } from '../../definitions/config';
import type { FunctionId, WorkflowName } from '../../definitions/functions';
import {
  centralRoleName,
  MEMBER_ACTING_FUNCTIONS,
  MEMBER_ACTING_WORKFLOWS,
} from '../../definitions/organization';
import { type Acknowledgments, allow } from './permissions';

/** Whether `owner`'s role acts in member accounts under this configuration. */
export function actsInMembers(config: ShieldRightConfig, owner: FunctionId | WorkflowName): boolean {
  if (!config.memberAccountRoleName) return false;
  return (
    (MEMBER_ACTING_FUNCTIONS as readonly string[]).includes(owner) ||
    (MEMBER_ACTING_WORKFLOWS as readonly string[]).includes(owner)
  );
}

/** The fixed role name of a central role that acts in member accounts (undefined: a generated name). */
export function fixedRoleName(
  scope: IConstruct,
  config: ShieldRightConfig,
  owner: FunctionId | WorkflowName,
): string | undefined {
  return actsInMembers(config, owner) ? centralRoleName(owner, Stack.of(scope).region) : undefined;
}

/** Lets `principal` assume the member role in the allowed accounts, and explicitly never in a protected one. */
export function allowMemberAssume(
  scope: IConstruct,
  principal: iam.IPrincipal,
  acks: Acknowledgments,
  config: ShieldRightConfig,
): void {
  const name = config.memberAccountRoleName;
  if (!name) return;
  const partition = Stack.of(scope).partition;
  const roleIn = (account: string) => `arn:${partition}:iam::${account}:role/${name}`;
  allow(principal, acks, {
    actions: ['sts:AssumeRole'],
    resources: config.accounts === 'all' ? [roleIn('*')] : config.accounts.map(roleIn),
    ...(config.accounts === 'all'
      ? {
          wildcardReason: `accounts is "all": the member role ${name} in any account of the organization (its trust policy requires aws:PrincipalOrgID).`,
        }
      : {}),
  });
  if (config.protectedAccounts.length > 0) {
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['sts:AssumeRole'],
        resources: config.protectedAccounts.map((account) => `arn:${partition}:iam::${account}:role/*`),
      }),
    );
  }
}
