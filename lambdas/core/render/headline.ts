/** The one-line headline (title, summary, the email's first line) and the SNS subject. */
import { asciiText, LIMITS, plainText } from '../escape';
import { describeFindingType, type RuntimeFinding } from '../finding';
import type { VulnerabilityFinding } from '../vulnerability';
import { type Line, type Segment, text, value } from './document';
import { count, isRuntime, isVulnerability, num, plural } from './format';
import { inputKindText, memberRoleOf } from './kinds';
import { SUBJECT_MAX } from './limits';
import type { NotificationInput } from './types';

export function repeatPhrase(input: NotificationInput): string {
  const r = input.repeat;
  const n = r?.count ?? (isRuntime(input.finding) ? input.finding.count : undefined);
  const noun = isVulnerability(input.finding) ? 'findings' : 'times';
  const was = r?.previousCount !== undefined ? ` (was ${count(r.previousCount)})` : '';
  return isVulnerability(input.finding) ? `now ${count(n)} ${noun}${was}` : `seen ${count(n)} ${noun}${was}`;
}

export function severityText(f: RuntimeFinding | VulnerabilityFinding): Segment[] {
  if (isRuntime(f)) return [text(`${num(f.severity)} `), value(f.severityLabel, LIMITS.short)];
  const score = f.inspectorScore !== undefined ? [text(` (Inspector score ${num(f.inspectorScore)})`)] : [];
  return [value(f.severity, LIMITS.short), ...score];
}

/** The one-line headline shared by title, summary and the email's first line. */
export function headline(input: NotificationInput): Line {
  const f = input.finding;
  const kind = inputKindText(input);
  const phrase = input.kind === 'repeat' ? repeatPhrase(input) : kind.phrase;
  const member = memberRoleOf(input);
  const tail = member
    ? [
        text(' — member role missing or untrusted: account '),
        value(member.account, LIMITS.short),
        text(', role '),
        value(member.role, LIMITS.short),
        text(' — fix: deploy ShieldRightMemberRole trusting this deployment'),
      ]
    : input.kind === 'step-failed' && input.failure
      ? [text(' — step '), value(input.failure.state, LIMITS.short), text(' failed')]
      : [text(` — ${phrase}`)];
  if (isRuntime(f)) {
    return [
      ...(input.kind === 'repeat' ? [text('Update: ')] : []),
      ...severityText(f),
      text(' '),
      value(describeFindingType(f.type), LIMITS.short),
      text(' in '),
      value(f.cluster.name, LIMITS.short),
      ...tail,
    ];
  }
  if (isVulnerability(f)) {
    const ids = input.aggregated?.vulnerabilityIds ?? [];
    const more = ids.length > 1 ? [text(` and ${ids.length - 1} more`)] : [];
    return [
      ...(input.kind === 'repeat' ? [text('Update: ')] : []),
      ...severityText(f),
      text(' '),
      value(f.vulnerabilityId ?? ids[0] ?? 'vulnerability', LIMITS.short),
      ...more,
      text(' in '),
      value(f.image.repository, LIMITS.short),
      ...tail,
    ];
  }
  return [text('shield-right'), ...tail];
}

export function subjectText(input: NotificationInput): string {
  const f = input.finding;
  const kind = inputKindText(input);
  const what =
    input.kind === 'step-failed' && input.failure
      ? `step ${plainText(input.failure.state, LIMITS.short)} failed for`
      : '';
  if (isRuntime(f)) {
    const severity = plainText(f.severityLabel, 16);
    const cluster = ` in ${plainText(f.cluster.name, 40)}`;
    if (input.kind === 'repeat') {
      return fitSubject(`[shield-right] Update: ${severity} `, f.type, `${cluster}, ${repeatPhrase(input)}`);
    }
    const prefix = what ? `[shield-right] ${what} ${severity} ` : `[shield-right] ${severity} `;
    return fitSubject(prefix, f.type, `${what ? '' : ` ${kind.short}`}${cluster}`);
  }
  if (isVulnerability(f)) {
    const id = plainText(f.vulnerabilityId ?? input.aggregated?.vulnerabilityIds[0] ?? 'vulnerability', 40);
    const body = `${plainText(f.severity, 16)} ${id} in ${plainText(f.image.repository, 64)}`;
    const running = input.exposure ? `, ${plural(input.exposure.tasks.length, 'running task')}` : '';
    if (input.kind === 'repeat') return `[shield-right] Update: ${body}, ${repeatPhrase(input)}`;
    return `[shield-right] ${what ? `${what} ` : ''}${body}${what ? '' : `: ${kind.short}${running}`}`;
  }
  return input.kind === 'step-failed' && input.failure
    ? `[shield-right] step ${plainText(input.failure.state, LIMITS.short)} failed`
    : `[shield-right] ${kind.short}: no action taken`;
}

/** The finding type gives way first when the subject is too long: severity, outcome and cluster matter more. */
function fitSubject(prefix: string, type: string, suffix: string): string {
  const room =
    SUBJECT_MAX - asciiText(prefix, SUBJECT_MAX).length - asciiText(suffix, SUBJECT_MAX).length - 2;
  return `${prefix}${asciiText(type, Math.max(12, room))}${suffix}`;
}
