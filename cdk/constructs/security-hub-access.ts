/**
 * What the Security Hub step (updateSecurityHub) may do, granted only with `securityHub: "on"`: read the
 * finding and update it in this account's hub, in Security Hub CSPM (`GetFindings`, `BatchUpdateFindings`)
 * and in the newer Security Hub (`GetFindingsV2`, `BatchUpdateFindingsV2`: IAM authorizes them with the
 * same two actions, per their API reference), and ask whether the newer Security Hub is enabled
 * (`DescribeSecurityHubV2`). Never the SUPPRESSED workflow status, in either: an explicit Deny on the
 * `securityhub:ASFFSyntaxPath/Workflow.Status` condition key (CSPM, the user guide's "Configuring access to
 * BatchUpdateFindings") and on `securityhub:OCSFSyntaxPath/StatusId` = 3, Suppressed (V2, the
 * BatchUpdateFindingsV2 API reference), so that the code's "never SUPPRESSED" rule is IAM's too; and never a
 * V2 severity (`securityhub:OCSFSyntaxPath/SeverityId` present), which shield-right does not set.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { type ShieldRightConfig, securityHubUpdates } from '../../definitions/config';

export const SECURITY_HUB_ACTIONS = ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'] as const;

export interface SecurityHubGrant {
  readonly config: ShieldRightConfig;
  readonly arn: (service: string, resource: string) => string;
  readonly allow: (permission: {
    actions: readonly string[];
    resources: readonly string[];
    wildcardReason?: string;
  }) => void;
  readonly principal: iam.IPrincipal;
}

/** The Denies that keep shield-right's Security Hub updates to what the code sends. */
export const SECURITY_HUB_DENIES: ReadonlyArray<Record<string, Record<string, string>>> = [
  { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'SUPPRESSED' } },
  { StringEquals: { 'securityhub:OCSFSyntaxPath/StatusId': '3' } },
  { Null: { 'securityhub:OCSFSyntaxPath/SeverityId': 'false' } },
];

export function grantSecurityHubUpdates(grant: SecurityHubGrant): void {
  if (securityHubUpdates(grant.config) !== 'on') return;
  // The hub of this account and Region (Service Authorization Reference: resource type `hub`,
  // arn:${Partition}:securityhub:${Region}:${Account}:hub/default); member findings are updated through it.
  const hub = grant.arn('securityhub', 'hub/default');
  // GetFindingsV2 and BatchUpdateFindingsV2 are authorized by these two actions; whether IAM checks them
  // against `hub/default` or the newer Security Hub's own resource is not confirmed: both are named (SH9).
  const hubV2 = grant.arn('securityhub', 'hubv2/*');
  grant.allow({
    actions: SECURITY_HUB_ACTIONS,
    resources: [hub, hubV2],
    wildcardReason:
      "The newer Security Hub's hub of this account and Region (one per Region; its id is generated); the Denies keep the updates to what the code sends.",
  });
  grant.allow({
    actions: ['securityhub:DescribeSecurityHubV2'],
    resources: ['*'],
    wildcardReason:
      'DescribeSecurityHubV2 (GET /hubv2) reads whether the newer Security Hub is enabled in the caller account; it names no resource, and its resource type is not confirmed.',
  });
  for (const conditions of SECURITY_HUB_DENIES) {
    grant.principal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['securityhub:BatchUpdateFindings'],
        resources: ['*'],
        conditions,
      }),
    );
  }
}
