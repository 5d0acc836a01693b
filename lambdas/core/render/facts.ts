/** What the finding says: the runtime finding with its task, or the vulnerable image. */
import { LIMITS } from '../escape';
import { describeFindingType, type RuntimeFinding } from '../finding';
import type { TaskEnrichment } from '../policy';
import type { VulnerabilityFinding } from '../vulnerability';
import {
  capped,
  code,
  field,
  joinSegments,
  type Line,
  type Section,
  type Segment,
  text,
  url,
  value,
} from './document';
import { count, intOf, num, plural } from './format';
import { severityText } from './headline';
import { LIST_MAX } from './limits';
import { SAFE_URL } from './links';
import type { NotificationInput } from './types';

/** The account id, and its configured name (accountNames) where there is one. */
function accountSegments(f: RuntimeFinding | VulnerabilityFinding): Segment[] {
  const id = code(f.accountId, LIMITS.short);
  return f.accountName ? [id, text(' ('), value(f.accountName, LIMITS.short), text(')')] : [id];
}

function processLines(f: RuntimeFinding): Line[] {
  const p = f.process;
  if (!p) return [];
  const lines: Line[] = [];
  const main: Segment[] = [code(p.name ?? 'unknown')];
  if (p.executablePath) main.push(text(' · '), code(p.executablePath, LIMITS.path));
  if (p.pid) main.push(text(' · pid '), value(p.pid, LIMITS.short));
  if (p.user) main.push(text(' · user '), code(p.user, LIMITS.short));
  lines.push(field('Process', ...main));
  if (p.commandLine) lines.push(field('Command line', code(p.commandLine, LIMITS.commandLine)));
  if (p.executableSha256) lines.push(field('Executable SHA-256', code(p.executableSha256, LIMITS.short)));
  if (p.parent) {
    const parent: Segment[] = [code(p.parent.name ?? 'unknown')];
    if (p.parent.executablePath) parent.push(text(' · '), code(p.parent.executablePath, LIMITS.path));
    if (p.parent.pid) parent.push(text(' · pid '), value(p.parent.pid, LIMITS.short));
    lines.push(field('Parent process', ...parent));
  }
  return lines;
}

function imageLines(f: RuntimeFinding, e: TaskEnrichment | undefined): Line[] {
  return capped(f.containers, 10, (container) => {
    const digest = e?.containers.find((x) => x.name === container.name)?.digest ?? container.image.digest;
    return field(
      'Image',
      code(container.image.uri, LIMITS.path),
      text(' · digest '),
      digest ? code(digest, LIMITS.short) : text('unknown'),
      text(' · container '),
      code(container.name),
    );
  });
}

export function runtimeFacts(input: NotificationInput, f: RuntimeFinding): Section {
  const e = input.enrichment;
  const lines: Line[] = [
    field('Severity', ...severityText(f)),
    field(
      'Finding',
      value(describeFindingType(f.type), LIMITS.short),
      text(' ('),
      code(f.type, LIMITS.short),
      text(')'),
    ),
  ];
  if (f.title) lines.push(field('Title', value(f.title, LIMITS.text)));
  lines.push(field('Account / region', ...accountSegments(f), text(' / '), code(f.region, LIMITS.short)));
  const where: Segment[] = [code(f.cluster.name)];
  // The service that lists the task, as described; the finding's `group` names no service once described.
  const service = e ? e.service?.name : f.task?.serviceName;
  if (service) where.push(text(' · service '), code(service));
  if (f.task) where.push(text(' · task '), code(f.task.id, LIMITS.short));
  lines.push(field('Cluster', ...where));
  for (const note of [...(f.discrepancies ?? []), ...(e?.discrepancies ?? [])])
    lines.push(field('Disagreement', value(note, LIMITS.text)));
  if (f.task && e) {
    const state: Segment[] = [value(e.lastStatus ?? 'unknown', LIMITS.short)];
    if (e.desiredStatus) state.push(text(' (desired '), value(e.desiredStatus, LIMITS.short), text(')'));
    const launch = e.launchType ?? f.task.launchType;
    if (launch) state.push(text(' · '), value(launch, LIMITS.short));
    state.push(text(' · network '), value(e.networkMode, LIMITS.short));
    if (e.eniId) state.push(text(' · ENI '), code(e.eniId, LIMITS.short));
    if (e.privateIp) state.push(text(' · IP '), code(e.privateIp, LIMITS.short));
    lines.push(field('Task', ...(e.found ? state : [text('not found (gone)')])));
    if (e.service) {
      lines.push(
        field(
          'Service tasks',
          text(`${count(e.service.runningCount)} running / ${count(e.service.desiredCount)} desired`),
        ),
      );
    }
  }
  lines.push(...imageLines(f, e), ...processLines(f));
  lines.push(
    field(
      'Seen',
      text(`${plural(intOf(f.count) ?? 1, 'time')}, first `),
      value(f.firstSeen, LIMITS.short),
      text(', last '),
      value(f.lastSeen, LIMITS.short),
    ),
  );
  if (f.description) lines.push(field('Description', value(f.description, LIMITS.text)));
  lines.push(field('Incident', code(f.incidentId, LIMITS.short)));
  return { lines };
}

