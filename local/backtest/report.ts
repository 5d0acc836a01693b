/**
 * The back-test's result, folded finding by finding so that nothing grows with the number of executions:
 * counts per day and in total, rejection reasons, the caps hit (bounded list), and per incident only what
 * the report shows (a few distinct workflow paths, labels and evidence keys).
 */
import type { ExecutionPath, FindingOutcome } from './replay';

export interface Counts {
  stopped: number;
  isolated: number;
  quarantined: number;
  notified: number;
  capped: number;
  rejected: number;
  failed: number;
  /** Findings whose decision rests on reconstructed data. */
  reconstructed: number;
}

export interface DayRow extends Counts {
  readonly day: string;
  findings: number;
  guardduty: number;
  inspector: number;
}

export interface IncidentSummary {
  readonly id: string;
  readonly source: FindingOutcome['source'];
  readonly title: string;
  readonly resource: string;
  readonly firstAt: string;
  lastAt: string;
  findings: number;
  stopped: number;
  isolated: number;
  quarantined: number;
  notified: number;
  capped: number;
  /** Distinct paths through the workflows, in the order first taken. */
  readonly paths: ExecutionPath[];
  readonly labels: string[];
  readonly evidence: string[];
}

export interface CapHit {
  readonly at: string;
  readonly incidentId: string;
  readonly resource: string;
  readonly notice: string;
}

export interface BacktestReport {
  readonly window: { readonly from: string; readonly to: string };
  readonly mode: string;
  findings: number;
  readonly byDay: DayRow[];
  readonly totals: Counts;
  readonly rejectedReasons: { reason: string; count: number }[];
  readonly caps: CapHit[];
  /** Caps hit beyond those listed in `caps`. */
  capsNotListed: number;
  readonly incidents: IncidentSummary[];
  /** What the whole back-test cannot know (docs/aws-behaviours.md, back-test rows). */
  readonly caveats: string[];
}

const MAX_PATHS = 6;
const MAX_LABELS = 8;
const MAX_EVIDENCE = 12;
const MAX_CAPS = 200;

export const CAVEATS: readonly string[] = [
  'Tags, services and exemptions are read as they are today, not as they were when each finding arrived.',
  'GetFindings returns each GuardDuty finding in its last state (count, updatedAt): repeats in between are not replayed one by one.',
  'Inspector deletes a finding 3 days after closing it when the image is deleted or no longer scanned, and 30 days after any other close: such findings are missing from the back-test.',
  'A stopped task stays describable only for a while (about an hour): a task named by a finding and gone since is reconstructed from the finding, as running.',
];

function zero(): Counts {
  return {
    stopped: 0,
    isolated: 0,
    quarantined: 0,
    notified: 0,
    capped: 0,
    rejected: 0,
    failed: 0,
    reconstructed: 0,
  };
}

function add(counts: Counts, o: FindingOutcome): void {
  counts.stopped += o.stopped.length;
  counts.isolated += o.isolated;
  counts.quarantined += o.quarantined;
  counts.notified += o.notified;
  counts.capped += o.capped ? 1 : 0;
  counts.rejected += o.rejected ? 1 : 0;
  counts.failed += o.failed;
  counts.reconstructed += o.labels.length > 0 ? 1 : 0;
}

const pathKey = (p: ExecutionPath) => `${p.stateMachine}\n${p.status}\n${p.states.join('\n')}`;

export class ReportBuilder {
  private readonly report: BacktestReport;
  private readonly days = new Map<string, DayRow>();
  private readonly reasons = new Map<string, number>();
  private readonly incidents = new Map<string, IncidentSummary>();
  /**
   * Every distinct path once: thousands of incidents take the same few paths through the workflows, so each
   * incident holds references to shared (frozen) paths rather than its own copies of the state lists.
   */
  private readonly paths = new Map<string, ExecutionPath>();

  private shared(p: ExecutionPath): ExecutionPath {
    const key = pathKey(p);
    let path = this.paths.get(key);
    if (!path) {
      path = Object.freeze({
        stateMachine: p.stateMachine,
        status: p.status,
        states: Object.freeze([...p.states]),
      });
      this.paths.set(key, path);
    }
    return path;
  }

  /** How many distinct paths the report holds (bounded by the workflows, not by the findings). */
  get distinctPaths(): number {
    return this.paths.size;
  }

  constructor(window: { from: number; to: number }, mode: string) {
    this.report = {
      window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
      mode,
      findings: 0,
      byDay: [],
      totals: zero(),
      rejectedReasons: [],
      caps: [],
      capsNotListed: 0,
      incidents: [],
      caveats: [...CAVEATS],
    };
  }

  add(o: FindingOutcome): void {
    const at = new Date(o.at).toISOString();
    const day = at.slice(0, 10);
    let row = this.days.get(day);
    if (!row) {
      row = { day, findings: 0, guardduty: 0, inspector: 0, ...zero() };
      this.days.set(day, row);
    }
    row.findings += 1;
    if (o.source === 'aws.guardduty') row.guardduty += 1;
    else row.inspector += 1;
    add(row, o);
    add(this.report.totals, o);
    this.report.findings += 1;
    if (o.rejected) this.reasons.set(o.rejected, (this.reasons.get(o.rejected) ?? 0) + 1);
    const incidentId = o.incidentId;
    if (o.capped) {
      if (this.report.caps.length < MAX_CAPS)
        this.report.caps.push({ at, incidentId: incidentId ?? o.id, resource: o.resource, notice: o.capped });
      else this.report.capsNotListed += 1;
    }
    if (!incidentId) return;
    let incident = this.incidents.get(incidentId);
    if (!incident) {
      incident = {
        id: incidentId,
        source: o.source,
        title: o.title,
        resource: o.resource,
        firstAt: at,
        lastAt: at,
        findings: 0,
        stopped: 0,
        isolated: 0,
        quarantined: 0,
        notified: 0,
        capped: 0,
        paths: [],
        labels: [],
        evidence: [],
      };
      this.incidents.set(incidentId, incident);
    }
    incident.lastAt = at;
    incident.findings += 1;
    incident.stopped += o.stopped.length;
    incident.isolated += o.isolated;
    incident.quarantined += o.quarantined;
    incident.notified += o.notified;
    incident.capped += o.capped ? 1 : 0;
    for (const p of o.paths) {
      const path = this.shared(p);
      if (incident.paths.length < MAX_PATHS && !incident.paths.includes(path)) incident.paths.push(path);
    }
    for (const l of o.labels)
      if (incident.labels.length < MAX_LABELS && !incident.labels.includes(l)) incident.labels.push(l);
    for (const k of o.evidence)
      if (incident.evidence.length < MAX_EVIDENCE && !incident.evidence.includes(k))
        incident.evidence.push(k);
  }

  finish(): BacktestReport {
    this.report.byDay.push(...[...this.days.values()].sort((a, b) => a.day.localeCompare(b.day)));
    this.report.rejectedReasons.push(
      ...[...this.reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    );
    this.report.incidents.push(
      ...[...this.incidents.values()].sort((a, b) => a.firstAt.localeCompare(b.firstAt)),
    );
    return this.report;
  }
}
