/**
 * The "image incident resolved" notification of the reconciliation sweep: the services that ran a
 * quarantined digest now run a scanned digest without the incident's vulnerabilities. It says so, says
 * that nothing was undone, and gives the exact release command: only a person lifts a quarantine.
 * Every value comes from the incident, ECS or Inspector and is escaped like every other notification.
 */
import { asciiText, chatCode, chatText, LIMITS, plainText } from '../escape';
import { LIST_MAX, RELATED_MAX, SUBJECT_MAX } from './limits';
import { inspectorImageUrl } from './links';
import { messageAttributes, severityOfLabel } from './metadata';
import { publishMessage } from './notification';
import type { ChatNotification, RenderedNotification } from './types';

export const RESOLVED_KIND = 'image-incident-resolved';

export interface ResolvedNotificationInput {
  readonly incident: {
    readonly incidentId: string;
    readonly status: string;
    readonly item: Readonly<Record<string, unknown>>;
  };
  readonly observedAt: string;
  /** One line per service or condition observed. */
  readonly reasons: readonly string[];
  readonly newDigests: readonly string[];
  readonly vulnerabilityIds: readonly string[];
  readonly region?: string;
}

export type ResolvedNotification = Pick<RenderedNotification, 'subject' | 'message' | 'attributes'>;

/** The release command, exactly as the operator types it. */
export function releaseCommand(incidentId: string): string {
  return `shield-right release ${incidentId}`;
}

export function renderResolvedNotification(input: ResolvedNotificationInput): ResolvedNotification {
  const { incident } = input;
  const item = incident.item;
  const id = incident.incidentId;
  const repository = typeof item.repository === 'string' ? item.repository : 'unknown repository';
  const digest = typeof item.imageDigest === 'string' ? item.imageDigest : 'unknown digest';
  const command = releaseCommand(plainText(id, LIMITS.short));
  const reasons = input.reasons.slice(0, LIST_MAX);
  const cves = input.vulnerabilityIds.slice(0, LIST_MAX);
  const release =
    'Nothing was undone: the digest stays archived and retagged until a person releases it. Release once you agree:';
  const region = input.region;
  const chatLines = [
    `*Incident:* ${chatCode(id, LIMITS.short)} · ${chatText(repository)} ${chatCode(digest, LIMITS.short)}`,
    `*Vulnerabilities:* ${cves.map((c) => chatCode(c, LIMITS.short)).join(', ') || 'none recorded'}`,
    '*Observed*',
    ...reasons.map((r) => `• ${chatText(r, LIMITS.text)}`),
    release,
    chatCode(command, LIMITS.path),
  ];
  const emailLines = [
    `shield-right: image incident ${plainText(id, LIMITS.short)} looks resolved (${plainText(repository)} ${plainText(digest, LIMITS.short)})`,
    `Observed at ${plainText(input.observedAt, LIMITS.short)}; status stays ${plainText(incident.status, LIMITS.short)}`,
    `Vulnerabilities: ${cves.map((c) => plainText(c, LIMITS.short)).join(', ') || 'none recorded'}`,
    '',
    'OBSERVED',
    ...reasons.map((r) => `  - ${plainText(r, LIMITS.text)}`),
    '',
    release,
    `  ${command}`,
  ];
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: `${id}:${RESOLVED_KIND}`,
    content: {
      textType: 'client-markdown',
      title: `:white_check_mark: shield-right: image incident ${chatText(id, LIMITS.short)} looks resolved: release by hand`,
      description: chatLines.join('\n'),
      nextSteps: [
        `Check the services listed, then run ${chatCode(command, LIMITS.path)}`,
        ...(region && typeof item.imageDigest === 'string'
          ? [`Inspector findings of the quarantined digest: ${inspectorImageUrl(region, repository, digest)}`]
          : []),
      ],
      keywords: ['shield-right', RESOLVED_KIND],
    },
    metadata: {
      threadId: id,
      summary: `image incident ${chatText(id, LIMITS.short)} looks resolved`,
      eventType: RESOLVED_KIND,
      relatedResources: [digest, ...input.newDigests].slice(0, RELATED_MAX),
      additionalContext: { incidentId: id, status: asciiText(incident.status, LIMITS.short) },
    },
  };
  const label = typeof item.severityLabel === 'string' ? item.severityLabel : '';
  const severity = severityOfLabel(label);
  return {
    subject:
      asciiText(
        `[shield-right] image incident resolved, release by hand: ${repository} (${id})`,
        SUBJECT_MAX,
      ) || '[shield-right] image incident resolved',
    message: publishMessage(chat, emailLines.join('\n')),
    attributes: messageAttributes(
      {
        severity,
        severityLabel: label,
        findingType: 'Inspector:PackageVulnerability',
        action: RESOLVED_KIND,
        cluster: undefined,
        account: /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(String(item.executionArn ?? ''))?.[1],
      },
      severity >= 7 ? 'HIGH' : 'UNKNOWN',
    ),
  };
}
