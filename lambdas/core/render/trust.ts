/**
 * The "image not trusted" notification of the ImageTrustResponse workflow: which container, which image, what
 * failed, what shield-right did (or would have done in observe mode), and how to sign the image. Image names
 * and reasons come from the task definition and the signature envelope: escaped like every value.
 */
import { asciiText, chatCode, chatText, LIMITS, plainText } from '../escape';
import { LIST_MAX, RELATED_MAX, SUBJECT_MAX } from './limits';
import { messageAttributes } from './metadata';
import { publishMessage } from './notification';
import type { ChatNotification, RenderedNotification } from './types';

export const TRUST_KIND = 'image-not-trusted';

export interface TrustNotificationInput {
  readonly incidentId: string;
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly serviceArn?: string;
  readonly mode: string;
  readonly failed: readonly {
    readonly container: string;
    readonly image: string;
    readonly digest: string;
    readonly outcome: string;
    readonly reason: string;
  }[];
  readonly reasons: readonly string[];
  readonly wouldHaveDone: readonly string[];
  readonly response: { readonly stopped: boolean; readonly tagged: boolean; readonly note?: string };
}

const FIX: Readonly<Record<string, string>> = {
  unsigned:
    'Sign the image with a trusted signing profile: enable ECR managed signing for the repository, or sign it in the pipeline with notation and the AWS Signer plugin, then redeploy.',
  'untrusted-signer':
    'The signature is from a signing profile outside signing.trustedProfiles: re-sign with a trusted profile, or add the profile to signing.trustedProfiles if it is yours.',
  tampered:
    'The signature does not verify for this digest: treat the image as compromised, rebuild it from source, sign and redeploy.',
  revoked: 'The signature was revoked: rebuild the image, sign it again with a trusted profile and redeploy.',
  expired: 'The signature has expired: sign the digest again (a new signing job) and redeploy.',
  error:
    'The signature could not be verified (an AWS error or an unreadable envelope): check with `shield-right verify IMAGE_URI`; an unverified image is never trusted.',
};

export function renderTrustNotification(input: TrustNotificationInput): RenderedNotification {
  const id = input.incidentId;
  const outcomes = [...new Set(input.failed.map((f) => f.outcome))];
  const did = input.response.stopped
    ? `task stopped${input.response.tagged ? ', service tagged' : ''}`
    : input.wouldHaveDone.length > 0
      ? `nothing changed (would have: ${input.wouldHaveDone.join(', ')})`
      : 'nothing changed';
  const shown = input.failed.slice(0, LIST_MAX);
  const steps = outcomes.map((o) => FIX[o] ?? FIX.error ?? '');
  const chatLines = [
    `*Task:* ${chatCode(input.taskArn, LIMITS.path)}`,
    ...shown.map(
      (f) =>
        `*Container* ${chatCode(f.container)} · image ${chatCode(f.image, LIMITS.path)} · ${chatCode(f.digest || '-', LIMITS.short)} · *${chatText(f.outcome, LIMITS.short)}*: ${chatText(f.reason, LIMITS.text)}`,
    ),
    `*Mode:* ${chatText(input.mode, LIMITS.short)} · *Response:* ${chatText(did, LIMITS.text)}`,
    ...input.reasons.map((r) => chatText(r, LIMITS.text)),
    ...(input.response.note ? [chatText(input.response.note, LIMITS.text)] : []),
  ];
  const emailLines = [
    `shield-right: image not trusted in task ${plainText(input.taskArn, LIMITS.path)}`,
    '',
    ...shown.map(
      (f) =>
        `Container ${plainText(f.container)}: image ${plainText(f.image, LIMITS.path)} (${plainText(f.digest || '-', LIMITS.short)}) is ${plainText(f.outcome, LIMITS.short)}: ${plainText(f.reason, LIMITS.text)}`,
    ),
    `Mode: ${plainText(input.mode, LIMITS.short)}. Response: ${plainText(did, LIMITS.text)}.`,
    ...input.reasons.map((r) => plainText(r, LIMITS.text)),
    ...(input.response.note ? [plainText(input.response.note, LIMITS.text)] : []),
    '',
    'NEXT STEPS',
    ...steps.map((s) => `  - ${s}`),
  ];
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: `${asciiText(id, LIMITS.short)}:${TRUST_KIND}`,
    content: {
      textType: 'client-markdown',
      title: `:no_entry: shield-right: image not trusted (${chatText(outcomes.join(', '), LIMITS.short)})`,
      description: chatLines.join('\n'),
      nextSteps: steps.map((s) => chatText(s, LIMITS.text)),
      keywords: ['shield-right', TRUST_KIND, ...outcomes.map((o) => asciiText(o, 32))],
    },
    metadata: {
      threadId: asciiText(id, LIMITS.short),
      summary: `image not trusted: ${chatText(outcomes.join(', '), LIMITS.short)}`,
      eventType: TRUST_KIND,
      relatedResources: [
        chatText(input.taskArn, LIMITS.path),
        ...shown.map((f) => chatText(f.image, LIMITS.path)),
      ].slice(0, RELATED_MAX),
      additionalContext: {
        incidentId: asciiText(id, LIMITS.short),
        mode: asciiText(input.mode, LIMITS.short),
      },
    },
  };
  const email = emailLines.join('\n');
  return {
    subject:
      asciiText(
        `[shield-right] image not trusted (${outcomes.join(', ')}): ${shown[0]?.container ?? 'task'}`,
        SUBJECT_MAX,
      ) || '[shield-right] image not trusted',
    message: publishMessage(chat, email),
    chat,
    email,
    attributes: messageAttributes({
      severity: input.response.stopped ? 7 : 5,
      severityLabel: input.response.stopped ? 'HIGH' : 'MEDIUM',
      findingType: `ImageTrust:${outcomes.join('+')}`,
      action: input.response.stopped ? 'stopped' : 'notified',
      cluster: input.clusterArn.split('/').pop(),
      account: input.taskArn.split(':')[4],
    }),
  };
}
