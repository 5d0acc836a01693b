/** What the response did (or planned, skipped and recommends). */
import { LIMITS } from '../escape';
import type { RuntimeFinding } from '../finding';
import type {
  ExposedTaskStop,
  IsolationResult,
  QuarantineResult,
  ResponseResults,
  StopResult,
} from '../outcome';
import type { ResponsePlan } from '../policy';
import type { ImagePlan } from '../vulnerability';
import {
  capped,
  code,
  joinSegments,
  type Line,
  label,
  type Section,
  type Segment,
  text,
  value,
} from './document';
import {
  actionWords,
  arnTail,
  intOf,
  isRuntime,
  plannedActions,
  plural,
  status,
  stopConfirmed,
  succeeded,
} from './format';
import { LIST_MAX } from './limits';
import type { NotificationInput } from './types';

function isolationLine(r: IsolationResult): Line {
  const segs: Segment[] = [label('Isolate task:'), text(' '), status(r.status)];
  if (r.method === 'security-group-rules-revoked') {
    segs.push(text(' — security group rules revoked'));
    if (r.revokedRuleCount !== undefined)
      segs.push(text(` (${plural(intOf(r.revokedRuleCount) ?? 0, 'rule')})`));
    if (r.eniId) segs.push(text(' on ENI '), code(r.eniId, LIMITS.short));
    const groups = (r.securityGroupIds ?? []).slice(0, 10);
    if (groups.length > 0)
      segs.push(
        text(', groups '),
        ...joinSegments(
          groups.map((g) => code(g, LIMITS.short)),
          ', ',
        ),
      );
  } else if (r.method === 'container-instance-quarantined') {
    segs.push(text(' — container instance quarantined'));
    if (r.ec2InstanceId) segs.push(text(' (EC2 '), code(r.ec2InstanceId, LIMITS.short), text(')'));
  }
  if (r.reason) segs.push(text(' — '), value(r.reason, LIMITS.text));
  if (r.evidenceKey) segs.push(text(' · saved for release in '), code(r.evidenceKey, LIMITS.path));
  return segs;
}

function quarantineLines(r: QuarantineResult, findingAccount: string | undefined): Line[] {
  const head: Line = [label('Quarantine image:'), text(' '), status(r.status)];
  const images = capped(r.images, LIST_MAX, (img) => {
    const segs: Segment[] = [
      text('  ◦ '),
      code(img.repository),
      text('@'),
      img.digest ? code(img.digest, LIMITS.short) : text('?'),
    ];
    // Organization mode: the quarantine ran in the registry account, not the finding's.
    if (findingAccount && img.registryId !== findingAccount)
      segs.push(text(' in registry account '), code(img.registryId, LIMITS.short));
    segs.push(text(': '), status(img.status));
    const moved = img.movedTags.slice(0, 10);
    if (moved.length > 0) {
      segs.push(text(' — tags moved '), ...movedTagSegments(moved));
      if (img.movedTags.length > 10) segs.push(text(` and ${img.movedTags.length - 10} more`));
    }
    if (img.archived) segs.push(text(' · archived'));
    if (img.reason) segs.push(text(' — '), value(img.reason, LIMITS.text));
    return segs;
  });
  const spared = capped(
    r.spared ?? [],
    LIST_MAX,
    (img): Line => [
      text('  ◦ '),
      code(img.repository),
      text('@'),
      img.digest ? code(img.digest, LIMITS.short) : text('?'),
      text(': spared — '),
      value(img.reason, LIMITS.text),
    ],
  );
  // ECR is one registry for every consumer: an archive reaches what the scan cannot see.
  const consumers: Line[] = r.images.some((img) => img.archived)
    ? [
        [
          text(
            'Archiving also affects consumers shield-right cannot see (other accounts, EKS, Lambda, Batch): for a registry shared that way, set imageQuarantine to ',
          ),
          code('retag'),
          text('.'),
        ],
      ]
    : [];
  return [head, ...images, ...spared, ...consumers, ...revocationLines(r.revocation)];
}

/** `signing.revokeOnQuarantine`: the signing jobs revoked, and that it cannot be undone. */
function revocationLines(r: QuarantineResult['revocation']): Line[] {
  if (!r) return [];
  const head: Line = [label('Revoke signatures:'), text(' '), status(r.status)];
  const jobs = capped(r.jobs, LIST_MAX, (job): Line => {
    const segs: Segment[] = [
      text('  ◦ '),
      code(job.repository),
      text('@'),
      code(job.digest, LIMITS.short),
      text(': signing job '),
      code(job.jobArn, LIMITS.text),
      text(' (profile '),
      code(job.profileVersionArn, LIMITS.text),
      text(`) ${job.status}`),
    ];
    if (job.reason) segs.push(text(' — '), value(job.reason, LIMITS.text));
    return segs;
  });
  const notes = capped(r.notes ?? [], LIST_MAX, (note): Line => [text('  ◦ '), value(note, LIMITS.text)]);
  const revoked = r.jobs.some((j) => j.status !== 'failed');
  const warning: Line[] = revoked
    ? [
        [
          text(
            'A revoked signature cannot be restored, in any account of the partition: releasing the quarantine does not un-revoke it; to run this code again, rebuild the image and sign it anew.',
          ),
        ],
      ]
    : [];
  return [head, ...jobs, ...notes, ...warning];
}

/** Tag moves as `from → to`, separated by commas. */
function movedTagSegments(moves: readonly { readonly from: string; readonly to: string }[]): Segment[] {
  return moves.flatMap((m, i) => [
    ...(i > 0 ? [text(', ')] : []),
    code(m.from, LIMITS.short),
    text(' → '),
    code(m.to, LIMITS.short),
  ]);
}

