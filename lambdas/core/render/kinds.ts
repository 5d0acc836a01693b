/** The words of each notification kind, and which kind a response ends with. */
import type { ResponseResults } from '../outcome';
import type { ResponsePlan } from '../policy';
import { stopConfirmed, succeeded } from './format';
import type { NotificationInput, NotificationKind } from './types';

interface KindText {
  readonly emoji: string;
  /** What happened, in the title. */
  readonly phrase: string;
  /** The same in the subject. */
  readonly short: string;
}

/** `contained` once the stop is confirmed (lastStatus STOPPED read back). */
const CONTAINED_STOPPED: KindText = {
  emoji: ':shield:',
  phrase: 'contained: task stopped',
  short: 'contained',
};

/** A finding about a member account whose role could not be assumed: its own words, not "invalid input". */
const MEMBER_ROLE_MISSING: KindText = {
  emoji: ':no_entry:',
  phrase: 'member role missing or untrusted: nothing done in that account',
  short: 'member role missing or untrusted',
};

/** The rejection was the member role (MemberRoleError), not a malformed event. */
export function isMemberRoleFailure(input: NotificationInput): boolean {
  return input.kind === 'invalid-input' && input.failure?.error === 'MemberRoleError';
}

/**
 * The account and role named by a MemberRoleError's cause (lambdas/shared/member-session.ts writes it from
 * the configured role name and the validated account), or undefined when the cause does not say.
 */
export function memberRoleOf(input: NotificationInput): { account: string; role: string } | undefined {
  if (!isMemberRoleFailure(input)) return undefined;
  const m = /could not assume (arn:[\w-]+:iam::(\d{12}):role\/[\w+=,.@/-]{1,128})/.exec(
    input.failure?.cause ?? '',
  );
  return m?.[1] && m[2] ? { role: m[1], account: m[2] } : undefined;
}

/** The words for a kind; an unknown kind (bad input) reads as a generic notice rather than throwing. */
function kindText(kind: NotificationKind): KindText {
  return Object.hasOwn(KINDS, kind) ? KINDS[kind] : { emoji: ':bell:', phrase: 'notice', short: 'notice' };
}

const KINDS: Record<NotificationKind, KindText> = {
  contained: {
    emoji: ':shield:',
    phrase: 'contained: stop requested, the task is stopping',
    short: 'contained',
  },
  isolated: { emoji: ':shield:', phrase: 'isolated: task cut off from the network', short: 'isolated' },
  'notify-only': { emoji: ':eyes:', phrase: 'notified only: no action taken', short: 'notify-only' },
  exempt: { emoji: ':eyes:', phrase: 'exempt: no action taken', short: 'exempt, not acted on' },
  sample: { emoji: ':test_tube:', phrase: 'GuardDuty sample finding: no action taken', short: 'sample' },
  observe: { emoji: ':eyes:', phrase: 'observe mode: no action taken', short: 'observed, no action' },
  repeat: { emoji: ':repeat:', phrase: 'Update', short: 'update' },
  'already-contained': {
    emoji: ':repeat:',
    phrase: 'seen again, already contained',
    short: 'already contained',
  },
  'image-quarantined': { emoji: ':shield:', phrase: 'image quarantined', short: 'image quarantined' },
  vulnerability: { emoji: ':package:', phrase: 'vulnerable image', short: 'vulnerable image' },
  'vulnerability-finding-closed': {
    emoji: ':package:',
    phrase: 'finding closed by Inspector: not a fix',
    short: 'finding closed, not a fix',
  },
  'invalid-input': { emoji: ':warning:', phrase: 'invalid input: no action taken', short: 'invalid input' },
  'step-failed': { emoji: ':x:', phrase: 'workflow step failed', short: 'step failed' },
  'cap-reached': {
    emoji: ':warning:',
    phrase: 'blast-radius limit reached: no action taken, left for a human',
    short: 'cap reached, no action',
  },
};

/** The words for the notification's kind. */
export function inputKindText(input: NotificationInput): KindText {
  if (input.kind === 'contained' && stopConfirmed(input.results?.stop)) return CONTAINED_STOPPED;
  if (isMemberRoleFailure(input)) return MEMBER_ROLE_MISSING;
  return kindText(input.kind);
}

/** From the plan's disposition and what the actions reported, the notification to send. */
export function selectKind(plan: ResponsePlan, results?: ResponseResults): NotificationKind {
  const d = plan.disposition;
  if (d === 'sample' || d === 'exempt' || d === 'observe') return d;
  if (d !== 'contain' && d !== 'isolate') return 'notify-only';
  if (!results) return d === 'contain' ? 'contained' : 'isolated';
  if (succeeded(results.stop)) return 'contained';
  if (succeeded(results.isolate)) return 'isolated';
  if (succeeded(results.quarantine)) return 'image-quarantined';
  return 'notify-only';
}
