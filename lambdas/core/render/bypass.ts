/**
 * The "possible quarantine bypass" notification: a push lifted a quarantine an incident still held (an
 * archived image re-pushed is ACTIVE at once; a tag pushed back onto a held digest), and shield-right applied
 * the quarantine again. The push event does not say who pushed, so the message says where to find out
 * (CloudTrail `PutImage`) and how to prevent it (restrict `ecr:PutImage`). The repository and tag are the
 * pusher's words: escaped like every value. Threaded with the incident's other messages.
 */

import { asciiText, chatCode, chatText, LIMITS, plainText } from '../escape';
import type { ImagePush } from '../image-push';
import { CONTEXT_VALUE_MAX, RELATED_MAX, SUBJECT_MAX } from './limits';
import { messageAttributes, severityOfIncident } from './metadata';
import { publishMessage } from './notification';
import type { ChatNotification, RenderedNotification } from './types';

export interface BypassNotificationInput {
  readonly incidentId: string;
  /** The incident item as read from the table (severity, finding type). */
  readonly incident: Readonly<Record<string, unknown>>;
  readonly push: ImagePush;
  /** Why the push lifted the hold (core/image-push.ts). */
  readonly reason: string;
  /** What the quarantine applied again reported: its status and notes. */
  readonly requarantine: { readonly status: string; readonly detail?: string };
}

export type BypassNotification = RenderedNotification;

const NEXT_STEPS = [
  'Find who pushed: CloudTrail event PutImage for this repository at the push time (userIdentity is the principal).',
  'Restrict ecr:PutImage on the repository to the build pipeline (identity or repository policy).',
  'If the push was a legitimate deploy of a held digest, rebuild instead: the digest is still vulnerable.',
  'To lift the quarantine on purpose, use: shield-right release INCIDENT_ID',
];

export function renderBypassNotification(input: BypassNotificationInput): BypassNotification {
  const { incidentId: id, push } = input;
  const item = input.incident;
  const type = typeof item.findingType === 'string' ? item.findingType : 'incident';
  const image = `${push.repository}@${push.digest}`;
  const tag = push.tag ?? '(none)';
  const steps = NEXT_STEPS.map((s) => s.replace('INCIDENT_ID', id));
  const cloudTrail = `https://${push.region}.console.aws.amazon.com/cloudtrail/home?region=${push.region}#/events?EventName=PutImage`;
  const chatLines = [
    `*Incident:* ${chatCode(id, LIMITS.short)} · ${chatText(type)}`,
    `*Pushed:* ${chatCode(push.repository)} · tag ${chatCode(tag)} · ${chatCode(push.digest, LIMITS.short)}`,
    `*At:* ${chatText(push.time, LIMITS.short)} · event ${chatCode(push.eventId, LIMITS.short)}`,
    `*Why a bypass:* ${chatText(input.reason, LIMITS.text)}`,
    `*Quarantined again:* ${chatText(input.requarantine.status, LIMITS.short)}${input.requarantine.detail ? ` · ${chatText(input.requarantine.detail, LIMITS.text)}` : ''}`,
    'The push event does not say who pushed.',
  ];
  const emailLines = [
    `shield-right: possible quarantine bypass for incident ${plainText(id, LIMITS.short)} (${plainText(type)})`,
    '',
    `A push lifted the quarantine of ${plainText(image, LIMITS.path)} (tag ${plainText(tag)}) at ${plainText(push.time, LIMITS.short)}.`,
    `Why: ${plainText(input.reason, LIMITS.text)}`,
    `Quarantined again: ${plainText(input.requarantine.status, LIMITS.short)}${input.requarantine.detail ? ` (${plainText(input.requarantine.detail, LIMITS.text)})` : ''}`,
    'The push event does not say who pushed.',
    '',
    'NEXT STEPS',
    ...steps.map((s) => `  - ${s}`),
    `  CloudTrail: ${cloudTrail}`,
  ];
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: `${id}:bypass:${asciiText(push.eventId, LIMITS.short)}`,
    content: {
      textType: 'client-markdown',
      title: `:warning: shield-right: possible quarantine bypass for incident ${chatText(id, LIMITS.short)}`,
      description: chatLines.join('\n'),
      nextSteps: [...steps.map((s) => chatText(s, LIMITS.text)), `CloudTrail: ${cloudTrail}`],
      keywords: ['shield-right', 'possible-quarantine-bypass'],
    },
    metadata: {
      threadId: id,
      summary: `possible quarantine bypass for incident ${chatText(id, LIMITS.short)}`,
      eventType: 'possible-quarantine-bypass',
      relatedResources: [chatText(image, LIMITS.path)].slice(0, RELATED_MAX),
      additionalContext: {
        incidentId: asciiText(id, LIMITS.short),
        repository: chatText(push.repository, CONTEXT_VALUE_MAX),
        imageDigest: asciiText(push.digest, LIMITS.short),
      },
    },
  };
  const email = emailLines.join('\n');
  const severity = severityOfIncident(item);
  return {
    subject:
      asciiText(`[shield-right] possible quarantine bypass: ${push.repository} (${id})`, SUBJECT_MAX) ||
      '[shield-right] possible quarantine bypass',
    message: publishMessage(chat, email),
    chat,
    email,
    attributes: messageAttributes(
      {
        severity,
        severityLabel: item.severityLabel,
        findingType: type,
        action: 'possible-quarantine-bypass',
        cluster: undefined,
        account: push.registryId,
      },
      severity >= 7 ? 'HIGH' : 'UNKNOWN',
    ),
  };
}
