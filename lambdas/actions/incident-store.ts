/**
 * The incident table as the Lambdas read and write it (the workflows' own reads and writes are in the
 * ASL files; the release's in release.ts). Items are keyed by core/incident.ts.
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type IncidentStatus, incidentKey } from '../core/incident';
import type { NotificationKind } from '../core/render';
import type { PublishOutcome } from './notify';

/** The incident status a notification kind leaves behind; undefined leaves the status as it is. */
export function incidentStatusFor(kind: NotificationKind): IncidentStatus | undefined {
  switch (kind) {
    case 'contained':
      return 'CONTAINED';
    case 'isolated':
      return 'ISOLATED';
    case 'image-quarantined':
      return 'QUARANTINED';
    case 'cap-reached':
      return 'CAP_REACHED';
    case 'vulnerability-resolved':
      return 'RESOLVED';
    case 'step-failed':
      return 'FAILED';
    case 'repeat':
    case 'invalid-input':
      return undefined;
    default:
      return 'NOTIFIED';
  }
}

/** The status a notification leaves, where a resolved image whose quarantine the workflow released stays RELEASED. */
export function outcomeStatusFor(kind: NotificationKind, released: boolean): IncidentStatus | undefined {
  return kind === 'vulnerability-resolved' && released ? 'RELEASED' : incidentStatusFor(kind);
}

export interface IncidentOutcome {
  readonly incidentId: string;
  readonly status?: IncidentStatus;
  readonly disposition?: string;
  readonly outcome?: unknown;
  readonly executionArn?: string;
  readonly ttl?: number;
  readonly notification: PublishOutcome;
  readonly now: string;
}

/** Records how the response ended on the incident item (created by the workflow's RecordIncident step). */
export async function recordIncidentOutcome(
  ddb: DynamoDBClient,
  table: string,
  outcome: IncidentOutcome,
): Promise<void> {
  const sets = ['updatedAt = :now', 'lastNotification = :notification'];
  const names: Record<string, string> = {};
  const values: Record<string, { S: string } | { N: string }> = {
    ':now': { S: outcome.now },
    ':notification': { S: JSON.stringify(outcome.notification) },
  };
  if (outcome.status) {
    sets.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = { S: outcome.status };
  }
  if (outcome.disposition) {
    sets.push('disposition = :disposition');
    values[':disposition'] = { S: outcome.disposition };
  }
  if (outcome.outcome !== undefined) {
    sets.push('outcome = :outcome');
    values[':outcome'] = { S: JSON.stringify(outcome.outcome) };
  }
  if (outcome.executionArn) {
    sets.push('executionArn = :exec');
    values[':exec'] = { S: outcome.executionArn };
  }
  if (outcome.ttl) {
    sets.push('#ttl = :ttl');
    names['#ttl'] = 'ttl';
    values[':ttl'] = { N: String(outcome.ttl) };
  }
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: incidentKey(outcome.incidentId) } },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }),
  );
}

const FAILED: IncidentStatus = 'FAILED';
const OPEN: IncidentStatus = 'IN_PROGRESS';

/**
 * Marks the incident FAILED after its execution failed, so a repeat of the finding is responded to again.
 * Only the response this execution was running: a failed repeat must not undo a finished containment.
 */
export async function markIncidentFailed(
  ddb: DynamoDBClient,
  table: string,
  failure: { readonly incidentId: string; readonly executionArn: string; readonly now: string },
): Promise<void> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: incidentKey(failure.incidentId) } },
        UpdateExpression: 'SET #status = :failed, failedExecutionArn = :exec, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND (#status = :open OR executionArn = :exec)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': { S: FAILED },
          ':open': { S: OPEN },
          ':exec': { S: failure.executionArn },
          ':now': { S: failure.now },
        },
      }),
    );
  } catch (err) {
    // The execution failed before it opened the incident, or the incident is another response's: nothing to mark.
    if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
  }
}
