/** The description, kind by kind: status, failure, facts, what was done, exposure, evidence. */
import { asText, LIMITS } from '../escape';
import type { ExposedTask, StepFailure } from '../outcome';
import {
  capped,
  code,
  command,
  field,
  type Line,
  label,
  type Section,
  type Segment,
  text,
  value,
} from './document';
import { runtimeFacts, vulnerabilityFacts } from './facts';
import { arnTail, clusterNameOf, count, isRuntime, isVulnerability, plural } from './format';
import { repeatPhrase } from './headline';
import { LIST_MAX } from './limits';
import { doneSection, planSections } from './results';
import type { NotificationInput } from './types';

const BAND_NAMES = { medium: 'Medium', high: 'High', critical: 'Critical' } as const;

function exposedTaskLine(task: ExposedTask): Line {
  const segs: Segment[] = [
    text('task '),
    code(arnTail(task.taskArn), LIMITS.short),
    text(' · cluster '),
    code(clusterNameOf(task.clusterArn)),
  ];
  // Organization mode: the account each task runs in (the scan spans every account shield-right can see).
  if (task.accountId) segs.push(text(' · account '), code(task.accountId, LIMITS.short));
  if (task.serviceName) segs.push(text(' · service '), code(task.serviceName));
  segs.push(text(' · '), code(task.image, LIMITS.path));
  if (task.verdict === 'protected' || task.verdict === 'exempt') {
    segs.push(text(` · ${task.verdict}`));
    if (task.verdictReason) segs.push(text(' ('), value(task.verdictReason, LIMITS.text), text(')'));
  }
  return segs;
}

function exposureSections(input: NotificationInput): Section[] {
  const radius = input.exposure ?? input.results?.blastRadius;
  if (!radius) return [];
  const own = isRuntime(input.finding) ? input.finding.task?.arn : undefined;
  const tasks = radius.tasks.filter((task) => task.taskArn !== own);
  const scope = isRuntime(input.finding) ? 'other running task' : 'running task';
  const bound = radius.failed
    ? '; the scan failed, who else runs the image is unknown'
    : radius.truncated
      ? '; the scan stopped at its bound, there may be more'
      : '';
  const accounts = radius.scannedAccounts?.length
    ? ` in account${radius.scannedAccounts.length === 1 ? '' : 's'} ${radius.scannedAccounts.slice(0, 10).join(', ')}${radius.scannedAccounts.length > 10 ? ` and ${radius.scannedAccounts.length - 10} more` : ''}`
    : '';
  const summary = `${plural(tasks.length, scope)} use${tasks.length === 1 ? 's' : ''} the same image digest (scanned ${count(radius.scannedTasks)} tasks${accounts}${bound})`;
  // Bounded keys: service names are attacker-influenced and may be huge.
  const services = new Set(
    tasks
      .filter((task) => task.serviceName)
      .map((task) => `${task.clusterArn.slice(0, 2048)}|${task.serviceName?.slice(0, 512)}`),
  );
  const serviceNote: Line[] =
    services.size > 0 ? [[text(`${plural(services.size, 'service')} affected`)]] : [];
  return [
    {
      heading: isRuntime(input.finding) ? 'Blast radius' : 'Exposure',
      lines: [[text(summary)], ...serviceNote],
    },
    { bullets: true, lines: capped(tasks, LIST_MAX, exposedTaskLine) },
  ];
}

/** Step Functions passes a Lambda error's cause as JSON `{ errorType, errorMessage, trace }`: show the message. */
export function causeMessage(cause: string | undefined): {
  readonly type?: string;
  readonly message: string;
} {
  const raw = asText(cause);
  if (raw.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object') {
        const record = parsed as Record<string, unknown>;
        const message = asText(record.errorMessage) || asText(record.message) || asText(record.Cause);
        const type = asText(record.errorType) || undefined;
        if (message) return type ? { type, message } : { message };
      }
    } catch {
      // Not JSON after all: shown as it is.
    }
  }
  return { message: raw };
}

function failureSection(failure: StepFailure | undefined, invalid: boolean): Section | undefined {
  if (!failure) return undefined;
  const cause = causeMessage(failure.cause);
  const lines: Line[] = [];
  if (!invalid) lines.push(field('Failed step', code(failure.state, LIMITS.short)));
  lines.push(field('Error', code(cause.type ?? failure.error, LIMITS.short)));
  // InvalidFindingError messages start with the field that was wrong.
  const wrong = /^([A-Za-z0-9_.[\]-]{1,200}): /.exec(cause.message)?.[1];
  if (invalid && wrong) lines.push(field('Field', code(wrong, LIMITS.short)));
  lines.push(field('Cause', value(cause.message, LIMITS.text)));
  if (invalid && failure.state) lines.push(field('Step', code(failure.state, LIMITS.short)));
  return { heading: invalid ? 'What was wrong' : 'What failed', lines };
}

function evidenceLine(input: NotificationInput, what: string): Line | undefined {
  const e = input.evidence;
  if (!e) return undefined;
  return [text(`${what} `), code(`s3://${e.bucket}/${e.key}`, LIMITS.path)];
}

