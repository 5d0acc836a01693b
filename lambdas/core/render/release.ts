/**
 * The release notification (`shield-right release`): a containment undone, threaded with the incident's
 * other messages, values escaped like every notification, with the same message attributes so subscription
 * filters (minimum severity) let it through.
 */
import { asciiText, chatCode, chatText, LIMITS, plainText } from '../escape';
import { RELATED_MAX, SUBJECT_MAX } from './limits';
import { messageAttributes, severityOfIncident } from './metadata';
import { publishMessage } from './notification';
import type { ChatNotification, ReleaseReportStep, RenderedNotification } from './types';

export interface ReleaseNotificationInput {
  /** The incident as read from the table before the release: its id, status and stored item. */
  readonly incident: {
    readonly incidentId: string;
    readonly status: string;
    readonly item: Readonly<Record<string, unknown>>;
  };
  readonly steps: readonly ReleaseReportStep[];
  /** Who released it; `shield-right` when absent. */
  readonly actor?: string;
}

/** Subject, message and attributes for SNS Publish (publishNotification). */
export type ReleaseNotification = Pick<RenderedNotification, 'subject' | 'message' | 'attributes'>;

export function renderReleaseNotification(input: ReleaseNotificationInput): ReleaseNotification {
  const { incident, steps } = input;
  const item = incident.item;
  const id = incident.incidentId;
  const type = typeof item.findingType === 'string' ? item.findingType : 'incident';
  const cluster = typeof item.clusterArn === 'string' ? (item.clusterArn.split('/').pop() ?? '') : '';
  const where = cluster
    ? ` in ${cluster}`
    : typeof item.repository === 'string'
      ? ` in ${item.repository}`
      : '';
  const who = input.actor ?? 'shield-right';
  const undone = steps.filter((s) => s.action !== 'mark-released' && s.action !== 'notify');
  const chatLines = [
    `*Incident:* ${chatCode(id, LIMITS.short)} · ${chatText(type)}${chatText(where)}`,
    `*Was:* ${chatText(incident.status, LIMITS.short)} · *released by* ${chatText(who)}`,
    '*Undone*',
    ...undone.map(
      (s) =>
        `${chatText(s.action, LIMITS.short)} ${chatCode(s.target, LIMITS.path)}: ${chatText(s.status, LIMITS.short)}${s.detail ? ` · ${chatText(s.detail, LIMITS.text)}` : ''}`,
    ),
    'Stopped tasks are not restarted: their services start replacements.',
  ];
  const emailLines = [
    `shield-right: containment released for incident ${plainText(id, LIMITS.short)} (${plainText(type)}${plainText(where)})`,
    `Was: ${plainText(incident.status, LIMITS.short)}; released by ${plainText(who)}`,
    '',
    'UNDONE',
    ...undone.map(
      (s) =>
        `  - ${s.action} ${plainText(s.target, LIMITS.path)}: ${s.status}${s.detail ? ` (${plainText(s.detail, LIMITS.text)})` : ''}`,
    ),
    '',
    'Stopped tasks are not restarted: their services start replacements.',
    'A repeat of this finding is notified, not contained again automatically.',
  ];
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: `${id}:released`,
    content: {
      textType: 'client-markdown',
      title: `:unlock: shield-right: containment released for incident ${chatText(id, LIMITS.short)}`,
      description: chatLines.join('\n'),
      nextSteps: [
        'Keep watching the service: a repeat of this finding is notified, not contained again automatically.',
      ],
      keywords: ['shield-right', 'released'],
    },
    metadata: {
      threadId: id,
      summary: `containment released for incident ${chatText(id, LIMITS.short)}`,
      eventType: 'released',
      relatedResources: undone.map((s) => s.target).slice(0, RELATED_MAX),
      additionalContext: { incidentId: id, previousStatus: asciiText(incident.status, LIMITS.short) },
    },
  };
  const severity = severityOfIncident(item);
  return {
    subject:
      asciiText(`[shield-right] released: ${type}${where} (${id})`, SUBJECT_MAX) || '[shield-right] released',
    message: publishMessage(chat, emailLines.join('\n')),
    attributes: messageAttributes(
      {
        severity,
        severityLabel: item.severityLabel,
        findingType: type,
        action: 'released',
        cluster,
        account: /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(
          String(item.clusterArn ?? item.executionArn ?? ''),
        )?.[1],
      },
      severity >= 7 ? 'HIGH' : 'UNKNOWN',
    ),
  };
}
