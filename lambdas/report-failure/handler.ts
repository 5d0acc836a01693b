/**
 * ReportFailure: target of the execution-failure rule. Notifies which step of which response failed and
 * why, and marks the incident FAILED so a repeat of the finding is responded to again. The execution
 * itself stays Failed, so `shield-right redrive` resumes it at the failed step.
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { NOT_PUBLISHED_MESSAGE } from '../../definitions/log-messages';
import { findFailedStep } from '../actions/execution-failure';
import { publishNotification } from '../actions/notify';
import { InvalidFindingError } from '../core/errors';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../core/finding';
import { isObject } from '../core/read';
import { renderNotification } from '../core/render';
import { normalizeVulnerabilityFinding, type VulnerabilityFinding } from '../core/vulnerability';
import { dynamodb } from '../shared/clients/dynamodb';
import { sfn } from '../shared/clients/sfn';
import { sns } from '../shared/clients/sns';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('TOPIC_ARN', 'INCIDENT_TABLE');

function findingOf(input: unknown): RuntimeFinding | VulnerabilityFinding | undefined {
  try {
    const event = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
    if (isObject(event) && event.source === 'aws.inspector2') return normalizeVulnerabilityFinding(event);
    return normalizeRuntimeFinding(event);
  } catch {
    return undefined;
  }
}

async function markFailed(
  ddb: DynamoDBClient,
  table: string,
  incidentId: string,
  executionArn: string,
  now: string,
): Promise<void> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: `INCIDENT#${incidentId}` } },
        UpdateExpression: 'SET #status = :failed, failedExecutionArn = :exec, updatedAt = :now',
        // Only the response this execution was running: a failed repeat must not undo a finished containment.
        ConditionExpression: 'attribute_exists(pk) AND (#status = :open OR executionArn = :exec)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': { S: 'FAILED' },
          ':open': { S: 'IN_PROGRESS' },
          ':exec': { S: executionArn },
          ':now': { S: now },
        },
      }),
    );
  } catch (err) {
    // The execution failed before it opened the incident, or the incident is another response's: nothing to mark.
    if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
  }
}

export const handler = async (event: unknown) => {
  const { TOPIC_ARN: topicArn, INCIDENT_TABLE: table } = env();
  const detail = isObject(event) && isObject(event.detail) ? event.detail : undefined;
  const executionArn = detail?.executionArn;
  if (!detail || typeof executionArn !== 'string') {
    throw new InvalidFindingError(
      'detail.executionArn',
      'expected a Step Functions Execution Status Change event',
    );
  }
  // A rejected finding was already alerted by the workflow itself.
  if (detail.error === 'InvalidFindingError')
    return { notified: false, reason: 'rejected finding, already alerted' };
  const failure = await findFailedStep(sfn, executionArn, {
    ...(typeof detail.error === 'string' ? { error: detail.error } : {}),
    ...(typeof detail.cause === 'string' ? { cause: detail.cause } : {}),
  });
  const finding = findingOf(detail.input);
  const region =
    isObject(event) && typeof event.region === 'string'
      ? event.region
      : (process.env.AWS_REGION ?? 'us-east-1');
  const rendered = renderNotification({
    kind: 'step-failed',
    ...(finding ? { finding } : {}),
    failure,
    execution: { arn: executionArn, ...(typeof detail.name === 'string' ? { name: detail.name } : {}) },
    region,
  });
  const published = await publishNotification(sns, topicArn, rendered);
  if (!published.published)
    logger.error(NOT_PUBLISHED_MESSAGE, { error: published.error, kind: 'step-failed' });
  if (finding) await markFailed(dynamodb, table, finding.incidentId, executionArn, new Date().toISOString());
  logger.error('response failed', {
    executionArn,
    state: failure.state,
    error: failure.error,
    published: published.published,
  });
  return { notified: published.published, failure };
};
