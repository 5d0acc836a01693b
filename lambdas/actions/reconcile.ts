/**
 * The reconciliation sweep: findings whose EventBridge event never arrived (delivery is best effort) get
 * the response their event would have started, with the same input, under a `reconcile-` execution name.
 * A finding the event path already handled is skipped (its incident exists); a race with a late event is
 * settled by the workflows' own conditional writes and claims.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import {
  GetFindingsCommand,
  type GuardDutyClient,
  Finding$ as GuardDutyFinding,
  ListDetectorsCommand,
  ListFindingsCommand as ListGuardDutyFindingsCommand,
} from '@aws-sdk/client-guardduty';
import {
  type Inspector2Client,
  Finding$ as InspectorFinding,
  ListFindingsCommand as ListInspectorFindingsCommand,
} from '@aws-sdk/client-inspector2';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import { NormalizedSchema } from '@smithy/core/schema';
import type { InspectorSeverity } from '../../definitions/config';
import type { WorkflowName } from '../../definitions/functions';
import { awsErrorName } from '../core/errors';
import { eventForFinding, sdkToWire } from '../core/finding-event';
import {
  GET_FINDINGS_BATCH,
  GUARDDUTY_PAGE,
  guardDutyCriteria,
  INSPECTOR_PAGE,
  incidentHasFinding,
  inspectorCriteria,
  inspectorImage,
  isRuntimeMonitoringFinding,
  isSettling,
  reconcileExecutionName,
  sweepSince,
  updatedAtMs,
} from '../core/reconcile';
import { imageIncidentId } from '../core/vulnerability';
import { loadIncident, readSweepWatermark, recordSweepWatermark } from './incident-store';
import { type ResolutionReport, sweepImageResolutions } from './reconcile-resolved';

/** The workflows a missed finding starts (the push check is started by ECR events only). */
export type SweptWorkflow = Extract<WorkflowName, 'RuntimeThreatResponse' | 'VulnerableImageResponse'>;

export interface ReconcileSettings {
  readonly inspectorSeverities: readonly InspectorSeverity[];
  /** The GuardDuty floor of the RuntimeThreatRule (config `minimumSeverity`). */
  readonly minimumSeverity: number;
  readonly everyMinutes: number;
  readonly pageBudget: number;
}

export interface ReconcileDeps {
  readonly inspector2: Inspector2Client;
  readonly guardduty: GuardDutyClient;
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBClient;
  readonly ecs: ECSClient;
  readonly sns: SNSClient;
  readonly table: string;
  readonly topicArn: string;
  readonly region: string;
  readonly stateMachineArns: Readonly<Record<SweptWorkflow, string>>;
  readonly settings: ReconcileSettings;
  readonly now: number;
}

export interface StartedExecution {
  readonly finding: string;
  readonly executionName: string;
  /** Undefined when Step Functions refused the name: this finding version was started before. */
  readonly executionArn?: string;
}

export interface SourceReport {
  /** Findings read from the service (after the service's own filters). */
  readonly listed: number;
  readonly started: StartedExecution[];
  /** Findings whose incident exists, whose start was already made, or that are too recent to call lost. */
  readonly skipped: {
    readonly handled: number;
    readonly alreadyStarted: number;
    readonly settling: number;
    /** Findings of other accounts (a delegated administrator lists its members'): not this deployment's. */
    readonly otherAccount: number;
  };
  /** The page budget ran out before the listing did: some findings were not looked at this time. */
  readonly truncated: boolean;
}

export interface ReconcileReport {
  readonly sweptAt: string;
  /** GuardDuty findings updated at or after this time were read. */
  readonly since: string;
  readonly inspector: SourceReport;
  readonly guardduty: SourceReport;
  readonly resolutions: ResolutionReport;
  /** The watermark recorded for the next sweep. */
  readonly watermark: string;
}

/**
 * The account shield-right is deployed in, from its own state machine's ARN. The event path refuses another
 * account's finding (CrossAccountFindingError); the sweep must not start what the rule would refuse.
 */
