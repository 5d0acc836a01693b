/** NotifyTrust (ImageTrustResponse): render the "image not trusted" notification and publish it. */
import { NOT_PUBLISHED_MESSAGE } from '../../definitions/log-messages';
import { publishNotification } from '../actions/notify';
import { renderTrustNotification } from '../core/render';
import { stepInput } from '../core/schemas';
import { NotifyTrustInputSchema } from '../core/schemas/image-trust';
import { sns } from '../shared/clients/sns';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('TOPIC_ARN');

export const handler = async (input: unknown) => {
  const { plan, mode, response } = stepInput('NotifyTrust', NotifyTrustInputSchema, input);
  const rendered = renderTrustNotification({
    incidentId: plan.incidentId,
    taskArn: plan.taskArn,
    clusterArn: plan.clusterArn,
    ...(plan.serviceArn ? { serviceArn: plan.serviceArn } : {}),
    mode,
    failed: plan.failed,
    reasons: plan.reasons,
    wouldHaveDone: plan.wouldHaveDone,
    response: {
      stopped: response.stopped,
      tagged: response.tagged,
      ...(response.note ? { note: response.note } : {}),
    },
  });
  const published = await publishNotification(sns, env().TOPIC_ARN, rendered);
  if (!published.published)
    logger.error(NOT_PUBLISHED_MESSAGE, { error: published.error, kind: 'image-not-trusted' });
  return { subject: rendered.subject, ...published };
};
