/**
 * The incident table as the Lambdas and the CLI read and write it (the workflows' own reads and writes are
 * in the ASL files). Items are keyed by core/incident.ts.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type IncidentStatus, incidentKey, SWEEP_KEY } from '../core/incident';
import { isObject } from '../core/read';
import type { NotificationKind } from '../core/render';
import type { PublishOutcome } from './notify';
import { failure as failedCall, type ReleaseStep } from './release-step';

/** The incident status a notification kind leaves behind; undefined leaves the status as it is. */
export function incidentStatusFor(kind: NotificationKind): IncidentStatus | undefined {
  switch (kind) {
    case 'contained':
      return 'CONTAINED';
    case 'isolated':
      return 'ISOLATED';
    case 'image-quarantined':
      return 'QUARANTINED';
    case 'cap-reached':
      return 'CAP_REACHED';
    case 'step-failed':
      return 'FAILED';
    // A finding Inspector closed is not a fix: the incident keeps its status (QUARANTINED stays QUARANTINED).
    case 'vulnerability-finding-closed':
    case 'repeat':
    case 'invalid-input':
      return undefined;
    default:
      return 'NOTIFIED';
  }
}

/** The services that ran an image's digest when it was decided, and whether the scan saw every task. */
export interface ExposedServices {
  readonly services: readonly { readonly clusterArn: string; readonly serviceName: string }[];
  /** False when the task scan was truncated: some service may be missing. */
  readonly complete: boolean;
}

export interface IncidentOutcome {
  readonly incidentId: string;
  readonly status?: IncidentStatus;
  readonly disposition?: string;
  readonly outcome?: unknown;
  readonly executionArn?: string;
  readonly ttl?: number;
  /** Image incidents: the services whose tasks ran the digest (what a later "resolved" is judged against). */
  readonly exposedServices?: ExposedServices;
  readonly notification: PublishOutcome;
  readonly now: string;
}

/** Records how the response ended on the incident item (created by the workflow's RecordIncident step). */
export async function recordIncidentOutcome(
  ddb: DynamoDBClient,
  table: string,
  outcome: IncidentOutcome,
): Promise<void> {
  const sets = ['updatedAt = :now', 'lastNotification = :notification'];
  const names: Record<string, string> = {};
  const values: Record<string, { S: string } | { N: string }> = {
    ':now': { S: outcome.now },
    ':notification': { S: JSON.stringify(outcome.notification) },
  };
  if (outcome.status) {
    sets.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = { S: outcome.status };
  }
  if (outcome.disposition) {
    sets.push('disposition = :disposition');
    values[':disposition'] = { S: outcome.disposition };
  }
  if (outcome.outcome !== undefined) {
    sets.push('outcome = :outcome');
    values[':outcome'] = { S: JSON.stringify(outcome.outcome) };
  }
  if (outcome.executionArn) {
    sets.push('executionArn = :exec');
    values[':exec'] = { S: outcome.executionArn };
  }
  if (outcome.exposedServices) {
    sets.push('exposedServices = :exposed');
    values[':exposed'] = { S: JSON.stringify(outcome.exposedServices) };
  }
  if (outcome.ttl) {
    sets.push('#ttl = :ttl');
    names['#ttl'] = 'ttl';
    values[':ttl'] = { N: String(outcome.ttl) };
  }
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: incidentKey(outcome.incidentId) } },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    }),
  );
}

const FAILED: IncidentStatus = 'FAILED';
const OPEN: IncidentStatus = 'IN_PROGRESS';

/**
 * Marks the incident FAILED after its execution failed, so a repeat of the finding is responded to again.
 * Only the response this execution was running: a failed repeat must not undo a finished containment.
 */
export async function markIncidentFailed(
  ddb: DynamoDBClient,
  table: string,
  failure: { readonly incidentId: string; readonly executionArn: string; readonly now: string },
): Promise<void> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: incidentKey(failure.incidentId) } },
        UpdateExpression: 'SET #status = :failed, failedExecutionArn = :exec, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND (#status = :open OR executionArn = :exec)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': { S: FAILED },
          ':open': { S: OPEN },
          ':exec': { S: failure.executionArn },
          ':now': { S: failure.now },
        },
      }),
    );
  } catch (err) {
    // The execution failed before it opened the incident, or the incident is another response's: nothing to mark.
    if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
  }
}

export interface IncidentItem {
  readonly incidentId: string;
  readonly status: string;
  readonly item: Record<string, unknown>;
  readonly outcome?: Record<string, unknown>;
}

/** What marking an incident released needs. */
export interface MarkReleasedDeps {
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly now: () => number;
}

