/**
 * The central operator role (organization mode): what `shield-right release` assumes to undo a containment
 * in a member account. Its only permission is to assume the member release role (definitions/organization.ts)
 * in the allowed accounts, never in a protected one; it trusts the central account, so an operator needs an
 * IAM policy of their own allowing sts:AssumeRole on it (who may release is the account's decision). Fixed
 * name, so the member release role's aws:PrincipalArn condition survives a replaced role.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ShieldRightConfig } from '../../definitions/config';
import { memberReleaseRoleName, operatorRoleName } from '../../definitions/organization';
import { Acknowledgments, allow } from './permissions';

export class OperatorRole extends Construct {
  readonly role: iam.Role;

  constructor(
    scope: Construct,
    id: string,
    props: { readonly config: ShieldRightConfig; readonly memberRoleName: string },
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: operatorRoleName(stack.region),
      description:
        'shield-right release: undo a containment in a member account (assumes the member release role only)',
      assumedBy: new iam.AccountRootPrincipal(),
    });
    const acks = new Acknowledgments(this.role);
    const name = memberReleaseRoleName(props.memberRoleName);
    const roleIn = (account: string) => `arn:${stack.partition}:iam::${account}:role/${name}`;
    const { accounts, protectedAccounts } = props.config;
    allow(this.role, acks, {
      actions: ['sts:AssumeRole'],
      resources: accounts === 'all' ? [roleIn('*')] : accounts.map(roleIn),
      ...(accounts === 'all'
        ? {
            wildcardReason: `accounts is "all": the member release role ${name} in any account of the organization (its trust policy requires aws:PrincipalOrgID).`,
          }
        : {}),
    });
    if (protectedAccounts.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['sts:AssumeRole'],
          resources: protectedAccounts.map((account) => `arn:${stack.partition}:iam::${account}:role/*`),
        }),
      );
    }
    acks.apply();
  }
}