function deploymentAccount(deps: ReconcileDeps): string {
  return deps.stateMachineArns.RuntimeThreatResponse.split(':')[4] ?? '';
}

interface Tally {
  listed: number;
  started: StartedExecution[];
  handled: number;
  alreadyStarted: number;
  settling: number;
  otherAccount: number;
  truncated: boolean;
}

const newTally = (): Tally => ({
  listed: 0,
  started: [],
  handled: 0,
  alreadyStarted: 0,
  settling: 0,
  otherAccount: 0,
  truncated: false,
});

function report(t: Tally): SourceReport {
  return {
    listed: t.listed,
    started: t.started,
    skipped: {
      handled: t.handled,
      alreadyStarted: t.alreadyStarted,
      settling: t.settling,
      otherAccount: t.otherAccount,
    },
    truncated: t.truncated,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Starts the workflow the rule would have started; a name already used means this version was started. */
async function start(
  deps: ReconcileDeps,
  workflow: SweptWorkflow,
  findingKey: string,
  detail: Record<string, unknown>,
  source: 'aws.guardduty' | 'aws.inspector2',
  tally: Tally,
): Promise<void> {
  const executionName = reconcileExecutionName(findingKey, detail);
  const event = eventForFinding(source, detail, deps.now);
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArns[workflow],
        name: executionName,
        input: JSON.stringify(event),
      }),
    );
    tally.started.push({
      finding: findingKey,
      executionName,
      ...(out.executionArn ? { executionArn: out.executionArn } : {}),
    });
  } catch (err) {
    if (awsErrorName(err) !== 'ExecutionAlreadyExists') throw err;
    tally.alreadyStarted += 1;
  }
}

const inspectorSchema = NormalizedSchema.of(InspectorFinding);
const guardDutySchema = NormalizedSchema.of(GuardDutyFinding);

