/**
 * The workflows' Security Hub step: updates the Security Hub copy of the finding (security-hub.ts) and
 * records what happened on the incident (`securityHub`, shown by `shield-right incident`). Never fails the
 * response: a refusal (AccessDenied, an unprocessed finding…) is recorded and returned. Only
 * FindingNotInSecurityHub propagates, for the workflow to retry later; when its retries run out the
 * workflow records it (RecordSecurityHubFailure).
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { incidentKey } from '../core/incident';
import { type FindingSource, summaryFor } from '../core/security-hub';
import {
  FindingNotInSecurityHubError,
  type SecurityHubUpdate,
  updateSecurityHubFinding,
} from './security-hub';

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
  | { readonly status: 'updated'; readonly update: SecurityHubUpdate }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly error: string; readonly message: string };

export interface SecurityHubDeps {
  readonly securityhub: SecurityHubClient;
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly now: () => string;
}

/** One line for the incident item: what Security Hub holds now, or why it was not updated. */
export function describeResult(result: SecurityHubResult, at: string): string {
  const line =
    result.status === 'updated'
      ? `${result.update.status ?? result.update.previousStatus}${result.update.status ? '' : ' (status kept, note updated)'} · ${result.update.Id}`
      : result.status === 'skipped'
        ? `not updated: ${result.reason}`
        : `failed: ${result.error}: ${result.message}`;
  return `${line.slice(0, 900)} · ${at}`;
}

/**
 * The Security Hub copy an update reached, kept on the incident (`securityHubFinding`) so that a release
 * resolves that same finding without looking it up by a guessed identifier.
 */
export interface SecurityHubFindingRef {
  readonly source: FindingSource;
  readonly Id: string;
  readonly ProductArn: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}

/** Records the result line (`securityHub`), and the finding reached when there is one (`securityHubFinding`). */
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

export async function updateSecurityHubStep(
  deps: SecurityHubDeps,
  step: SecurityHubStep,
): Promise<SecurityHubResult> {
  let result: SecurityHubResult;
  if (!step.findingArn) {
    result = { status: 'skipped', reason: 'the finding names no ARN to look up in Security Hub' };
  } else {
    try {
      const update = await updateSecurityHubFinding(deps.securityhub, {
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
      result = { status: 'updated', update };
    } catch (err) {
      if (err instanceof FindingNotInSecurityHubError) throw err;
      const error = err instanceof Error ? err.name : 'Error';
      const message = err instanceof Error ? err.message : String(err);
      result = { status: 'failed', error, message: message.slice(0, 500) };
    }
  }
  const reached: SecurityHubFindingRef | undefined =
    result.status === 'updated'
      ? {
          source: step.source,
          Id: result.update.Id,
          ProductArn: result.update.ProductArn,
          accountId: step.accountId,
          partition: step.partition,
          region: step.region,
        }
      : undefined;
  await recordSecurityHub(deps, step.incidentId, describeResult(result, deps.now()), reached);
  return result;
}
