/**
 * The one notification renderer for every workflow: from what a workflow knows about an incident to the SNS
 * publish parameters, with an Amazon Q Developer custom notification for chat and plain text for email.
 * Pure: no AWS calls, no clock.
 */
import { asciiText } from '../escape';
import {
  CHAT,
  fitUnits,
  type Line,
  lineToChat,
  lineToPlain,
  PLAIN,
  renderSections,
  type Section,
} from './document';
import { headline, subjectText } from './headline';
import { inputKindText } from './kinds';
import {
  DESCRIPTION_MAX,
  EMAIL_BUDGETS,
  MESSAGE_MAX_BYTES,
  NEXT_STEP_MAX,
  NEXT_STEPS_MAX,
  SUBJECT_MAX,
  SUMMARY_MAX,
  TITLE_MAX,
} from './limits';
import {
  additionalContext,
  attributes,
  eventIdOf,
  incidentIdOf,
  keywords,
  relatedResources,
  threadIdOf,
} from './metadata';
import { nextSteps } from './next-steps';
import { sections } from './sections';
import type { ChatNotification, NotificationInput, RenderedNotification } from './types';

function emailText(
  input: NotificationInput,
  head: Line,
  body: readonly Section[],
  steps: readonly Line[],
  budget: number,
): string {
  const parts = [
    `shield-right: ${lineToPlain(head)}`,
    renderSections(body, PLAIN, budget),
    steps.length > 0 ? `NEXT STEPS\n${steps.map((s) => `  - ${lineToPlain(s)}`).join('\n')}` : '',
    `--\nshield-right notification (${input.kind}) for incident ${threadIdOf(input)}.`,
  ];
  return parts.filter((p) => p !== '').join('\n\n');
}

/** The SNS Message for `MessageStructure: 'json'`: chat (Amazon Q Developer) by default, plain text by email. */
export function publishMessage(chat: ChatNotification, email: string): string {
  return JSON.stringify({ default: JSON.stringify(chat), email });
}

/**
 * The email with the largest body budget that keeps the whole message under the limit; the chat variant is
 * bounded by its own limits. Next steps are never the part that gets dropped.
 */
function fitMessage(
  chat: ChatNotification,
  email: (budget: number) => string,
): { message: string; email: string } {
  let text = '';
  let message = '';
  for (const budget of EMAIL_BUDGETS) {
    text = email(budget);
    message = publishMessage(chat, text);
    if (Buffer.byteLength(message, 'utf8') <= MESSAGE_MAX_BYTES) break;
  }
  return { message, email: text };
}

export function renderNotification(input: NotificationInput): RenderedNotification {
  const kind = inputKindText(input);
  const head = headline(input);
  const body = sections(input);
  const steps = nextSteps(input, incidentIdOf(input)).slice(0, NEXT_STEPS_MAX);
  const threadId = threadIdOf(input);
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: eventIdOf(input, threadId),
    content: {
      textType: 'client-markdown',
      title: fitUnits(`${kind.emoji} ${lineToChat(head)}`, TITLE_MAX),
      description: renderSections(body, CHAT, DESCRIPTION_MAX),
      nextSteps: steps.map((s) => fitUnits(lineToChat(s), NEXT_STEP_MAX)),
      keywords: keywords(input),
    },
    metadata: {
      threadId,
      summary: fitUnits(lineToChat(head), SUMMARY_MAX),
      eventType: input.kind,
      relatedResources: relatedResources(input),
      additionalContext: additionalContext(input, threadId),
    },
  };
  const fitted = fitMessage(chat, (budget) => emailText(input, head, body, steps, budget));
  return {
    subject: asciiText(subjectText(input), SUBJECT_MAX) || '[shield-right] notification',
    message: fitted.message,
    chat,
    email: fitted.email,
    attributes: attributes(input),
  };
}
