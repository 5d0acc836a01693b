/** NotifyBypass: a push lifted a held quarantine and it was applied again: notify, record on the incident. */
import { NOT_PUBLISHED_MESSAGE } from '../../definitions/log-messages';
import { loadIncident, recordQuarantineBypass } from '../actions/incident-store';
import { publishNotification } from '../actions/notify';
import { renderBypassNotification } from '../core/render';
import { stepInput } from '../core/schemas';
import { NotifyBypassInputSchema } from '../core/schemas/image-push';
import { dynamodb } from '../shared/clients/dynamodb';
import { sns } from '../shared/clients/sns';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('TOPIC_ARN', 'INCIDENT_TABLE');

export const handler = async (input: unknown) => {
  const { check, requarantine } = stepInput('NotifyBypass', NotifyBypassInputSchema, input);
  const { TOPIC_ARN: topicArn, INCIDENT_TABLE: table } = env();
  const incident = await loadIncident(dynamodb, table, check.incidentId);
  const notes = requarantine.images.flatMap((i) => [
    ...(i.archived ? ['archived'] : []),
    ...i.movedTags.map((m) => `tag ${m.from} → ${m.to}`),
    ...(i.reason ? [i.reason] : []),
  ]);
  const rendered = renderBypassNotification({
    incidentId: check.incidentId,
    incident: incident?.item ?? {},
    push: check.push,
    reason: check.reason,
    requarantine: { status: requarantine.status, ...(notes.length > 0 ? { detail: notes.join('; ') } : {}) },
  });
  const published = await publishNotification(sns, topicArn, rendered);
  if (!published.published) logger.error(NOT_PUBLISHED_MESSAGE, { error: published.error, kind: 'bypass' });
  await recordQuarantineBypass(dynamodb, table, {
    incidentId: check.incidentId,
    at: new Date().toISOString(),
    detail: { push: check.push, reason: check.reason, requarantine: requarantine.status },
  });
  logger.info('quarantine bypass notified', { incidentId: check.incidentId, published: published.published });
  return { subject: rendered.subject, ...published };
};
