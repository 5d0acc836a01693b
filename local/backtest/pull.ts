/**
 * The findings of a window, read as the reconciliation sweep reads them (lambdas/actions/reconcile.ts):
 * GuardDuty ECS findings by `ListFindings` criteria then `GetFindings` in batches of 50, Inspector ECR image
 * findings by `ListFindings` filters, both converted back to the EventBridge `detail` shape. Each finding
 * gets the time it is replayed at and the labels of what is reconstructed about it.
 */
import {
  GetFindingsCommand,
  Finding$ as GuardDutyFinding$,
  ListDetectorsCommand,
  ListFindingsCommand as ListGuardDutyFindingsCommand,
} from '@aws-sdk/client-guardduty';
import {
  Finding$ as InspectorFinding$,
  ListFindingsCommand as ListInspectorFindingsCommand,
} from '@aws-sdk/client-inspector2';
import { NormalizedSchema } from '@smithy/core/schema';
import { sdkToWire } from '../../lambdas/core/finding-event';
import { GET_FINDINGS_BATCH, GUARDDUTY_PAGE, INSPECTOR_PAGE } from '../../lambdas/core/reconcile';
import type { SourceClients } from './source';

export type FindingSource = 'aws.guardduty' | 'aws.inspector2';

export interface PulledFinding {
  readonly source: FindingSource;
  /** The GuardDuty finding id or the Inspector finding ARN. */
  readonly id: string;
  /** When it is replayed (epoch ms): its first sighting, or the window's start if it was seen before. */
  readonly at: number;
  readonly detail: Record<string, unknown>;
  /** What about it is reconstructed rather than as it was then. */
  readonly labels: string[];
}

export interface Window {
  readonly from: number;
  readonly to: number;
}

export type Progress = (message: string) => void;

const guardDutySchema = NormalizedSchema.of(GuardDutyFinding$);
const inspectorSchema = NormalizedSchema.of(InspectorFinding$);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ms(value: unknown): number {
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

/** The replay time: the first sighting when inside the window, else the last update (it changed in the window). */
function replayTime(first: number, updated: number, window: Window): { at: number; before: boolean } {
  if (!Number.isNaN(first) && first >= window.from) return { at: first, before: false };
  const at = Number.isNaN(updated) ? window.from : Math.max(window.from, updated);
  return { at, before: true };
}

function guardDutyLabels(detail: Record<string, unknown>, before: boolean): string[] {
  const service = isRecord(detail.service) ? detail.service : {};
  const labels: string[] = [];
  const count = typeof service.count === 'number' ? service.count : 1;
  if (count > 1 || detail.updatedAt !== detail.createdAt) {
    labels.push(
      `finding read in its last state (count ${count}, updated ${String(detail.updatedAt)}): GetFindings returns the latest version, not the one first delivered`,
    );
  }
  if (before)
    labels.push(`first seen before the window (${String(detail.createdAt)}): replayed at its update`);
  if (service.archived === true) labels.push('archived now: whether it was archived then is not known');
  return labels;
}

function inspectorLabels(detail: Record<string, unknown>, before: boolean): string[] {
  const labels: string[] = [];
  if (detail.status !== 'ACTIVE') {
    labels.push(`${String(detail.status)} now: replayed as ACTIVE at its first observation`);
  }
  if (before) {
    labels.push(
      `first observed before the window (${String(detail.firstObservedAt)}): replayed at its update`,
    );
  }
  return labels;
}

async function guardDutyFindings(
  clients: SourceClients,
  window: Window,
  progress: Progress,
): Promise<PulledFinding[]> {
  const found: PulledFinding[] = [];
  const detectors: string[] = [];
  let detectorToken: string | undefined;
  do {
    const page = await clients.guardduty.send(
      new ListDetectorsCommand({
        MaxResults: GUARDDUTY_PAGE,
        ...(detectorToken ? { NextToken: detectorToken } : {}),
      }),
    );
    detectors.push(...(page.DetectorIds ?? []));
    detectorToken = page.NextToken;
  } while (detectorToken);
  for (const DetectorId of detectors) {
    let nextToken: string | undefined;
    do {
      const page = await clients.guardduty.send(
        new ListGuardDutyFindingsCommand({
          DetectorId,
          // Only attributes ListFindings documents (docs/aws-behaviours.md R2); archived ones included.
          FindingCriteria: {
            Criterion: {
              'resource.resourceType': { Equals: ['ECSCluster'] },
              updatedAt: {
                GreaterThanOrEqual: Math.floor(window.from),
                LessThanOrEqual: Math.floor(window.to),
              },
            },
          },
          SortCriteria: { AttributeName: 'updatedAt', OrderBy: 'ASC' },
          MaxResults: GUARDDUTY_PAGE,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      nextToken = page.NextToken;
      const ids = page.FindingIds ?? [];
      for (let i = 0; i < ids.length; i += GET_FINDINGS_BATCH) {
        const got = await clients.guardduty.send(
          new GetFindingsCommand({ DetectorId, FindingIds: ids.slice(i, i + GET_FINDINGS_BATCH) }),
        );
        for (const finding of got.Findings ?? []) {
          const detail = sdkToWire(guardDutySchema, finding);
          if (!isRecord(detail) || typeof detail.id !== 'string') continue;
          const { at, before } = replayTime(ms(detail.createdAt), ms(detail.updatedAt), window);
          found.push({
            source: 'aws.guardduty',
            id: detail.id,
            at,
            detail,
            labels: guardDutyLabels(detail, before),
          });
        }
      }
      progress(`GuardDuty: ${found.length} finding(s) read`);
    } while (nextToken);
  }
  return found;
}

async function inspectorFindings(
  clients: SourceClients,
  window: Window,
  progress: Progress,
): Promise<PulledFinding[]> {
  const found: PulledFinding[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.inspector2.send(
      new ListInspectorFindingsCommand({
        // Every status: a finding CLOSED since was ACTIVE when it was first observed.
        filterCriteria: {
          resourceType: [{ comparison: 'EQUALS', value: 'AWS_ECR_CONTAINER_IMAGE' }],
          updatedAt: [{ startInclusive: new Date(window.from), endInclusive: new Date(window.to) }],
        },
        sortCriteria: { field: 'FIRST_OBSERVED_AT', sortOrder: 'ASC' },
        maxResults: INSPECTOR_PAGE,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    nextToken = page.nextToken;
    for (const finding of page.findings ?? []) {
      const detail = sdkToWire(inspectorSchema, finding);
      if (!isRecord(detail) || typeof detail.findingArn !== 'string') continue;
      const { at, before } = replayTime(ms(detail.firstObservedAt), ms(detail.updatedAt), window);
      // Replayed as the event of its first observation: ACTIVE, whatever it is now.
      const replayed = { ...detail, status: 'ACTIVE' };
      found.push({
        source: 'aws.inspector2',
        id: detail.findingArn,
        at,
        detail: replayed,
        labels: inspectorLabels(detail, before),
      });
    }
    progress(`Inspector: ${found.length} finding(s) read`);
  } while (nextToken);
  return found;
}

/** Every finding of the window, oldest first (ties: GuardDuty before Inspector, then by id). */
export async function pullFindings(
  clients: SourceClients,
  window: Window,
  progress: Progress = () => {},
): Promise<PulledFinding[]> {
  const all = [
    ...(await guardDutyFindings(clients, window, progress)),
    ...(await inspectorFindings(clients, window, progress)),
  ];
  return all.sort((a, b) => a.at - b.at || a.source.localeCompare(b.source) || a.id.localeCompare(b.id));
}
