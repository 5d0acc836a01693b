/**
 * The member release role (`<memberAccountRoleName>-release`), rolled out with ShieldRightMemberRole: what
 * `shield-right release` acts with in a member account. It trusts only the central operator roles within the
 * organization (never the roles that act automatically), and may only undo what a response did: re-authorize
 * revoked security-group rules, restore an image's storage class and tags, remove the service's incident tag.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { memberReleaseRoleName, memberReleaseTrustPolicy } from '../../definitions/organization';
import { Acknowledgments, allow } from './permissions';
import { INCIDENT_TAG_KEY } from './response-workflows';

export interface MemberReleaseRoleProps {
  readonly centralAccountId: string;
  readonly organizationId: string;
  readonly regions: readonly string[];
  /** The member role's name; this role's is derived from it. */
  readonly memberRoleName: string;
}

export class MemberReleaseRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberReleaseRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const [statement] = memberReleaseTrustPolicy({ partition: stack.partition, ...props }).Statement;
    if (!statement) throw new Error('shield-right: the member release trust policy has no statement');
    this.role = new iam.Role(this, 'Role', {
      roleName: memberReleaseRoleName(props.memberRoleName),
      description:
        'shield-right release: undo a containment in this account (assumed by the central operator role only)',
      assumedBy: new iam.AccountPrincipal(props.centralAccountId).withConditions(statement.Condition),
    });
    const acks = new Acknowledgments(this.role);
    const arn = (service: string, resource: string): string =>
      `arn:${stack.partition}:${service}:*:${stack.account}:${resource}`;
    allow(this.role, acks, {
      actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
      resources: [arn('ec2', 'security-group/*')],
      wildcardReason:
        'The groups whose rules a response revoked, recorded in the evidence: any group of this account.',
    });
    allow(this.role, acks, {
      actions: [
        'ecr:DescribeImages',
        'ecr:BatchGetImage',
        'ecr:PutImage',
        'ecr:BatchDeleteImage',
        'ecr:UpdateImageStorageClass',
      ],
      resources: [arn('ecr', 'repository/*')],
      wildcardReason:
        'The repositories a response quarantined, recorded in the evidence: any of this account.',
    });
    allow(this.role, acks, {
      actions: ['ecs:UntagResource'],
      resources: [arn('ecs', 'service/*')],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [INCIDENT_TAG_KEY] } },
      wildcardReason: `The service a response tagged, in this account; only the ${INCIDENT_TAG_KEY} tag key.`,
    });
    acks.apply();
  }
}
