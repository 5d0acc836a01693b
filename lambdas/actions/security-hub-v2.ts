/**
 * Updates the Security Hub (OCSF) copy of a finding, beside the CSPM one (./security-hub.ts): looks it up
 * with `GetFindingsV2` (the provider's finding ARN and the account, lambdas/core/security-hub-v2.ts
 * `lookupFilter`), then `BatchUpdateFindingsV2` with the comment and, when it moves forward, the OCSF
 * `StatusId`, naming the finding by the identifier GetFindingsV2 returned. A finding not held raises
 * FindingNotInSecurityHub; one left in `UnprocessedFindings` raises SecurityHubUpdateRefused.
 * `securityHubV2Enabled` tells "this Security Hub is not enabled here" apart from a refusal.
 */
import {
  BatchUpdateFindingsV2Command,
  DescribeSecurityHubV2Command,
  GetFindingsV2Command,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { awsErrorName, errorMessage } from '../core/errors';
import { noteText } from '../core/security-hub';
import {
  COMMENT_MAX,
  findingRefOf,
  lookupFilter,
  type OcsfFindingRef,
  type OcsfLookup,
  ocsfIdentity,
  refFilter,
  statusIdChange,
  targetStatusId,
} from '../core/security-hub-v2';
import {
  FindingNotInSecurityHubError,
  SecurityHubNotEnabledError,
  SecurityHubUpdateRefusedError,
  type SecurityHubUpdateRequest,
} from './security-hub';

/**
 * What GetFindingsV2 answers where Security Hub is not enabled is not documented: it models no such error,
 * only AccessDeniedException among its refusals. These are asked about with DescribeSecurityHubV2.
 */
const MAYBE_NOT_ENABLED: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'InvalidAccessException',
]);

export interface SecurityHubV2Update {
  readonly ref: OcsfFindingRef;
  readonly previousStatusId?: number;
  /** The status id sent; absent when only the comment was updated. */
  readonly statusId?: number;
  readonly comment: string;
}

/**
 * Whether Security Hub (V2) is enabled in this account and Region: `DescribeSecurityHubV2` answers the hub,
 * or `ResourceNotFoundException` when there is none (its only documented "not there" error). Any other error
 * propagates: it says nothing about enablement.
 */
export async function securityHubV2Enabled(client: SecurityHubClient): Promise<boolean> {
  try {
    await client.send(new DescribeSecurityHubV2Command({}));
    return true;
  } catch (err) {
    if (awsErrorName(err) === 'ResourceNotFoundException') return false;
    throw err;
  }
}

/**
 * The first finding matching `filter`. A refusal that may mean "not enabled" is checked with
 * DescribeSecurityHubV2: not enabled raises SecurityHubNotEnabled; enabled (or unknown) keeps the refusal.
 */
async function findOne(client: SecurityHubClient, filter: OcsfLookup): Promise<unknown> {
  try {
    const out = await client.send(new GetFindingsV2Command({ Filters: filter, MaxResults: 1 }));
    return out.Findings?.[0];
  } catch (err) {
    if (!MAYBE_NOT_ENABLED.has(awsErrorName(err))) throw err;
    const enabled = await securityHubV2Enabled(client).catch(() => true);
    if (!enabled) {
      throw new SecurityHubNotEnabledError(
        `Security Hub (OCSF): not enabled (DescribeSecurityHubV2: no hub; GetFindingsV2 answered ${awsErrorName(err)}: ${errorMessage(err)})`,
      );
    }
    throw err;
  }
}

/**
 * Updates the finding: looked up by the provider's ARN and account, or, for a release, found again by the
 * identifier the response reached (`reached`).
 */
export async function updateSecurityHubV2Finding(
  client: SecurityHubClient,
  request: SecurityHubUpdateRequest,
  reached?: OcsfFindingRef,
): Promise<SecurityHubV2Update> {
  const doc = await findOne(
    client,
    reached ? refFilter(reached) : lookupFilter(request.findingArn, request.accountId),
  );
  if (doc === undefined) {
    throw new FindingNotInSecurityHubError(
      `Security Hub (OCSF) holds no ${request.source} finding ${request.findingArn} in account ${request.accountId} yet`,
    );
  }
  const identity = ocsfIdentity(doc);
  const ref = findingRefOf(identity);
  if (!ref) {
    throw new SecurityHubUpdateRefusedError(
      `GetFindingsV2 returned ${request.findingArn} without metadata.uid nor finding_info.uid, metadata.product.uid and cloud.account.uid: nothing to update it by`,
    );
  }
  const statusId = statusIdChange(identity.statusId, targetStatusId(request.incidentStatus));
  const comment = noteText(
    {
      incidentId: request.incidentId,
      summary: request.summary,
      evidence: request.evidence,
      account: request.accountId,
    },
    COMMENT_MAX,
  );
  const out = await client.send(
    new BatchUpdateFindingsV2Command({
      ...('MetadataUid' in ref
        ? { MetadataUids: [ref.MetadataUid] }
        : { FindingIdentifiers: [{ ...ref.FindingIdentifier }] }),
      Comment: comment,
      ...(statusId !== undefined ? { StatusId: statusId } : {}),
    }),
  );
  const refused = out.UnprocessedFindings?.[0];
  if (refused) {
    throw new SecurityHubUpdateRefusedError(
      `BatchUpdateFindingsV2 left ${request.findingArn} unprocessed: ${refused.ErrorCode ?? 'unknown'} ${refused.ErrorMessage ?? ''}`.trim(),
    );
  }
  return {
    ref,
    ...(identity.statusId !== undefined ? { previousStatusId: identity.statusId } : {}),
    ...(statusId !== undefined ? { statusId } : {}),
    comment,
  };
}
