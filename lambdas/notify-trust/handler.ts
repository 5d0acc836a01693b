/**
 * NotifyTrust (ImageTrustResponse): render the "image not trusted" (or "image allowed unsigned") notification
 * and publish it; a start the budget held back is published only when it took its cluster's "limit reached"
 * notice for the window. The outcome of a stop (stopped, service tagged, quarantine) is recorded on its
 * incident, which RecordIncident opened: `shield-right release` and the holds of a digest read it.
 */
import { NOT_PUBLISHED_MESSAGE } from '../../definitions/log-messages';
import { recordIncidentOutcome } from '../actions/incident-store';
import { publishNotification } from '../actions/notify';
import { heldDigests } from '../core/image-holds';
import { renderTrustNotification } from '../core/render';
import { stepInput } from '../core/schemas';
import { NotifyTrustInputSchema } from '../core/schemas/image-trust';
import { capNoticeOf } from '../core/workflow-state';
import { dynamodb } from '../shared/clients/dynamodb';
import { sns } from '../shared/clients/sns';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('TOPIC_ARN', 'INCIDENT_TABLE');

export const handler = async (input: unknown) => {
  const { plan, mode, response, quarantine, capNotice } = stepInput(
    'NotifyTrust',
    NotifyTrustInputSchema,
    input,
  );
  const notice = response.held ? capNoticeOf({ capNotice }) : undefined;
  const rendered = renderTrustNotification({
    incidentId: plan.incidentId,
    taskArn: plan.taskArn,
    clusterArn: plan.clusterArn,
    ...(plan.serviceArn ? { serviceArn: plan.serviceArn } : {}),
    mode,
    failed: plan.failed,
    ...(plan.allowed ? { allowed: plan.allowed } : {}),
    reasons: plan.reasons,
    wouldHaveDone: plan.wouldHaveDone,
    response: {
      stopped: response.stopped,
      tagged: response.tagged,
      ...(response.held ? { held: true } : {}),
      ...(response.note ? { note: response.note } : {}),
    },
    ...(quarantine ? { quarantine } : {}),
    ...(plan.notQuarantinable && response.stopped ? { notQuarantinable: plan.notQuarantinable } : {}),
    ...(notice ? { capNotice: notice } : {}),
  });
  // A held-back start whose cluster was already notified in the window is counted (CountCapRefusal), not sent.
  const summarised = response.held === true && notice?.due === false;
  const published = summarised
    ? { published: false, summarised: true }
    : await publishNotification(sns, env().TOPIC_ARN, rendered);
  if (!published.published && !summarised)
    logger.error(NOT_PUBLISHED_MESSAGE, { error: published.error, kind: rendered.chat.metadata.eventType });
  if (response.stopped) {
    const outcome = {
      stop: { status: 'done' },
      tagService: { status: response.tagged ? 'done' : 'skipped' },
      ...(quarantine ? { quarantine } : {}),
    };
    await recordIncidentOutcome(dynamodb, env().INCIDENT_TABLE, {
      incidentId: plan.incidentId,
      // A digest the quarantine holds makes the incident QUARANTINED (released with `shield-right release`).
      status: heldDigests(outcome).length > 0 ? 'QUARANTINED' : 'CONTAINED',
      outcome,
      ...(plan.ttl ? { ttl: plan.ttl } : {}),
      notification: published,
      now: new Date().toISOString(),
    });
  }
  return { subject: rendered.subject, ...published };
};
