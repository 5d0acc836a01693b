/**
 * Delivery of a rendered notification. A failed publish is logged and recorded (see incident-store.ts),
 * never thrown: the containment it reports has already happened and must not be undone by a failed message.
 * Delivery is at least once: the handler publishes, then records the outcome; if that write still fails after
 * the SDK's retries, the step's retry publishes again (SNS standard topics do not deduplicate). Making it
 * exactly once needs a conditional "notified" marker per incident and kind in incident-store.ts, not done.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { awsErrorName, errorMessage } from '../core/errors';
import type { RenderedNotification } from '../core/render';

export interface PublishOutcome {
  readonly published: boolean;
  readonly messageId?: string;
  readonly error?: string;
  /** Not published on purpose: a "limit reached" notice of the scope already went out in the window. */
  readonly summarised?: boolean;
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