/** ACTIVE Inspector findings on ECR images at or above the floor, newest first, within the page budget. */
async function sweepInspector(deps: ReconcileDeps): Promise<SourceReport> {
  const tally = newTally();
  // One read per image: many findings of one digest share its incident.
  const incidents = new Map<string, Record<string, unknown> | undefined>();
  for (const severity of deps.settings.inspectorSeverities) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await deps.inspector2.send(
        new ListInspectorFindingsCommand({
          filterCriteria: inspectorCriteria(severity),
          sortCriteria: { field: 'FIRST_OBSERVED_AT', sortOrder: 'DESC' },
          maxResults: INSPECTOR_PAGE,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      pages += 1;
      nextToken = page.nextToken;
      for (const finding of page.findings ?? []) {
        tally.listed += 1;
        const detail = sdkToWire(inspectorSchema, finding);
        if (!isRecord(detail) || typeof detail.findingArn !== 'string') continue;
        if (detail.awsAccountId !== deploymentAccount(deps)) {
          tally.otherAccount += 1;
          continue;
        }
        const image = inspectorImage(detail);
        if (!image) continue;
        if (isSettling(detail, deps.now)) {
          tally.settling += 1;
          continue;
        }
        const incidentId = imageIncidentId(image.digest);
        if (!incidents.has(incidentId)) {
          incidents.set(incidentId, (await loadIncident(deps.dynamodb, deps.table, incidentId))?.item);
        }
        const item = incidents.get(incidentId);
        if (item && incidentHasFinding(item, detail.findingArn)) {
          tally.handled += 1;
          continue;
        }
        await start(deps, 'VulnerableImageResponse', detail.findingArn, detail, 'aws.inspector2', tally);
      }
    } while (nextToken && pages < deps.settings.pageBudget);
    if (nextToken) tally.truncated = true;
  }
  return report(tally);
}

/**
 * GuardDuty ECS Runtime Monitoring findings updated since `sinceMs`, oldest first, so that a truncated
 * sweep can record how far it got. Returns that point (epoch ms) when truncated.
 */
async function sweepGuardDuty(
  deps: ReconcileDeps,
  sinceMs: number,
): Promise<{ report: SourceReport; reachedMs?: number }> {
  const tally = newTally();
  const gd = deps.guardduty;
  const detectors: string[] = [];
  let detectorToken: string | undefined;
  do {
    const page = await gd.send(
      new ListDetectorsCommand({
        MaxResults: GUARDDUTY_PAGE,
        ...(detectorToken ? { NextToken: detectorToken } : {}),
      }),
    );
    detectors.push(...(page.DetectorIds ?? []));
    detectorToken = page.NextToken;
  } while (detectorToken);
  let reachedMs: number | undefined;
  for (const DetectorId of detectors) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await gd.send(
        new ListGuardDutyFindingsCommand({
          DetectorId,
          FindingCriteria: guardDutyCriteria(sinceMs, deps.settings.minimumSeverity),
          SortCriteria: { AttributeName: 'updatedAt', OrderBy: 'ASC' },
          MaxResults: GUARDDUTY_PAGE,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      pages += 1;
      nextToken = page.NextToken;
      const ids = page.FindingIds ?? [];
      for (let i = 0; i < ids.length; i += GET_FINDINGS_BATCH) {
        const got = await gd.send(
          new GetFindingsCommand({ DetectorId, FindingIds: ids.slice(i, i + GET_FINDINGS_BATCH) }),
        );
        for (const finding of got.Findings ?? []) {
          tally.listed += 1;
          const detail = sdkToWire(guardDutySchema, finding);
          if (!isRecord(detail) || typeof detail.id !== 'string') continue;
          const at = updatedAtMs(detail);
          if (!Number.isNaN(at)) reachedMs = Math.max(reachedMs ?? at, at);
          if (detail.accountId !== deploymentAccount(deps)) {
            tally.otherAccount += 1;
            continue;
          }
          if (!isRuntimeMonitoringFinding(detail, deps.settings.minimumSeverity)) continue;
          if (isSettling(detail, deps.now)) {
            tally.settling += 1;
            continue;
          }
          // The runtime workflow's incident is keyed by the finding id (RecordIncident).
          if (await loadIncident(deps.dynamodb, deps.table, detail.id)) {
            tally.handled += 1;
            continue;
          }
          await start(deps, 'RuntimeThreatResponse', detail.id, detail, 'aws.guardduty', tally);
        }
      }
    } while (nextToken && pages < deps.settings.pageBudget);
    if (nextToken) tally.truncated = true;
  }
  return { report: report(tally), ...(tally.truncated && reachedMs !== undefined ? { reachedMs } : {}) };
}

/** One sweep: lost findings of both sources, then image incidents that look resolved; then the watermark. */
export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const lastSweepAt = await readSweepWatermark(deps.dynamodb, deps.table);
  const sinceMs = sweepSince(lastSweepAt, deps.now, deps.settings.everyMinutes);
  const inspector = await sweepInspector(deps);
  const guardduty = await sweepGuardDuty(deps, sinceMs);
  const resolutions = await sweepImageResolutions(deps);
  // A truncated GuardDuty sweep continues next time from the last update it read (oldest first).
  const watermarkMs = guardduty.reachedMs !== undefined ? Math.min(guardduty.reachedMs, deps.now) : deps.now;
  const watermark = new Date(watermarkMs).toISOString();
  const summary = {
    sweptAt: new Date(deps.now).toISOString(),
    since: new Date(sinceMs).toISOString(),
    inspector,
    guardduty: guardduty.report,
    resolutions,
    watermark,
  };
  await recordSweepWatermark(deps.dynamodb, deps.table, {
    watermark,
    summary: {
      sweptAt: summary.sweptAt,
      started: inspector.started.length + guardduty.report.started.length,
      truncated: inspector.truncated || guardduty.report.truncated || resolutions.truncated,
      resolved: resolutions.notified.length,
    },
  });
  return summary;
}
