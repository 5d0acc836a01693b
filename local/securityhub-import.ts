/**
 * What Security Hub (CSPM) holds for a simulated GuardDuty or Inspector finding when `securityHub` is on:
 * the product integration's import of the finding into the deployment's (administrator) account, keyed
 * by the provider's finding ARN as ASFF `Id` under the product's ARN (docs/aws-behaviours.md SH5), with the
 * account the finding is about as `AwsAccountId`. A scenario may hold the import back for a few lookups
 * (the product's delay) or for ever, to exercise the workflows' retry.
 */
import { productArn } from '../lambdas/core/security-hub';
import type { SandboxAccount } from './sandbox/account';
import { isRecord } from './sandbox/shared';

/** `imported` (default): there before the response looks; a number: after that many lookups; `never`. */
export type SecurityHubImport = 'imported' | 'never' | number;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The ASFF finding the integration imports for an event's finding, or undefined for other events. */
function asffOf(home: SandboxAccount, event: unknown) {
  if (!isRecord(event) || !isRecord(event.detail)) return undefined;
  const detail = event.detail;
  if (event.source === 'aws.guardduty') {
    const id = text(detail.arn);
    const account = text(detail.accountId);
    if (!id || !account) return undefined;
    return {
      Id: id,
      ProductArn: productArn('guardduty', home.partition, home.region),
      ProductName: 'GuardDuty',
      AwsAccountId: account,
      GeneratorId: id.split('/finding/')[0] ?? id,
      ...(text(detail.title) ? { Title: text(detail.title) } : {}),
    };
  }
  if (event.source === 'aws.inspector2') {
    const id = text(detail.findingArn);
    const account = text(detail.awsAccountId);
    if (!id || !account) return undefined;
    return {
      Id: id,
      ProductArn: productArn('inspector2', home.partition, home.region),
      ProductName: 'Inspector',
      AwsAccountId: account,
      ...(text(detail.type) ? { GeneratorId: text(detail.type) } : {}),
      ...(text(detail.title) ? { Title: text(detail.title) } : {}),
    };
  }
  return undefined;
}

/** Imports the event's finding into the home account's Security Hub once (repeats keep the first import). */
export function importToSecurityHub(
  home: SandboxAccount,
  event: unknown,
  when: SecurityHubImport = 'imported',
): void {
  const finding = asffOf(home, event);
  if (!finding) return;
  const key = `securityhub:${finding.ProductArn}:${finding.Id}`;
  if (home.provisioned.has(key)) return;
  home.provisioned.add(key);
  if (when === 'imported') home.securityhub.putFinding(finding);
  else home.securityhub.importLater(finding, when);
}
