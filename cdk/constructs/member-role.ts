/**
 * ShieldRightMemberRole: the role shield-right assumes in each member account (roll it out with a
 * CloudFormation StackSet: `npm run member-template` writes the template). It trusts only the central
 * account's fixed-name roles that act in members (aws:PrincipalArn) and only within the organization
 * (aws:PrincipalOrgID). Its permissions are the member-account part of those roles' own: the same
 * statements (function-permissions.ts PERMISSIONS for enrich, isolate, quarantine and exposure, and the
 * runtime workflow's StopTask and TagResource), scoped to the member account and conditioned alike.
 * Evidence, incidents and notifications stay in the central account: nothing of them is granted here.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULT_CONFIG, type ShieldRightConfig } from '../../definitions/config';
import { MEMBER_ACTING_FUNCTIONS, memberTrustPolicy } from '../../definitions/organization';
import { type GrantContext, PERMISSIONS } from './function-permissions';
import {
  denyInProtectedClusters,
  denyOnExemptEc2Resources,
  denyOnExemptRepositories,
  denyOnExemptServices,
  vpcArns,
} from './guardrails';
import { MemberReleaseRole } from './member-release-role';
import { Acknowledgments, allow } from './permissions';
import { INCIDENT_TAG_KEY } from './response-workflows';

export const DEFAULT_MEMBER_ROLE_NAME = 'ShieldRightMemberRole';

export interface ShieldRightMemberRoleProps {
  /** The account shield-right is deployed in (the delegated administrator). */
  readonly centralAccountId: string;
  /** The organization's id (`o-…`). */
  readonly organizationId: string;
  /** The Regions shield-right is deployed in (one set of central roles each). */
  readonly regions: readonly string[];
  /** Must equal the deployment's memberAccountRoleName. */
  readonly roleName?: string;
  /**
   * The deployment's configuration, for the protections IAM enforces here as in the central roles
   * (protected clusters, exemption tags, exempt repositories); default: the default configuration.
   */
  readonly config?: ShieldRightConfig;
}

export class ShieldRightMemberRole extends Construct {
  readonly role: iam.Role;
  /** What `shield-right release` acts with here (trusts only the central operator roles). */
  readonly releaseRole: iam.Role;

  constructor(scope: Construct, id: string, props: ShieldRightMemberRoleProps) {
    super(scope, id);
    const partition = Stack.of(this).partition;
    const trust = memberTrustPolicy({ partition, ...props });
    const [statement] = trust.Statement;
    if (!statement) throw new Error('shield-right: the member trust policy has no statement');
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
      description: 'shield-right: contain ECS threats in this account on behalf of the central deployment',
      assumedBy: new iam.AccountPrincipal(props.centralAccountId).withConditions(statement.Condition),
    });
    const acks = new Acknowledgments(this.role);
    // IAM roles are global: one member role serves every Region shield-right is deployed in, so its
    // resources are this account's in any Region (`*`), exactly as the central roles scope their own.
    const memberArn = (service: string, resource: string): string =>
      `arn:${partition}:${service}:*:${Stack.of(this).account}:${resource}`;
    const none = (): void => {};
    const config = props.config ?? DEFAULT_CONFIG;
    const role = this.role;
    const context: GrantContext = {
      arn: memberArn,
      allow: (permission) => allow(role, acks, permission),
      config,
      // Container-instance isolation needs a quarantine group in the member's VPC: not provisioned here.
      quarantineGroups: {},
      vpcArns: (ids) => vpcArns(this, ids),
      denyInProtectedClusters: (actions) => denyInProtectedClusters(this, role, config, actions),
      denyOnExemptRepositories: (actions) => denyOnExemptRepositories(this, role, config, actions),
      denyOnExemptEc2Resources: (actions) => denyOnExemptEc2Resources(role, config, actions),
      // Central-account resources: the central roles' own credentials reach them, never this role.
      putEvidence: none,
      readEvidence: none,
      readIncident: none,
      updateIncident: none,
      publish: none,
      readIncidents: none,
      // Security Hub is updated from the central (administrator) account only.
      grantSecurityHub: none,
      // The organization is listed, and signing jobs revoked, from the central account only.
      listOrganizationAccounts: none,
      revokeSigningJobs: none,
      executionArns: () => [],
      stateMachineArns: () => [],
    };
    for (const id of MEMBER_ACTING_FUNCTIONS) PERMISSIONS[id](context);
    // The runtime workflow's direct integrations with Credentials.RoleArn (response-workflows.ts, same conditions).
    allow(this.role, acks, {
      actions: ['ecs:StopTask'],
      resources: [memberArn('ecs', 'task/*')],
      conditions: { ArnEquals: { 'ecs:cluster': memberArn('ecs', 'cluster/*') } },
      wildcardReason: 'The task named by a finding, in a cluster of this account (ecs:cluster condition).',
    });
    allow(this.role, acks, {
      actions: ['ecs:TagResource'],
      resources: [memberArn('ecs', 'service/*')],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [INCIDENT_TAG_KEY] } },
      wildcardReason: `The service of the task, in this account; only the ${INCIDENT_TAG_KEY} tag key.`,
    });
    denyInProtectedClusters(this, role, config, ['ecs:StopTask', 'ecs:TagResource']);
    denyOnExemptServices(role, config, ['ecs:TagResource']);
    acks.apply();
    this.releaseRole = new MemberReleaseRole(this, 'Release', {
      centralAccountId: props.centralAccountId,
      organizationId: props.organizationId,
      regions: props.regions,
      memberRoleName: props.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
    }).role;
  }
}
