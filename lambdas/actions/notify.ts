/**
 * Delivery of a rendered notification and the incident's final record. A failed publish is logged and
 * recorded, never thrown: the containment it reports has already happened and must not be undone by a
 * failed message.
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { awsErrorName, errorMessage } from '../core/errors';
import type { NotificationKind, RenderedNotification } from '../core/render';

export interface PublishOutcome {
  readonly published: boolean;
  readonly messageId?: string;
  readonly error?: string;
}

export async function publishNotification(
  sns: SNSClient,
  topicArn: string,
  rendered: Pick<RenderedNotification, 'subject' | 'message' | 'attributes'>,
): Promise<PublishOutcome> {
  try {
    const out = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: rendered.subject,
        Message: rendered.message,
        MessageStructure: 'json',
        MessageAttributes: rendered.attributes,
      }),
    );
    return { published: true, ...(out.MessageId ? { messageId: out.MessageId } : {}) };
  } catch (err) {
    return { published: false, error: `${awsErrorName(err)}: ${errorMessage(err)}` };
  }
}

/** The incident status a notification kind leaves behind; undefined leaves the status as it is. */
export function incidentStatusFor(kind: NotificationKind): string | undefined {
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

export interface IncidentOutcome {
  readonly incidentId: string;
  readonly status?: string;
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
      Key: { pk: { S: `INCIDENT#${outcome.incidentId}` } },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }),
  );
}
