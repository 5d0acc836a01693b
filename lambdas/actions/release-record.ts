/**
 * The incident table as the release sees it: an incident read, and marked RELEASED once nothing is left to
 * undo. Kept apart so it can be folded into the incident store.
 */
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isObject } from '../core/read';
import { failure, type ReleaseStep } from './release-step';

/** Statuses that leave something in place to undo; RESOLVED image incidents may still be quarantined. */
export const RELEASABLE_STATUSES: readonly string[] = ['CONTAINED', 'ISOLATED', 'QUARANTINED', 'RESOLVED'];
export const RELEASED_STATUS = 'RELEASED';
/** Incident ids are GuardDuty finding ids or `img-<digest prefix>`: anything else is refused. */
export const INCIDENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

export interface IncidentItem {
  readonly incidentId: string;
  readonly status: string;
  readonly item: Record<string, unknown>;
  readonly outcome?: Record<string, unknown>;
}

/** What marking an incident released needs. */
export interface ReleaseRecordDeps {
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
      Key: { pk: { S: `INCIDENT#${incidentId}` } },
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

/** Marks the incident RELEASED if it is still `incident.status`, recording the steps and who released it. */
export async function markReleased(
  deps: ReleaseRecordDeps,
  incident: Pick<IncidentItem, 'incidentId' | 'status'>,
  steps: readonly ReleaseStep[],
  actor: string,
): Promise<ReleaseStep> {
  const target = `incident ${incident.incidentId}`;
  try {
    await deps.dynamodb.send(
      new UpdateItemCommand({
        TableName: deps.table,
        Key: { pk: { S: `INCIDENT#${incident.incidentId}` } },
        UpdateExpression:
          'SET #status = :released, releasedAt = :now, releasedBy = :actor, releasedFrom = :previous, releaseSteps = :steps, updatedAt = :now',
        // Someone else changed the incident meanwhile: better to refuse than overwrite their status.
        ConditionExpression: '#status = :previous',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':released': { S: RELEASED_STATUS },
          ':now': { S: new Date(deps.now()).toISOString() },
          ':actor': { S: actor },
          ':previous': { S: incident.status },
          ':steps': { S: JSON.stringify(steps) },
        },
      }),
    );
  } catch (err) {
    return { action: 'mark-released', target, status: 'failed', detail: failure('dynamodb:UpdateItem', err) };
  }
  return {
    action: 'mark-released',
    target,
    status: 'done',
    detail: `status ${incident.status} → ${RELEASED_STATUS}`,
  };
}
