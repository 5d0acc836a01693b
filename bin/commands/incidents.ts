/** `shield-right incidents` and `shield-right incident ID`: what shield-right responded to, and what it did. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type IncidentItem, loadIncident } from '../../lambdas/actions/incident-store';
import { listEvidenceKeys, readQuarantineRecords } from '../../lambdas/actions/release-evidence';
import { awsErrorName } from '../../lambdas/core/errors';
import { LIMITS, plainText } from '../../lambdas/core/escape';
import { CONTAINED_STATUSES, type IncidentStatus } from '../../lambdas/core/incident';
import { isObject } from '../../lambdas/core/read';
import { executionUrl } from '../../lambdas/core/render';
import { shown, UsageError } from '../cli-support';
import {
  allPages,
  type Io,
  OPERATOR_HELP,
  OPERATOR_OPTIONS,
  type OperatorContext,
  type OperatorDeps,
  OperatorError,
  parseSince,
  processIo,
  withOperator,
} from './operator-context';

/** `--status` groups: what an operator asks for, in the statuses the workflows write. */
export const STATUS_GROUPS: Readonly<Record<string, readonly IncidentStatus[]>> = {
  open: ['IN_PROGRESS', 'NOTIFIED', 'CAP_REACHED'],
  contained: CONTAINED_STATUSES,
  released: ['RELEASED'],
  failed: ['FAILED'],
};

export const help = `Usage: shield-right incidents [--since 24h] [--status open|contained|released|failed] [--json] [options]

Lists the incidents opened since a time, newest first, with how often each finding was seen, what was
done and a link to the execution. --status also takes one exact status (e.g. QUARANTINED, CAP_REACHED).
  open       IN_PROGRESS, NOTIFIED, CAP_REACHED
  contained  CONTAINED, ISOLATED, QUARANTINED
  released   RELEASED
  failed     FAILED

Options:
  --since WHEN           30m, 24h, 7d, 2w or an ISO date (default 24h)
  --status STATUS        only incidents in this group or status
  --json                 print one JSON document
${OPERATOR_HELP}

Examples:
  shield-right incidents
  shield-right incidents --since 7d --status contained
  shield-right incidents --sandbox ./sandbox --json`;

export const incidentHelp = `Usage: shield-right incident INCIDENT_ID [--json] [--html FILE] [options]

Shows one incident in full: its record, what each action did, its evidence in S3, and a timeline from the
finding and the execution's history.

Options:
  --json                 print one JSON document
  --html FILE            also write a self-contained page: timeline, what was done, path through the
                         workflow, evidence links (nothing is loaded from the network to view it)
${OPERATOR_HELP}

Example:
  shield-right incident 5ec2a7f4d1b9e8c3a6f0d2b4c8e1a9f7`;

const done = (v: unknown): boolean => isObject(v) && (v.status === 'done' || v.status === 'already-done');

/** What the response did, from the outcome the notify step recorded. */
export function actionsOf(outcome: Record<string, unknown> | undefined): string[] {
  if (!outcome) return [];
  // Only the tasks this response stopped: the list also names tasks already stopped or refused by a budget.
  const stopped = Array.isArray(outcome.stoppedTasks)
    ? outcome.stoppedTasks.filter((t) => isObject(t) && t.status === 'done').length
    : 0;
  return [
    ...(done(outcome.stop) ? ['task stopped'] : []),
    ...(done(outcome.isolate) ? ['isolated'] : []),
    ...(done(outcome.quarantine) ? ['image quarantined'] : []),
    ...(done(outcome.tagService) ? ['service tagged'] : []),
    ...(stopped > 0 ? [`${stopped} running task(s) stopped`] : []),
  ];
}