/** The incident, read consistently, with its recorded outcome parsed; undefined when there is none. */
export async function loadIncident(
  ddb: DynamoDBClient,
  table: string,
  incidentId: string,
): Promise<IncidentItem | undefined> {
  const out = await ddb.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: incidentKey(incidentId) } },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const item = unmarshall(out.Item) as Record<string, unknown>;
  let outcome: Record<string, unknown> | undefined;
  if (typeof item.outcome === 'string') {
    try {
      const parsed: unknown = JSON.parse(item.outcome);
      if (isObject(parsed)) outcome = parsed;
    } catch {
      // A malformed outcome only hides the action summary; the evidence still drives the release.
    }
  }
  return {
    incidentId,
    status: typeof item.status === 'string' ? item.status : 'UNKNOWN',
    item,
    ...(outcome ? { outcome } : {}),
  };
}

const RELEASED: IncidentStatus = 'RELEASED';

/** Marks the incident RELEASED if it is still `incident.status`, recording the steps and who released it. */
export async function markReleased(
  deps: MarkReleasedDeps,
  incident: Pick<IncidentItem, 'incidentId' | 'status'>,
  steps: readonly ReleaseStep[],
  actor: string,
): Promise<ReleaseStep> {
  const target = `incident ${incident.incidentId}`;
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.table,
        Key: { pk: { S: incidentKey(incident.incidentId) } },
        UpdateExpression:
          'SET #status = :released, releasedAt = :now, releasedBy = :actor, releasedFrom = :previous, releaseSteps = :steps, updatedAt = :now',
        // Someone else changed the incident meanwhile: better to refuse than overwrite their status.
        ConditionExpression: '#status = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':released': { S: RELEASED },
          ':now': { S: new Date(deps.now()).toISOString() },
          ':actor': { S: actor },
          ':previous': { S: incident.status },
          ':steps': { S: JSON.stringify(steps) },
        },
      }),
    );
  } catch (err) {
    return {
      action: 'mark-released',
      target,
      status: 'failed',
      detail: failedCall('dynamodb:UpdateItem', err),
    };
  }
  return {
    action: 'mark-released',
    target,
    status: 'done',
    detail: `status ${incident.status} → ${RELEASED}`,
  };
}

/** When the last reconciliation sweep started (ISO), undefined before the first. */
export async function readSweepWatermark(ddb: DynamoDBClient, table: string): Promise<string | undefined> {
  const out = await ddb.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: SWEEP_KEY } }, ConsistentRead: true }),
  );
  const value = out.Item?.lastSweepAt?.S;
  return value && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

/** Moves the watermark forward (never back: a slow sweep finishing after a later one must not rewind it). */
export async function recordSweepWatermark(
  ddb: DynamoDBClient,
  table: string,
  sweep: { readonly watermark: string; readonly summary: unknown },
): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: SWEEP_KEY } },
        UpdateExpression: 'SET lastSweepAt = :at, lastSweep = :summary',
        ConditionExpression: 'attribute_not_exists(lastSweepAt) OR lastSweepAt < :at',
        ExpressionAttributeValues: {
          ':at': { S: sweep.watermark },
          ':summary': { S: JSON.stringify(sweep.summary) },
        },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

const QUARANTINED: IncidentStatus = 'QUARANTINED';
const LEGACY_RESOLVED: IncidentStatus = 'RESOLVED';

/** A filter of the incidents on the `byEntity` index. */
interface IncidentFilter {
  readonly expression: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, AttributeValue>;
}

/** The incidents `filter` keeps, at most `pageBudget` pages; `truncated` when pages were left unread. */
async function queryIncidents(
  ddb: DynamoDBClient,
  table: string,
  pageBudget: number,
  filter: IncidentFilter,
  toIncident: (item: Record<string, unknown>) => IncidentItem | undefined,
): Promise<{ readonly incidents: IncidentItem[]; readonly truncated: boolean }> {
  const incidents: IncidentItem[] = [];
  let start: Record<string, AttributeValue> | undefined;
  let pages = 0;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byEntity',
        KeyConditionExpression: '#entity = :incident',
        FilterExpression: filter.expression,
        ExpressionAttributeNames: { '#entity': 'entity', ...filter.names },
        ExpressionAttributeValues: { ':incident': { S: 'INCIDENT' }, ...filter.values },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    pages += 1;
    for (const raw of page.Items ?? []) {
      const incident = toIncident(unmarshall(raw) as Record<string, unknown>);
      if (incident) incidents.push(incident);
    }
    start = page.LastEvaluatedKey;
  } while (start && pages < pageBudget);
  return { incidents, truncated: start !== undefined };
}

