/** Notify: render the notification for this point of the workflow, publish it, record the incident outcome. */

import { NOT_PUBLISHED_MESSAGE } from '../../definitions/log-messages';
import { type ExposedServices, incidentStatusFor, recordIncidentOutcome } from '../actions/incident-store';
import { publishNotification } from '../actions/notify';
import type { BlastRadius } from '../core/outcome';
import { renderNotification } from '../core/render';
import { notificationInput, parseNotifyRequest } from '../core/workflow-state';
import { dynamodb } from '../shared/clients/dynamodb';
import { sns } from '../shared/clients/sns';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

/** The services among the exposed tasks: what the reconciliation sweep later judges "resolved" against. */
function exposedServices(exposure: BlastRadius): ExposedServices {
  const seen = new Map<string, { clusterArn: string; serviceName: string }>();
  for (const { clusterArn, serviceName } of exposure.tasks) {
    if (serviceName) seen.set(`${clusterArn}|${serviceName}`, { clusterArn, serviceName });
  }
  return { services: [...seen.values()], complete: !exposure.truncated };
}

const env = environment('TOPIC_ARN', 'INCIDENT_TABLE', 'EVIDENCE_BUCKET');

export const handler = async (input: unknown) => {
  const { TOPIC_ARN: topicArn, INCIDENT_TABLE: table, EVIDENCE_BUCKET: bucket } = env();
  const request = parseNotifyRequest(input);
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const accountId = topicArn.split(':')[4];
  const notification = notificationInput(request, { region, bucket, ...(accountId ? { accountId } : {}) });
  const rendered = renderNotification(notification);
  // A held-back finding whose scope was already notified in the window is recorded and counted, not sent.
  const summarised = notification.kind === 'cap-reached' && notification.capNotice?.due === false;
  const published = summarised
    ? { published: false, summarised: true }
    : await publishNotification(sns, topicArn, rendered);
  if (!published.published && !summarised)
    logger.error(NOT_PUBLISHED_MESSAGE, { error: published.error, kind: notification.kind });
  const finding = notification.finding;
  if (finding) {
    const status = incidentStatusFor(notification.kind);
    await recordIncidentOutcome(dynamodb, table, {
      incidentId: finding.incidentId,
      ...(status ? { status } : {}),
      ...(notification.plan
        ? { disposition: notification.plan.disposition, ttl: notification.plan.ttl }
        : {}),
      ...(notification.results ? { outcome: notification.results } : {}),
      ...(request.execution && notification.kind !== 'repeat' ? { executionArn: request.execution.arn } : {}),
      ...(notification.exposure ? { exposedServices: exposedServices(notification.exposure) } : {}),
      notification: published,
      now: new Date().toISOString(),
    });
  }
  logger.info('notified', {
    kind: notification.kind,
    subject: rendered.subject,
    published: published.published,
  });
  return { kind: notification.kind, subject: rendered.subject, ...published };
};