function parseOutcome(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The JSON view of an incident item: its own fields, the outcome parsed, links added. */
export function incidentView(item: Record<string, unknown>, region: string): Record<string, unknown> {
  const outcome = parseOutcome(item.outcome);
  const executionArn = str(item.executionArn);
  const { pk: _pk, entity: _entity, outcome: _outcome, ...fields } = item;
  return {
    ...fields,
    actions: actionsOf(outcome),
    ...(outcome ? { outcome } : {}),
    ...(executionArn ? { executionUrl: executionUrl(region, executionArn) } : {}),
  };
}

function statusFilter(value: string | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const group = STATUS_GROUPS[value.toLowerCase()];
  if (group) return group;
  if (/^[A-Z_]{3,32}$/.test(value)) return [value];
  throw new UsageError(
    `--status takes ${Object.keys(STATUS_GROUPS).join(', ')} or an exact status, got ${value}`,
  );
}

// Terminal output: values from findings are cleaned of control characters, so a crafted one cannot
// rewrite the screen.
const text = (v: unknown, max: number = LIMITS.name): string => plainText(v, max) || '-';

function row(view: Record<string, unknown>): string {
  const created = text(view.createdAt).replace(/\.\d+Z$/, 'Z');
  const severity = view.severity ?? view.severityLabel ?? '-';
  const subject = view.findingType ?? 'incident';
  const where = str(view.clusterArn)?.split('/').pop() ?? str(view.repository);
  const actions = (view.actions as string[]).join(', ') || 'no action';
  return [
    `${created}  ${text(view.status).padEnd(12)} ${text(view.incidentId, LIMITS.short)}`,
    `    ${text(view.source)} ${text(subject)}${where ? ` in ${text(where)}` : ''} · severity ${text(severity)} · seen ${text(view.count ?? 1)}x · ${actions}`,
    ...(view.executionUrl ? [`    ${text(view.executionUrl, LIMITS.path)}`] : []),
  ].join('\n');
}

export async function incidents(
  argv: string[],
  io: Io = processIo,
  deps: OperatorDeps = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...OPERATOR_OPTIONS,
      since: { type: 'string', default: '24h' },
      status: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0)
    throw new UsageError(
      `unexpected argument ${positionals[0]} (for one incident: shield-right incident ID)`,
    );
  const statuses = statusFilter(values.status);
  const sinceText = values.since;
  return withOperator(values, io, deps, false, async (ctx) => {
    const since = new Date(parseSince(sinceText, ctx.now())).toISOString();
    const filterValues = Object.fromEntries((statuses ?? []).map((s, i) => [`:s${i}`, { S: s }]));
    const items = await allPages<
      { Items?: Record<string, AttributeValue>[]; LastEvaluatedKey?: Record<string, AttributeValue> },
      Record<string, AttributeValue>,
      Record<string, AttributeValue>
    >(
      (ExclusiveStartKey) =>
        ctx.clients.dynamodb.send(
          new QueryCommand({
            TableName: ctx.deployment.table,
            IndexName: 'byEntity',
            KeyConditionExpression: '#entity = :incident AND #createdAt >= :since',
            ...(statuses ? { FilterExpression: `#status IN (${Object.keys(filterValues).join(', ')})` } : {}),
            ExpressionAttributeNames: {
              '#entity': 'entity',
              '#createdAt': 'createdAt',
              ...(statuses ? { '#status': 'status' } : {}),
            },
            ExpressionAttributeValues: {
              ':incident': { S: 'INCIDENT' },
              ':since': { S: since },
              ...filterValues,
            },
            ScanIndexForward: false,
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        ),
      (page) => ({ items: page.Items ?? [], next: page.LastEvaluatedKey }),
      (count) => ctx.progress.update(`reading incidents… ${count}`),
    );
    const views = items.map((i) =>
      incidentView(unmarshall(i) as Record<string, unknown>, ctx.deployment.region),
    );
    const counts: Record<string, number> = {};
    for (const v of views) counts[String(v.status)] = (counts[String(v.status)] ?? 0) + 1;
    if (values.json) {
      ctx.out(
        JSON.stringify(
          { since, status: values.status ?? null, count: views.length, counts, incidents: views },
          null,
          2,
        ),
      );
      return 0;
    }
    const summary = Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ');
    ctx.out(
      [
        ...views.map(row),
        `${views.length} incident(s) since ${since}${values.status ? ` with status ${values.status}` : ''}${summary ? `: ${summary}` : ''}`,
      ].join('\n'),
    );
    return 0;
  });
}

/** A quarantined image as ECR has it now, and what that means for the release. */
interface QuarantinedImageView {
  readonly image: string;
  readonly imageStatus: string;
  readonly release?: string;
}

/**
 * The quarantined images of an incident, described now (any status: DescribeImages answers for ACTIVE
 * images only unless asked). An image ACTIVATING is a release in progress: ECR restores it from the archive
 * within 20 minutes, and running the release again then puts its tags back.
 */
async function quarantinedImages(
  ctx: OperatorContext,
  incidentId: string,
  keys: readonly string[],
): Promise<QuarantinedImageView[]> {
  const records = await readQuarantineRecords(ctx.clients.s3, ctx.deployment.bucket, incidentId, keys);
  const views: QuarantinedImageView[] = [];
  for (const record of records) {
    const image = `${record.repository}@${record.digest}`;
    let imageStatus = 'unknown';
    try {
      const out = await ctx.clients.ecr.send(
        new DescribeImagesCommand({
          registryId: record.registryId,
          repositoryName: record.repository,
          imageIds: [{ imageDigest: record.digest }],
          filter: { imageStatus: 'ANY' },
        }),
      );
      imageStatus = out.imageDetails?.[0]?.imageStatus ?? 'unknown';
    } catch (err) {
      const name = awsErrorName(err);
      if (name !== 'ImageNotFoundException' && name !== 'RepositoryNotFoundException') throw err;
      imageStatus = 'deleted';
    }
    views.push({
      image,
      imageStatus,
      ...(imageStatus === 'ACTIVATING'
        ? {
            release: `in progress: restoring from the archive (up to 20 minutes), then run shield-right release ${incidentId} again`,
          }
        : {}),
    });
  }
  return views;
}

interface TimelineEntry {
  readonly at: string;
  readonly event: string;
}

function historyEntry(e: HistoryEvent): TimelineEntry | undefined {
  const at = e.timestamp ? new Date(e.timestamp).toISOString() : undefined;
  if (!at || !e.type) return undefined;
  if (e.type.endsWith('StateEntered'))
    return { at, event: `step ${e.stateEnteredEventDetails?.name ?? '?'}` };
  const failure =
    e.taskFailedEventDetails ??
    e.executionFailedEventDetails ??
    e.lambdaFunctionFailedEventDetails ??
    undefined;
  if (failure) return { at, event: `${e.type}: ${failure.error ?? ''} ${failure.cause ?? ''}`.trim() };
  // A redrive continues the same execution's history at the step that had failed.
  if (e.executionRedrivenEventDetails)
    return { at, event: `execution redriven (#${e.executionRedrivenEventDetails.redriveCount ?? '?'})` };
  if (e.type.startsWith('Execution'))
    return { at, event: e.type.replace(/^Execution/, 'execution ').toLowerCase() };
  return undefined;
}

async function timeline(
  ctx: OperatorContext,
  incident: IncidentItem,
): Promise<{ entries: TimelineEntry[]; note?: string }> {
  const item = incident.item;
  const entries: TimelineEntry[] = [];
  const add = (at: unknown, event: string) => {
    if (typeof at === 'string' && at) entries.push({ at, event });
  };
  add(item.firstSeen, 'finding first seen');
  add(item.createdAt, 'incident opened');
  if (item.lastSeen !== item.firstSeen)
    add(item.lastSeen, `finding last seen (${String(item.count ?? 1)} times)`);
  add(item.updatedAt, `incident last updated (${incident.status})`);
  add(item.releasedAt, `released by ${String(item.releasedBy ?? 'unknown')}`);
  let note: string | undefined;
  const executionArn = str(item.executionArn);
  if (executionArn) {
    try {
      const events = await allPages(
        (nextToken) =>
          ctx.clients.sfn.send(
            new GetExecutionHistoryCommand({
              executionArn,
              maxResults: 1000,
              ...(nextToken ? { nextToken } : {}),
            }),
          ),
        (page) => ({ items: page.events ?? [], next: page.nextToken }),
        (count) => ctx.progress.update(`reading the execution history… ${count}`),
      );
      for (const e of events) {
        const entry = historyEntry(e);
        if (entry) entries.push(entry);
      }
    } catch (err) {
      if (awsErrorName(err) !== 'ExecutionDoesNotExist') throw err;
      note = 'the execution history is gone (Step Functions keeps it 90 days)';
    }
  }
  // Stable: entries at the same instant keep the order they were added in.
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return { entries, ...(note ? { note } : {}) };
}

export async function incident(argv: string[], io: Io = processIo, deps: OperatorDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...OPERATOR_OPTIONS, json: { type: 'boolean', default: false }, html: { type: 'string' } },
    allowPositionals: true,
  });
  const [incidentId, ...rest] = positionals;
  if (!incidentId || rest.length > 0) throw new UsageError('incident takes exactly one INCIDENT_ID');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(incidentId))
    throw new UsageError(`${shown(incidentId)} is not an incident id`);
  return withOperator(values, io, deps, false, async (ctx) => {
    ctx.progress.update(`reading incident ${incidentId}…`);
    const found = await loadIncident(ctx.clients.dynamodb, ctx.deployment.table, incidentId);
    if (!found) throw new OperatorError(`no incident ${incidentId} in table ${ctx.deployment.table}`);
    const view = incidentView(found.item, ctx.deployment.region);
    ctx.progress.update('listing the evidence…');
    const evidence = await listEvidenceKeys(
      ctx.clients.s3,
      ctx.deployment.bucket,
      `incidents/${incidentId}/`,
    );
    ctx.progress.update('describing the quarantined images…');
    const images = await quarantinedImages(ctx, incidentId, evidence);
    const { entries, note } = await timeline(ctx, found);
    if (values.html) {
      const { renderIncidentHtml } = await import('../../local/report-html/incident');
      writeFileSync(
        values.html,
        renderIncidentHtml({
          incidentId,
          status: found.status,
          view,
          timeline: entries,
          evidence: { bucket: ctx.deployment.bucket, region: ctx.deployment.region, keys: evidence },
          images,
          ...(note ? { note } : {}),
        }),
      );
      ctx.err(`report written to ${values.html}`);
    }
    if (values.json) {
      ctx.out(
        JSON.stringify(
          {
            incident: view,
            ...(images.length > 0 ? { images } : {}),
            evidence: evidence.map((key) => `s3://${ctx.deployment.bucket}/${key}`),
            timeline: entries,
            ...(note ? { note } : {}),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const skip = new Set(['actions', 'outcome', 'executionUrl', 'releaseSteps', 'lastNotification']);
    const fields = Object.entries(view)
      .filter(([k]) => !skip.has(k))
      .map(([k, v]) => `  ${k.padEnd(14)} ${text(Array.isArray(v) ? v.join(', ') : v, LIMITS.path)}`);
    ctx.out(
      [
        `Incident ${text(incidentId, LIMITS.short)}: ${text(found.status)}`,
        ...fields,
        `  actions        ${(view.actions as string[]).join(', ') || 'none'}`,
        ...(view.executionUrl ? [`  console        ${text(view.executionUrl, LIMITS.path)}`] : []),
        ...(images.length > 0
          ? [
              'Quarantined images',
              ...images.map(
                (i) =>
                  `  ${text(i.image, LIMITS.path)}  ${text(i.imageStatus)}${i.release ? ` · release ${text(i.release, LIMITS.text)}` : ''}`,
              ),
            ]
          : []),
        'Evidence',
        ...(evidence.length > 0
          ? evidence.map((k) => `  s3://${ctx.deployment.bucket}/${text(k, LIMITS.path)}`)
          : ['  none']),
        'Timeline',
        ...entries.map((e) => `  ${e.at}  ${text(e.event, LIMITS.text)}`),
        ...(note ? [`  (${note})`] : []),
      ].join('\n'),
    );
    return 0;
  });
}