function statusSection(input: NotificationInput): Section | undefined {
  const r = input.repeat;
  switch (input.kind) {
    case 'repeat':
    case 'already-contained': {
      const segs: Segment[] = [label('Update:'), text(` ${repeatPhrase(input)}`)];
      if (r?.status) segs.push(text(' · incident status '), value(r.status, LIMITS.short));
      if (r?.firstSeen) segs.push(text(' · first seen '), value(r.firstSeen, LIMITS.short));
      const lines: Line[] = [segs];
      if (input.kind === 'already-contained')
        lines.push([text('The incident was already contained: nothing new was done.')]);
      return { lines };
    }
    case 'observe':
      return { lines: [[text('Observe mode: shield-right planned the response only.')]] };
    case 'exempt':
      return { lines: [[text('The resource is exempt from automatic response.')]] };
    case 'sample':
      return { lines: [[text('GuardDuty sample finding: placeholder resources, nothing to act on.')]] };
    case 'cap-reached': {
      const plan = input.plan;
      const caps = plan?.caps;
      const band = plan ? ` ${BAND_NAMES[plan.band]}` : '';
      const limits = caps
        ? text(
            caps.cluster === undefined
              ? ` (the${band} budget: at most ${count(caps.account)} actions per account and ${count(caps.organization)} across the organization in any sliding window)`
              : ` (the${band} budget: at most ${count(caps.cluster)} actions per cluster, ${count(caps.account)} per account and ${count(caps.organization)} across the organization in any sliding window)`,
          )
        : text('');
      const lines: Line[] = [
        [label('Blast-radius limit reached'), limits, text(': shield-right stopped acting automatically.')],
        [text('The incident is left open (CAP_REACHED) for a human to decide.')],
      ];
      const notice = input.capNotice;
      if (notice?.heldBack !== undefined) {
        const since = notice.previousNotice
          ? [text(' since the previous notice at '), value(notice.previousNotice, LIMITS.short)]
          : [];
        lines.push([
          label('Held back:'),
          text(` ${count(notice.heldBack)} finding${notice.heldBack === 1 ? '' : 's'} in this scope`),
          ...since,
          text(' (this one included).'),
        ]);
      }
      if (notice)
        lines.push([
          text(
            'One notice per cluster (per account for images) per window: further findings held back in the window are recorded and counted, not sent one by one; the next notice gives their number. ',
          ),
          command('shield-right incidents --status CAP_REACHED'),
          text(' lists them all.'),
        ]);
      return { lines };
    }
    case 'step-failed':
      return {
        lines: [
          [
            text('The execution is '),
            label('Failed'),
            text(
              ': what was done before the failure stays in place; it can be redriven from the failed step.',
            ),
          ],
        ],
      };
    case 'vulnerability-finding-closed':
      return {
        lines: [
          [
            text('Inspector reports the finding '),
            value(isVulnerability(input.finding) ? input.finding.status : 'CLOSED', 16),
            text(': '),
            label('this is not a fix'),
            text('.'),
          ],
          [
            text(
              'Inspector stops scanning an archived image, so its findings close; the digest still contains the vulnerable package. Inspector also closes the findings of an image not pushed or pulled within its re-scan duration.',
            ),
          ],
          [text('The quarantine stays in place: only a person lifts it.')],
        ],
      };
    default:
      return undefined;
  }
}

function invalidInputSections(input: NotificationInput): Section[] {
  const raw = input.rawEventSummary;
  const event: Line[] = [];
  if (raw?.source) event.push(field('Source', code(raw.source, LIMITS.short)));
  if (raw?.detailType) event.push(field('Detail type', code(raw.detailType, LIMITS.short)));
  if (raw?.id) event.push(field('Event id', code(raw.id, LIMITS.short)));
  const evidence = evidenceLine(input, 'The raw event was stored as evidence:');
  return [
    {
      lines: [[text('An event reached shield-right that it cannot act on. '), label('No action was taken.')]],
    },
    ...[failureSection(input.failure, true)].filter((s): s is Section => s !== undefined),
    ...(event.length > 0 ? [{ heading: 'Event', lines: event }] : []),
    { lines: [evidence ?? [text('The raw event could not be stored as evidence.')]] },
  ];
}

export function sections(input: NotificationInput): Section[] {
  if (input.kind === 'invalid-input' && !input.finding) return invalidInputSections(input);
  const f = input.finding;
  const out: (Section | undefined)[] = [statusSection(input)];
  if (input.kind === 'step-failed') out.push(failureSection(input.failure, false));
  if (input.kind === 'invalid-input') out.push(...invalidInputSections(input));
  if (isRuntime(f)) out.push(runtimeFacts(input, f));
  if (isVulnerability(f)) out.push(...vulnerabilityFacts(input, f));
  if (input.kind !== 'sample') out.push(doneSection(input));
  out.push(...planSections(input.plan), ...exposureSections(input));
  const evidence = input.kind === 'invalid-input' ? undefined : evidenceLine(input, 'Evidence:');
  if (evidence) out.push({ lines: [evidence] });
  return out.filter((s): s is Section => s !== undefined);
}
