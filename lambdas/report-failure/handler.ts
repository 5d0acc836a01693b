/**
 * ReportFailure: target of the execution-failure rule. Notifies which step of which response failed and
 * why, and marks the incident FAILED so a repeat of the finding is responded to again. The execution
 * itself stays Failed, so `shield-right redrive` resumes it at the failed step.
 */
import { NOT_PUBLISHED_MESSAGE } from '../../definitions/log-messages';
import { markIncidentFailed } from '../actions/incident-store';
import { publishNotification } from '../actions/notify';
import { findFailedStep, findingOf, REJECTED_FINDING_ERROR } from '../actions/report-failure';
import { renderNotification } from '../core/render';
import { ExecutionStatusChangeSchema, stepInput } from '../core/schemas';
import { dynamodb } from '../shared/clients/dynamodb';
import { sfn } from '../shared/clients/sfn';
import { sns } from '../shared/clients/sns';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('TOPIC_ARN', 'INCIDENT_TABLE');
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const handler = async (input: unknown) => {
  const { TOPIC_ARN: topicArn, INCIDENT_TABLE: table } = env();
  const event = stepInput('ReportFailure', ExecutionStatusChangeSchema, input);
  const { executionArn } = event.detail;
  const [error, cause, name] = [text(event.detail.error), text(event.detail.cause), text(event.detail.name)];
  // A rejected finding was already alerted by the workflow itself (its FindingRejected state).
  if (error === REJECTED_FINDING_ERROR)
    return { notified: false, reason: 'rejected finding, already alerted' };
  const reported = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
  const failure = await findFailedStep(sfn, executionArn, reported);
  const finding = findingOf(event.detail.input);
  const rendered = renderNotification({
    kind: 'step-failed',
    ...(finding ? { finding } : {}),
    failure,
    execution: { arn: executionArn, ...(name !== undefined ? { name } : {}) },
    region: text(event.region) ?? process.env.AWS_REGION ?? 'us-east-1',
  });
  const published = await publishNotification(sns, topicArn, rendered);
  if (!published.published)
    logger.error(NOT_PUBLISHED_MESSAGE, { error: published.error, kind: 'step-failed' });
  if (finding) {
    const now = new Date().toISOString();
    await markIncidentFailed(dynamodb, table, { incidentId: finding.incidentId, executionArn, now });
  }
  const { state, error: failedWith } = failure;
  logger.error('response failed', { executionArn, state, error: failedWith, published: published.published });
  return { notified: published.published, failure };
};
