/**
 * What Security Hub holds for a simulated GuardDuty or Inspector finding when `securityHub` is on: the
 * product integration's import of the finding into the deployment's (administrator) account, into each
 * Security Hub the scenario enables (`securityHubEnabled`, default CSPM only). CSPM's copy is keyed by the
 * provider's finding ARN as ASFF `Id` under the product's ARN (docs/aws-behaviours.md SH5), with the account
 * the finding is about as `AwsAccountId`; the OCSF copy has the ARN as `finding_info.uid`, the account as
 * `cloud.account.uid` and a `metadata.uid` of its own (SH13; the product uid is the sandbox's, never read by
 * the code). A scenario may hold the import back for a few lookups (the product's delay) or for ever, to
 * exercise the workflows' retry.
 */
import { productArn } from '../lambdas/core/security-hub';
import type { SandboxAccount } from './sandbox/account';
import type { SecurityHubEnablement } from './sandbox/securityhub';
import { type NewOcsfFinding, sandboxMetadataUid } from './sandbox/securityhub-v2';
import { isRecord } from './sandbox/shared';

/** Which Security Hub the account has enabled (scenario `securityHubEnabled`); default CSPM only. */
export type SecurityHubEnabled = 'cspm' | 'v2' | 'both' | 'none';

export function enablementOf(
  enabled: SecurityHubEnabled = 'cspm',
  v2DisabledAnswer?: SecurityHubEnablement['v2DisabledAnswer'],
): SecurityHubEnablement {
  return {
    cspm: enabled === 'cspm' || enabled === 'both',
    v2: enabled === 'v2' || enabled === 'both',
    ...(v2DisabledAnswer ? { v2DisabledAnswer } : {}),
  };
}

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

/** The OCSF copy of the same finding (Security Hub V2). */
function ocsfOf(home: SandboxAccount, asff: NonNullable<ReturnType<typeof asffOf>>): NewOcsfFinding {
  const product = asff.ProductArn.replace('::product/', '::productv2/');
  return {
    metadata: {
      uid: sandboxMetadataUid(product, asff.Id, asff.AwsAccountId),
      product: { uid: product, name: asff.ProductName },
    },
    finding_info: { uid: asff.Id, ...(asff.Title ? { title: asff.Title } : {}) },
    cloud: { account: { uid: asff.AwsAccountId }, region: home.region },
  };
}

/** Imports the event's finding into the home account's enabled Security Hubs once (repeats keep the first import). */
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
  const { cspm, v2 } = home.securityhub.enabled;
  if (cspm) {
    if (when === 'imported') home.securityhub.putFinding(finding);
    else home.securityhub.importLater(finding, when);
  }
  if (v2) {
    if (when === 'imported') home.securityhub.putOcsfFinding(ocsfOf(home, finding));
    else home.securityhub.importOcsfLater(ocsfOf(home, finding), when);
  }
}
