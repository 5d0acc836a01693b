/**
 * Updates the Security Hub CSPM (ASFF) copy of a finding after the response: looks it up with `GetFindings` by the
 * provider's finding ARN (the ASFF `Id` of GuardDuty and Inspector findings) and the finding's account
 * (not by a product ARN built here: the identifier Security Hub answers with is the one updated), then `BatchUpdateFindings` with the note and, when it moves
 * forward, the workflow status (lambdas/core/security-hub.ts). A finding Security Hub does not hold yet
 * raises FindingNotInSecurityHub, which the workflow retries later with backoff; an update Security Hub
 * leaves unprocessed raises SecurityHubUpdateRefused with its error code. `InvalidAccessException` from the
 * lookup ("Account … is not subscribed to AWS Security Hub") raises SecurityHubNotEnabled: CSPM is not in use
 * in this account and Region, which is not a failure (./security-hub-copies.ts).
 */
import {
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { awsErrorName, errorMessage } from '../core/errors';
import {
  type FindingSource,
  NOTE_UPDATED_BY,
  noteText,
  statusChange,
  targetStatus,
  userDefinedFields,
  type WorkflowStatus,
} from '../core/security-hub';

export class FindingNotInSecurityHubError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FindingNotInSecurityHub';
  }
}

export class SecurityHubUpdateRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityHubUpdateRefused';
  }
}

/** This Security Hub (CSPM or the OCSF one) is not enabled in the account and Region: nothing to update there. */
export class SecurityHubNotEnabledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecurityHubNotEnabled';
  }
}

export interface SecurityHubUpdateRequest {
  source: FindingSource;
  /** The provider's finding ARN (GuardDuty `arn`, Inspector `findingArn`). */
  findingArn: string;
  /** The account the finding is about (a member account's findings are updated from the administrator). */
  accountId: string;
  partition: string;
  region: string;
  incidentId: string;
  /** The incident's status when it is resolved (RELEASED); absent after a response (NOTIFIED). */
  incidentStatus?: string;
  summary: string;
  evidence?: string;
}

export interface SecurityHubUpdate {
  Id: string;
  ProductArn: string;
  previousStatus: WorkflowStatus;
  /** The status sent; absent when only the note was updated (a repeat, or a human's SUPPRESSED). */
  status?: WorkflowStatus;
  note: string;
}

function isWorkflowStatus(value: unknown): value is WorkflowStatus {
  return value === 'NEW' || value === 'NOTIFIED' || value === 'RESOLVED' || value === 'SUPPRESSED';
}

export async function updateSecurityHubFinding(
  client: SecurityHubClient,
  request: SecurityHubUpdateRequest,
): Promise<SecurityHubUpdate> {
  const found = await client
    .send(
      new GetFindingsCommand({
        Filters: {
          Id: [{ Value: request.findingArn, Comparison: 'EQUALS' }],
          AwsAccountId: [{ Value: request.accountId, Comparison: 'EQUALS' }],
        },
        MaxResults: 1,
      }),
    )
    .catch((err: unknown) => {
      // GetFindings' answer in an account that has not enabled CSPM (docs/aws-behaviours.md SH12).
      if (awsErrorName(err) === 'InvalidAccessException') {
        throw new SecurityHubNotEnabledError(`Security Hub CSPM: ${errorMessage(err)}`);
      }
      throw err;
    });
  const finding = found.Findings?.[0];
  if (!finding?.Id || !finding.ProductArn) {
    throw new FindingNotInSecurityHubError(
      `Security Hub holds no ${request.source} finding ${request.findingArn} in account ${request.accountId} yet`,
    );
  }
  const previous = isWorkflowStatus(finding.Workflow?.Status) ? finding.Workflow.Status : 'NEW';
  const status = statusChange(previous, targetStatus(request.incidentStatus));
  const note = noteText({
    incidentId: request.incidentId,
    summary: request.summary,
    evidence: request.evidence,
    account: request.accountId,
  });
  const identifier = { Id: finding.Id, ProductArn: finding.ProductArn };
  const out = await client.send(
    new BatchUpdateFindingsCommand({
      FindingIdentifiers: [identifier],
      Note: { Text: note, UpdatedBy: NOTE_UPDATED_BY },
      UserDefinedFields: userDefinedFields(request.incidentId, request.evidence),
      ...(status ? { Workflow: { Status: status } } : {}),
    }),
  );
  const refused = out.UnprocessedFindings?.[0];
  if (refused) {
    throw new SecurityHubUpdateRefusedError(
      `BatchUpdateFindings left ${identifier.Id} unprocessed: ${refused.ErrorCode ?? 'unknown'} ${refused.ErrorMessage ?? ''}`.trim(),
    );
  }
  return { ...identifier, previousStatus: previous, ...(status ? { status } : {}), note };
}
