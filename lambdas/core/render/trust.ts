/**
 * The "image not trusted" notification of the ImageTrustResponse workflow: which container, which image, what
 * failed, what shield-right did (or would have done in observe mode), and how to sign the image. Image names
 * and reasons come from the task definition and the signature envelope: escaped like every value.
 */
import { asciiText, chatCode, chatText, LIMITS, plainText } from '../escape';
import { LIST_MAX, RELATED_MAX, SUBJECT_MAX } from './limits';
import { messageAttributes } from './metadata';
import { publishMessage } from './notification';
import { limitLines, quarantineLines, type TrustQuarantineReport } from './trust-actions';
import type { CapNotice, ChatNotification, RenderedNotification } from './types';

export const TRUST_KIND = 'image-not-trusted';
/** An image `signing.allowUnsignedRepositories` lets run although it is not trusted: notified, never acted on. */
export const ALLOWED_UNSIGNED_KIND = 'image-allowed-unsigned';

interface ImageLine {
  readonly container: string;
  readonly image: string;
  readonly digest: string;
  readonly outcome: string;
  readonly reason: string;
}

export interface TrustNotificationInput {
  readonly incidentId: string;
  readonly taskArn: string;
  readonly clusterArn: string;
  readonly serviceArn?: string;
  readonly mode: string;
  readonly failed: readonly ImageLine[];
  /** Images allowed to run unsigned by `signing.allowUnsignedRepositories` (notified once per digest and window). */
  readonly allowed?: readonly ImageLine[];
  readonly reasons: readonly string[];
  readonly wouldHaveDone: readonly string[];
  readonly response: {
    readonly stopped: boolean;
    readonly tagged: boolean;
    /** Held back by the High band's blast-radius budget. */
    readonly held?: boolean;
    readonly note?: string;
  };
  /** What QuarantineImage did after the stop (or why each digest was spared). */
  readonly quarantine?: TrustQuarantineReport;
  readonly notQuarantinable?: readonly string[];
  /** A held-back start: how many the cluster's budget held back since the previous notice. */
  readonly capNotice?: CapNotice;
}

const FIX: Readonly<Record<string, string>> = {
  unsigned:
    'Sign the image with a trusted signing profile: enable ECR managed signing for the repository, or sign it in the pipeline with notation and the AWS Signer plugin, then redeploy.',
  'untrusted-signer':
    'The signature is from a signing profile outside signing.trustedProfiles: re-sign with a trusted profile, or add the profile to signing.trustedProfiles if it is yours.',
  allowed:
    'The repository is in signing.allowUnsignedRepositories, so the image ran: sign it (ECR managed signing or notation with the AWS Signer plugin) and remove the repository from the list.',
  limit:
    'The blast-radius budget held these tasks back: look at the untrusted images (`shield-right incidents --status CONTAINED`), fix the deployment that starts them, or stop the tasks by hand.',
  tampered:
    'The signature does not verify for this digest: treat the image as compromised, rebuild it from source, sign and redeploy.',
  revoked: 'The signature was revoked: rebuild the image, sign it again with a trusted profile and redeploy.',
  expired: 'The signature has expired: sign the digest again (a new signing job) and redeploy.',
  error:
    'The signature could not be verified (an AWS error or an unreadable envelope): check with `shield-right verify IMAGE_URI`; an unverified image is never trusted.',
};