export function vulnerabilityFacts(input: NotificationInput, f: VulnerabilityFinding): Section[] {
  const lines: Line[] = [
    field('Severity', ...severityText(f)),
    field('Vulnerability', code(f.vulnerabilityId ?? 'unknown', LIMITS.short)),
  ];
  if (f.title) lines.push(field('Title', value(f.title, LIMITS.text)));
  const risk: Segment[] = [text('EPSS ')];
  risk.push(
    f.epssScore !== undefined ? text(`${num(f.epssScore, 3)} (${num(f.epssScore * 100)}%)`) : text('unknown'),
  );
  risk.push(
    text(' · exploit available '),
    value(f.exploitAvailable, 16),
    text(' · fix available '),
    value(f.fixAvailable, 16),
  );
  lines.push(field('Risk', ...risk));
  lines.push(field('Account / region', ...accountSegments(f), text(' / '), code(f.region, LIMITS.short)));
  const image: Segment[] = [code(f.image.repository), text('@'), code(f.image.digest, LIMITS.short)];
  if (f.image.tags.length > 0) {
    image.push(
      text(' · tags '),
      ...joinSegments(
        f.image.tags.slice(0, 10).map((tag) => code(tag, LIMITS.short)),
        ', ',
      ),
    );
    if (f.image.tags.length > 10) image.push(text(` and ${f.image.tags.length - 10} more`));
  }
  lines.push(field('Image', ...image));
  if (f.image.pushedAt) lines.push(field('Pushed', value(f.image.pushedAt, LIMITS.short)));
  if (f.description) lines.push(field('Description', value(f.description, LIMITS.text)));
  if (f.sourceUrl) {
    const safe = SAFE_URL.test(f.sourceUrl) && f.sourceUrl.length <= LIMITS.path;
    lines.push(field('Advisory', safe ? url(f.sourceUrl) : value(f.sourceUrl, LIMITS.path)));
  }
  lines.push(field('Incident', code(f.incidentId, LIMITS.short)));
  const sections: Section[] = [{ lines }];
  if (f.packages.length > 0) {
    sections.push({
      heading: 'Vulnerable packages',
      bullets: true,
      lines: capped(f.packages, LIST_MAX, (p) => [
        code(p.name),
        text(' installed '),
        code(p.version ?? 'unknown', LIMITS.short),
        text(' → fixed in '),
        p.fixedInVersion ? code(p.fixedInVersion, LIMITS.short) : text('no fix yet'),
        ...(p.packageManager ? [text(' ('), value(p.packageManager, LIMITS.short), text(')')] : []),
      ]),
    });
  }
  const ag = input.aggregated;
  if (ag && (ag.findingArns.length > 1 || ag.vulnerabilityIds.length > 1)) {
    const ids = ag.vulnerabilityIds.slice(0, LIST_MAX).map((id) => code(id, LIMITS.short));
    const more =
      ag.vulnerabilityIds.length > LIST_MAX
        ? [text(` and ${ag.vulnerabilityIds.length - LIST_MAX} more`)]
        : [];
    sections.push({
      heading: `This incident gathers ${plural(ag.findingArns.length, 'finding')} for this image`,
      lines: ids.length > 0 ? [[...joinSegments(ids, ', '), ...more]] : [],
    });
  }
  return sections;
}