/** Image incidents still quarantined with no resolution observed yet, at most `pageBudget` pages of them. */
export function quarantinedImageIncidents(
  ddb: DynamoDBClient,
  table: string,
  pageBudget: number,
): Promise<{ readonly incidents: IncidentItem[]; readonly truncated: boolean }> {
  const filter: IncidentFilter = {
    expression:
      '#status IN (:s0, :s1) AND #source = :inspector AND attribute_not_exists(resolutionObservedAt)',
    names: { '#status': 'status', '#source': 'source' },
    values: {
      ':s0': { S: QUARANTINED },
      // Written by earlier versions for a quarantine that is still in place.
      ':s1': { S: LEGACY_RESOLVED },
      ':inspector': { S: 'inspector2' },
    },
  };
  return queryIncidents(ddb, table, pageBudget, filter, (item) =>
    typeof item.incidentId === 'string' && typeof item.status === 'string'
      ? { incidentId: item.incidentId, status: item.status, item }
      : undefined,
  );
}

/**
 * Every incident, with its status and recorded outcome, at most `pageBudget` pages: for the holds of a digest
 * (lambdas/core/image-holds.ts). `truncated` when pages were left unread.
 */
export function recordedIncidents(
  ddb: DynamoDBClient,
  table: string,
  pageBudget: number,
): Promise<{ readonly incidents: IncidentItem[]; readonly truncated: boolean }> {
  return queryIncidents(ddb, table, pageBudget, { expression: 'attribute_exists(outcome)' }, (item) => {
    if (typeof item.incidentId !== 'string' || typeof item.status !== 'string') return undefined;
    let outcome: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = typeof item.outcome === 'string' ? JSON.parse(item.outcome) : undefined;
      if (isObject(parsed)) outcome = parsed;
    } catch {
      // A malformed outcome records no hold.
    }
    return { incidentId: item.incidentId, status: item.status, item, ...(outcome ? { outcome } : {}) };
  });
}

/**
 * Records, once, that an image incident looks resolved. True when this call recorded it: the caller
 * notifies only then, so a repeat sweep (or a concurrent one) never notifies twice. The status is left
 * as it is: only a person releases.
 */
export async function recordResolutionObserved(
  ddb: DynamoDBClient,
  table: string,
  observed: {
    readonly incidentId: string;
    readonly status: string;
    readonly at: string;
    readonly detail: unknown;
  },
): Promise<boolean> {
  try {
    await ddb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: incidentKey(observed.incidentId) } },
        UpdateExpression: 'SET resolutionObservedAt = :at, resolution = :detail, updatedAt = :at',
        ConditionExpression: 'attribute_not_exists(resolutionObservedAt) AND #status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':at': { S: observed.at },
          ':status': { S: observed.status },
          ':detail': { S: JSON.stringify(observed.detail) },
        },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
    throw err;
  }
}

/** Records whether the "resolved" notification was published (an unpublished one is not sent again). */
export async function recordResolutionNotification(
  ddb: DynamoDBClient,
  table: string,
  incidentId: string,
  notification: PublishOutcome,
): Promise<void> {
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: incidentKey(incidentId) } },
      UpdateExpression: 'SET resolutionNotification = :n',
      ExpressionAttributeValues: { ':n': { S: JSON.stringify(notification) } },
    }),
  );
}

/**
 * Marks a release as started, before anything is undone: shield-right's own re-push of the image restores
 * it and ECR reports that push like any other, so the push check must already see the hold lifted
 * (core/image-push.ts). Conditional on the status the release read, like markReleased.
 */
export async function markReleaseStarted(
  deps: MarkReleasedDeps,
  incident: Pick<IncidentItem, 'incidentId' | 'status'>,
  actor: string,
): Promise<ReleaseStep | undefined> {
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.table,
        Key: { pk: { S: incidentKey(incident.incidentId) } },
        UpdateExpression: 'SET releaseStartedAt = :now, releaseStartedBy = :actor, updatedAt = :now',
        ConditionExpression: '#status = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':now': { S: new Date(deps.now()).toISOString() },
          ':actor': { S: actor },
          ':previous': { S: incident.status },
        },
      }),
    );
    return undefined;
  } catch (err) {
    return {
      action: 'mark-release-started',
      target: `incident ${incident.incidentId}`,
      status: 'failed',
      detail: failedCall('dynamodb:UpdateItem', err),
    };
  }
}

/** Records on the incident that a push lifted its hold and the quarantine was applied again. */
export async function recordQuarantineBypass(
  ddb: DynamoDBClient,
  table: string,
  bypass: { readonly incidentId: string; readonly at: string; readonly detail: unknown },
): Promise<void> {
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: incidentKey(bypass.incidentId) } },
      UpdateExpression: 'SET lastBypass = :detail, updatedAt = :now ADD bypassCount :one',
      ExpressionAttributeValues: {
        ':detail': { S: JSON.stringify(bypass.detail) },
        ':now': { S: bypass.at },
        ':one': { N: '1' },
      },
    }),
  );
}