export function renderTrustNotification(input: TrustNotificationInput): RenderedNotification {
  const id = input.incidentId;
  const allowedOnly = input.failed.length === 0 && (input.allowed?.length ?? 0) > 0;
  const kind = allowedOnly ? ALLOWED_UNSIGNED_KIND : TRUST_KIND;
  const headline = allowedOnly ? 'image allowed unsigned' : 'image not trusted';
  const allowed = (input.allowed ?? []).slice(0, LIST_MAX);
  const outcomes = allowedOnly
    ? [...new Set(allowed.map((f) => f.outcome))]
    : [...new Set(input.failed.map((f) => f.outcome))];
  const actions = [
    ...quarantineLines(input.quarantine, input.notQuarantinable ?? []),
    ...(input.response.held ? limitLines(input.capNotice) : []),
  ];
  const did = input.response.stopped
    ? `task stopped${input.response.tagged ? ', service tagged' : ''}`
    : input.wouldHaveDone.length > 0
      ? `nothing changed (would have: ${input.wouldHaveDone.join(', ')})`
      : 'nothing changed';
  const shown = input.failed.slice(0, LIST_MAX);
  const steps = [
    ...(allowedOnly ? [FIX.allowed ?? ''] : outcomes.map((o) => FIX[o] ?? FIX.error ?? '')),
    ...(input.response.held ? [FIX.limit ?? ''] : []),
  ];
  const chatLines = [
    `*Task:* ${chatCode(input.taskArn, LIMITS.path)}`,
    ...shown.map(
      (f) =>
        `*Container* ${chatCode(f.container)} · image ${chatCode(f.image, LIMITS.path)} · ${chatCode(f.digest || '-', LIMITS.short)} · *${chatText(f.outcome, LIMITS.short)}*: ${chatText(f.reason, LIMITS.text)}`,
    ),
    ...allowed.map(
      (f) =>
        `*Allowed unsigned:* container ${chatCode(f.container)} · image ${chatCode(f.image, LIMITS.path)} · ${chatCode(f.digest || '-', LIMITS.short)} · ${chatText(f.outcome, LIMITS.short)}: ${chatText(f.reason, LIMITS.text)}`,
    ),
    `*Mode:* ${chatText(input.mode, LIMITS.short)} · *Response:* ${chatText(did, LIMITS.text)}`,
    ...input.reasons.map((r) => chatText(r, LIMITS.text)),
    ...(input.response.note ? [chatText(input.response.note, LIMITS.text)] : []),
    ...actions.map((line) => chatText(line, LIMITS.text)),
  ];
  const emailLines = [
    `shield-right: ${headline} in task ${plainText(input.taskArn, LIMITS.path)}`,
    '',
    ...shown.map(
      (f) =>
        `Container ${plainText(f.container)}: image ${plainText(f.image, LIMITS.path)} (${plainText(f.digest || '-', LIMITS.short)}) is ${plainText(f.outcome, LIMITS.short)}: ${plainText(f.reason, LIMITS.text)}`,
    ),
    ...allowed.map(
      (f) =>
        `Allowed unsigned: container ${plainText(f.container)}: image ${plainText(f.image, LIMITS.path)} (${plainText(f.digest || '-', LIMITS.short)}) is ${plainText(f.outcome, LIMITS.short)} and runs (signing.allowUnsignedRepositories): ${plainText(f.reason, LIMITS.text)}`,
    ),
    `Mode: ${plainText(input.mode, LIMITS.short)}. Response: ${plainText(did, LIMITS.text)}.`,
    ...input.reasons.map((r) => plainText(r, LIMITS.text)),
    ...(input.response.note ? [plainText(input.response.note, LIMITS.text)] : []),
    ...actions.map((line) => plainText(line, LIMITS.text)),
    '',
    'NEXT STEPS',
    ...steps.map((s) => `  - ${s}`),
  ];
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: `${asciiText(id, LIMITS.short)}:${kind}`,
    content: {
      textType: 'client-markdown',
      title: `${allowedOnly ? ':warning:' : ':no_entry:'} shield-right: ${headline} (${chatText(outcomes.join(', '), LIMITS.short)})`,
      description: chatLines.join('\n'),
      nextSteps: steps.map((s) => chatText(s, LIMITS.text)),
      keywords: ['shield-right', kind, ...outcomes.map((o) => asciiText(o, 32))],
    },
    metadata: {
      threadId: asciiText(id, LIMITS.short),
      summary: `${headline}: ${chatText(outcomes.join(', '), LIMITS.short)}`,
      eventType: kind,
      relatedResources: [
        chatText(input.taskArn, LIMITS.path),
        ...[...shown, ...allowed].map((f) => chatText(f.image, LIMITS.path)),
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
        `[shield-right] ${headline} (${outcomes.join(', ')}): ${[...shown, ...allowed][0]?.container ?? 'task'}`,
        SUBJECT_MAX,
      ) || `[shield-right] ${headline}`,
    message: publishMessage(chat, email),
    chat,
    email,
    attributes: messageAttributes({
      severity: allowedOnly ? 2 : input.response.stopped ? 7 : 5,
      severityLabel: allowedOnly ? 'LOW' : input.response.stopped ? 'HIGH' : 'MEDIUM',
      findingType: allowedOnly ? 'ImageTrust:allowed-unsigned' : `ImageTrust:${outcomes.join('+')}`,
      action: input.response.stopped ? 'stopped' : input.response.held ? 'limit-reached' : 'notified',
      cluster: input.clusterArn.split('/').pop(),
      account: input.taskArn.split(':')[4],
    }),
  };
}
