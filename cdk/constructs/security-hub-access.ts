/**
 * What the Security Hub step (updateSecurityHub) may do, granted only with `securityHub: "on"`: read the
 * finding (`GetFindings`) and update it (`BatchUpdateFindings`) in this account's hub, and never set a
 * finding's workflow status to SUPPRESSED (an explicit Deny on the `securityhub:ASFFSyntaxPath/Workflow.Status`
 * condition key, as the Security Hub user guide's "Configuring access to BatchUpdateFindings" describes), so
 * that the code's "never SUPPRESSED" rule is IAM's too.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { type ShieldRightConfig, securityHubUpdates } from '../../definitions/config';

export const SECURITY_HUB_ACTIONS = ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'] as const;

export interface SecurityHubGrant {
  readonly config: ShieldRightConfig;
  readonly arn: (service: string, resource: string) => string;
  readonly allow: (permission: { actions: readonly string[]; resources: readonly string[] }) => void;
  readonly principal: iam.IPrincipal;
}

export function grantSecurityHubUpdates(grant: SecurityHubGrant): void {
  if (securityHubUpdates(grant.config) !== 'on') return;
  // The hub of this account and Region (Service Authorization Reference: resource type `hub`,
  // arn:${Partition}:securityhub:${Region}:${Account}:hub/default); member findings are updated through it.
  const hub = grant.arn('securityhub', 'hub/default');
  grant.allow({ actions: SECURITY_HUB_ACTIONS, resources: [hub] });
  grant.principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['securityhub:BatchUpdateFindings'],
      resources: ['*'],
      conditions: { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'SUPPRESSED' } },
    }),
  );
}
