/**
 * The workflows' Security Hub step: updates each Security Hub copy of the finding the account holds (CSPM's
 * and the OCSF one's, ./security-hub-copies.ts) and records what happened on the incident (`securityHub`,
 * shown by `shield-right incident`). Never fails the response: a refusal (AccessDenied, an unprocessed
 * finding…) is recorded and returned, and neither Security Hub enabled is recorded as not updated. Only
 * FindingNotInSecurityHub propagates, when an enabled Security Hub does not hold the finding yet and no copy
 * was updated, for the workflow to retry later; when its retries run out the workflow records it
 * (RecordSecurityHubFailure).
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { incidentKey } from '../core/incident';
import { type FindingSource, summaryFor } from '../core/security-hub';
import {
  type Copies,
  decide,
  describeCopies,
  describeSkipped,
  failuresOf,
  missingFrom,
} from '../core/security-hub-copies';
import type { OcsfFindingRef } from '../core/security-hub-v2';
import { FindingNotInSecurityHubError } from './security-hub';
import { type ReachedCopies, updateCopies } from './security-hub-copies';

export interface SecurityHubStep {
  readonly source: FindingSource;
  /** Absent when the finding named no ARN: there is nothing to look up. */
  readonly findingArn?: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  readonly incidentId: string;
  /** The notification kind the response ended with (or `released`). */
  readonly kind: string;
  /** The incident's status when it is resolved (RELEASED); absent after a response. */
  readonly incidentStatus?: string;
  /** `s3://bucket/key` of the evidence, when the response wrote any. */
  readonly evidence?: string;
}

export type SecurityHubResult =
  | { readonly status: 'updated'; readonly copies: Copies }
  | { readonly status: 'skipped'; readonly reason: string; readonly copies?: Copies }
  | { readonly status: 'failed'; readonly copies: Copies };

export interface SecurityHubDeps {
  readonly securityhub: SecurityHubClient;
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly now: () => string;
}

/**
 * The Security Hub copies an update reached, kept on the incident (`securityHubFinding`) so that a release
 * resolves those same findings without looking them up by a guessed identifier. `Id`/`ProductArn`: the CSPM
 * copy (the only one incidents recorded before Security Hub V2 support name); `v2`: the OCSF copy.
 */
export interface SecurityHubFindingRef {
  readonly source: FindingSource;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  readonly Id?: string;
  readonly ProductArn?: string;
  readonly v2?: OcsfFindingRef;
}

/** Records the result line (`securityHub`), and the copies reached when there are any (`securityHubFinding`). */
export async function recordSecurityHub(
  deps: Pick<SecurityHubDeps, 'dynamodb' | 'table'>,
  incidentId: string,
  line: string,
  reached?: SecurityHubFindingRef,
): Promise<void> {
  await deps.dynamodb.send(
    new UpdateItemCommand({
      TableName: deps.table,
      Key: { pk: { S: incidentKey(incidentId) } },
      UpdateExpression: reached
        ? 'SET securityHub = :sh, securityHubFinding = :ref'
        : 'SET securityHub = :sh',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':sh': { S: line },
        ...(reached ? { ':ref': { S: JSON.stringify(reached) } } : {}),
      },
    }),
  );
}

function refOf(step: SecurityHubStep, reached: ReachedCopies): SecurityHubFindingRef | undefined {
  if (!reached.cspm && !reached.v2) return undefined;
  return {
    source: step.source,
    accountId: step.accountId,
    partition: step.partition,
    region: step.region,
    ...(reached.cspm ? { Id: reached.cspm.Id, ProductArn: reached.cspm.ProductArn } : {}),
    ...(reached.v2 ? { v2: reached.v2 } : {}),
  };
}

export async function updateSecurityHubStep(
  deps: SecurityHubDeps,
  step: SecurityHubStep,
): Promise<SecurityHubResult> {
  if (!step.findingArn) {
    const reason = 'the finding names no ARN to look up in Security Hub';
    await recordSecurityHub(deps, step.incidentId, describeSkipped(reason, deps.now()));
    return { status: 'skipped', reason };
  }
  const { copies, reached } = await updateCopies(deps.securityhub, {
    source: step.source,
    findingArn: step.findingArn,
    accountId: step.accountId,
    partition: step.partition,
    region: step.region,
    incidentId: step.incidentId,
    ...(step.incidentStatus ? { incidentStatus: step.incidentStatus } : {}),
    summary: summaryFor(step.kind),
    ...(step.evidence ? { evidence: step.evidence } : {}),
  });
  const decision = decide(copies);
  if (decision === 'retry') {
    const failures = failuresOf(copies);
    throw new FindingNotInSecurityHubError(
      `${missingFrom(copies)} holds no ${step.source} finding ${step.findingArn} in account ${step.accountId} yet${failures ? `; ${failures}` : ''}`,
    );
  }
  await recordSecurityHub(deps, step.incidentId, describeCopies(copies, deps.now()), refOf(step, reached));
  if (decision === 'updated') return { status: 'updated', copies };
  if (decision === 'failed') return { status: 'failed', copies };
  return {
    status: 'skipped',
    reason: 'neither Security Hub CSPM nor Security Hub is enabled in this account and Region',
    copies,
  };
}