/**
 * The stop as ECS reported it: requested and stopping (lastStatus not yet STOPPED), stopped (confirmed),
 * or the failure.
 */
function stopLine(stop: StopResult, f: RuntimeFinding | undefined): Line {
  const id = arnTail(stop.taskArn) || f?.task?.id;
  const task: Segment[] = id ? [text(' — task '), code(id, LIMITS.short)] : [text(' — the task')];
  const reported: Segment[] = [
    ...(stop.lastStatus ? [text('last status '), value(stop.lastStatus, LIMITS.short)] : []),
    ...(stop.lastStatus && stop.desiredStatus ? [text(', ')] : []),
    ...(stop.desiredStatus ? [text('desired '), value(stop.desiredStatus, LIMITS.short)] : []),
  ];
  const detail = reported.length > 0 ? [text(' ('), ...reported, text(')')] : [];
  const why = stop.reason ? [text(' — '), value(stop.reason, LIMITS.text)] : [];
  if (stopConfirmed(stop))
    return [
      label('Stop task:'),
      text(' '),
      status(stop.status),
      ...task,
      text(' stopped'),
      ...detail,
      ...why,
    ];
  if (succeeded(stop)) {
    return [
      label('Stop task:'),
      text(' stop requested'),
      ...task,
      text(' is stopping'),
      ...detail,
      text(': ECS sends SIGTERM, then SIGKILL after the stop timeout'),
      ...why,
    ];
  }
  return [label('Stop task:'), text(' '), status(stop.status), ...task, ...detail, ...why];
}

const EXPOSED_STOP_WORDS: Readonly<Record<ExposedTaskStop['status'], string>> = {
  done: 'stopped',
  'already-done': 'already stopped by another response',
  capped: 'not stopped: blast-radius limit',
  failed: 'not stopped: failed',
};

/** Every running task inspector.stopRunningTasks considered: the counts, then each task and what happened. */
function exposedStopLines(stops: readonly ExposedTaskStop[]): Line[] {
  const counts = (['done', 'capped', 'already-done', 'failed'] as const)
    .map((s) => ({ s, n: stops.filter((t) => t.status === s).length }))
    .filter(({ n }) => n > 0)
    .map(({ s, n }) => text(`${n} ${EXPOSED_STOP_WORDS[s]}`));
  const head: Line = [
    label('Stop running tasks:'),
    text(` ${plural(stops.length, 'task')} the guard allows — `),
    ...joinSegments(counts, ', '),
  ];
  return [
    head,
    ...capped(stops, LIST_MAX, (t) => [
      text('task '),
      code(arnTail(t.taskArn), LIMITS.short),
      ...(t.clusterArn ? [text(' in '), value(arnTail(t.clusterArn), LIMITS.short)] : []),
      text(`: ${EXPOSED_STOP_WORDS[t.status]}`),
      ...(t.reason && t.status !== 'done' ? [text(' — '), value(t.reason, LIMITS.text)] : []),
    ]),
  ];
}

export function resultLines(results: ResponseResults | undefined, f: RuntimeFinding | undefined): Line[] {
  if (!results) return [];
  const lines: Line[] = [];
  if (results.stop) lines.push(stopLine(results.stop, f));
  if (results.isolate) lines.push(isolationLine(results.isolate));
  if (results.quarantine) lines.push(...quarantineLines(results.quarantine, f?.accountId));
  if (results.stoppedTasks && results.stoppedTasks.length > 0)
    lines.push(...exposedStopLines(results.stoppedTasks));
  if (results.tagService) {
    const segs: Segment[] = [label('Tag service:'), text(' '), status(results.tagService.status)];
    if (results.tagService.reason) segs.push(text(' — '), value(results.tagService.reason, LIMITS.text));
    lines.push(segs);
  }
  return lines;
}

export function doneSection(input: NotificationInput): Section {
  const f = isRuntime(input.finding) ? input.finding : undefined;
  const lines = resultLines(input.results, f);
  const heading = input.kind === 'step-failed' ? 'Done before the failure' : 'What was done';
  if (lines.length === 0) {
    const would = plannedActions(input.plan);
    // A failure report does not carry the results of the steps that finished before it.
    const nothing: Line = [
      text(
        input.kind === 'step-failed'
          ? 'Not known from this message: the execution history lists the steps that completed.'
          : 'Nothing was changed.',
      ),
    ];
    const wouldLine: Line[] =
      would.length > 0 && ['observe', 'exempt', 'cap-reached', 'step-failed'].includes(input.kind)
        ? [
            [
              label(input.kind === 'step-failed' ? 'Planned:' : 'Would have done:'),
              text(' '),
              ...joinSegments(would.map(actionWords), ', '),
            ],
          ]
        : [];
    return { heading, lines: [nothing, ...wouldLine] };
  }
  return { heading, lines, bullets: false };
}

export function planSections(plan: ResponsePlan | ImagePlan | undefined): Section[] {
  if (!plan) return [];
  const sections: Section[] = [];
  if (plan.skipped.length > 0) {
    sections.push({
      heading: 'Skipped',
      bullets: true,
      lines: capped(plan.skipped, LIST_MAX, (s) => [
        actionWords(s.action),
        text(': '),
        value(s.reason, LIMITS.text),
      ]),
    });
  }
  if (plan.reasons.length > 0) {
    sections.push({
      heading: 'Why',
      bullets: true,
      lines: capped(plan.reasons, 10, (r) => [value(r, LIMITS.text)]),
    });
  }
  if (plan.recommendations.length > 0) {
    sections.push({
      heading: 'Recommendations',
      bullets: true,
      lines: capped(plan.recommendations, 10, (r) => [value(r, LIMITS.text)]),
    });
  }
  return sections;
}
