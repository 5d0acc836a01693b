/**
 * Release of a containment, from the evidence saved before it was made: security-group rules or the
 * container instance's groups restored (network-isolation.ts), the image un-archived and its tags moved back
 * (image-quarantine.ts), the service tag removed (service-tag.ts), the incident marked RELEASED
 * (incident-store.ts) and the release notified. Every step is idempotent, so a release that stopped half way
 * (an image still activating, a failed call) is finished by running it again; the incident is marked
 * RELEASED only when nothing is left to undo. A stopped task is never restarted: its service has replaced it.
 * SDK clients are passed in, so a Lambda (ReleaseQuarantine, function releaseImage) can run this as well as
 * the CLI.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ReleaseRefusedError } from '../core/errors';
import { INCIDENT_ID, isIncidentStatus, RELEASABLE_STATUSES } from '../core/incident';
import { renderReleaseNotification } from '../core/render';
import { evidenceKey } from './evidence';
import { plannedImageRestore, QUARANTINE_EVIDENCE_PREFIX, restoreImages } from './image-quarantine';
import { loadIncident, markReleased } from './incident-store';
import { plannedIsolationRestore, restoreIsolation } from './network-isolation';
import { type PublishOutcome, publishNotification } from './notify';
import {
  listEvidenceKeys,
  loadEvidence,
  type ReleaseEvidence,
  readQuarantineRecords,
} from './release-evidence';
import { FINISHED, type ReleaseStep } from './release-step';
import { plannedServiceTagRemoval, restoreServiceTag } from './service-tag';

export interface ReleaseDeps {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly evidenceBucket: string;
  readonly table: string;
  readonly topicArn: string;
  readonly region: string;
  readonly now: () => number;
  /** Told what is about to happen, for progress on a terminal. */
  readonly onStep?: (text: string) => void;
}

export interface ReleaseRequest {
  readonly incidentId: string;
  /** Read the evidence and say what would be undone, changing nothing. */
  readonly dryRun?: boolean;
  /** Who released it, recorded on the incident. */
  readonly actor?: string;
}

export interface ReleaseResult {
  readonly incidentId: string;
  readonly previousStatus: string;
  readonly released: boolean;
  readonly dryRun: boolean;
  readonly steps: ReleaseStep[];
  readonly notification?: PublishOutcome;
}

/** What a release would undo, for a dry run (and to refuse a release with nothing to undo). */
function plannedSteps(evidence: ReleaseEvidence): ReleaseStep[] {
  const isolation = evidence.isolation ? plannedIsolationRestore(evidence.isolation) : undefined;
  return [
    ...(isolation ? [isolation] : []),
    ...evidence.quarantines.map(plannedImageRestore),
    ...evidence.serviceArns.map(plannedServiceTagRemoval),
  ];
}

/** Undoes what the response did to an incident, as recorded in its evidence. Throws ReleaseRefusedError. */
export async function releaseIncident(deps: ReleaseDeps, request: ReleaseRequest): Promise<ReleaseResult> {
  const { incidentId } = request;
  if (!INCIDENT_ID.test(incidentId)) throw new ReleaseRefusedError(`${incidentId} is not an incident id`);
  deps.onStep?.('reading the incident');
  const incident = await loadIncident(deps.dynamodb, deps.table, incidentId);
  if (!incident) throw new ReleaseRefusedError(`no incident ${incidentId} in table ${deps.table}`);
  if (incident.status === 'RELEASED') {
    throw new ReleaseRefusedError(
      `incident ${incidentId} was already released at ${String(incident.item.releasedAt ?? 'an unknown time')} by ${String(incident.item.releasedBy ?? 'someone')}`,
    );
  }
  if (
    !isIncidentStatus(incident.status) ||
    !(RELEASABLE_STATUSES as readonly string[]).includes(incident.status)
  ) {
    throw new ReleaseRefusedError(
      `incident ${incidentId} is ${incident.status}: nothing was contained, so there is nothing to release (releasable: ${RELEASABLE_STATUSES.join(', ')})`,
    );
  }
  deps.onStep?.('reading the evidence');
  const evidence = await loadEvidence(deps.s3, deps.evidenceBucket, incident);
  const planned = plannedSteps(evidence);
  if (planned.length === 0) {
    throw new ReleaseRefusedError(
      `incident ${incidentId} is ${incident.status} but no isolation, quarantine or service tag is recorded in s3://${deps.evidenceBucket}/incidents/${incidentId}/: nothing to undo (a stopped task is not restarted; its service replaces it)`,
    );
  }
  const base = { incidentId, previousStatus: incident.status };
  if (request.dryRun) return { ...base, released: false, dryRun: true, steps: planned };

  const steps: ReleaseStep[] = [];
  const isolation = evidence.isolation ? restoreIsolation(deps, evidence.isolation) : undefined;
  if (isolation) steps.push(await isolation);
  steps.push(...(await restoreImages(deps, evidence.quarantines)));
  for (const arn of evidence.serviceArns) {
    deps.onStep?.(`untagging ${arn}`);
    steps.push(await restoreServiceTag(deps.ecs, arn, incidentId));
  }
  const complete = steps.every((s) => FINISHED.has(s.status));
  if (!complete) return { ...base, released: false, dryRun: false, steps };

  deps.onStep?.('marking the incident released');
  const mark = await markReleased(deps, incident, steps, request.actor ?? 'shield-right');
  steps.push(mark);
  if (mark.status !== 'done') return { ...base, released: false, dryRun: false, steps };
  deps.onStep?.('notifying');
  const rendered = renderReleaseNotification({
    incident,
    steps,
    ...(request.actor ? { actor: request.actor } : {}),
  });
  const notification = await publishNotification(deps.sns, deps.topicArn, rendered);
  steps.push({
    action: 'notify',
    target: deps.topicArn,
    status: notification.published ? 'done' : 'failed',
    ...(notification.error ? { detail: notification.error } : {}),
  });
  return { ...base, released: true, dryRun: false, steps, notification };
}

// ---------------------------------------------------------------------------------------------------------
// The image part alone, for the vulnerable-image workflow (inspector.releaseOnClose): no incident read, no
// notification of its own (the workflow's resolved notification says what happened).

/** What releasing an incident's images needs: ECR, the evidence (read only) and the incident table (one write). */
export type ImageReleaseDeps = Pick<
  ReleaseDeps,
  'ecr' | 's3' | 'dynamodb' | 'evidenceBucket' | 'table' | 'now' | 'onStep'
>;

export interface ImageReleaseOptions {
  /**
   * The status the incident must still have to be marked RELEASED (the caller has checked it, e.g. the
   * workflow's QUARANTINED): if it changed meanwhile, the images are restored but the status is left alone.
   */
  readonly expectedStatus: string;
  /** Who released it, recorded on the incident. */
  readonly actor: string;
}

/**
 * `done`: every image restored and the incident RELEASED. `skipped`: no quarantine recorded, nothing done.
 * `pending`: an image is still being restored from the archive: release again later. `failed`: a step failed.
 */
export type ImageReleaseStatus = 'done' | 'skipped' | 'pending' | 'failed';

export interface ImageReleaseResult {
  readonly status: ImageReleaseStatus;
  readonly incidentId: string;
  readonly released: boolean;
  /** Why the quarantine is not (entirely) lifted; absent when `done`. */
  readonly reason?: string;
  readonly steps: ReleaseStep[];
}

/**
 * Lifts the image quarantine of an incident from its quarantine records (`incidents/<id>/quarantine/…`):
 * storage class back to STANDARD, original tags back, quarantine tag removed unless it is the only tag;
 * then marks the incident RELEASED if it is still `expectedStatus`. Like releaseIncident, every step can be
 * repeated. Throws ReleaseRefusedError for a malformed incident id only.
 */
export async function releaseImages(
  deps: ImageReleaseDeps,
  incidentId: string,
  options: ImageReleaseOptions,
): Promise<ImageReleaseResult> {
  if (!INCIDENT_ID.test(incidentId)) throw new ReleaseRefusedError(`${incidentId} is not an incident id`);
  deps.onStep?.('reading the quarantine records');
  const prefix = evidenceKey(incidentId, QUARANTINE_EVIDENCE_PREFIX);
  const keys = await listEvidenceKeys(deps.s3, deps.evidenceBucket, prefix);
  const records = await readQuarantineRecords(deps.s3, deps.evidenceBucket, incidentId, keys);
  if (records.length === 0) {
    return {
      status: 'skipped',
      incidentId,
      released: false,
      reason: `no image quarantine is recorded in s3://${deps.evidenceBucket}/${prefix}`,
      steps: [],
    };
  }
  const steps = await restoreImages(deps, records);
  const unfinished = steps.filter((s) => !FINISHED.has(s.status));
  if (unfinished.length > 0) {
    const status = unfinished.some((s) => s.status === 'failed') ? 'failed' : 'pending';
    return { status, incidentId, released: false, reason: reasonOf(unfinished), steps };
  }
  deps.onStep?.('marking the incident released');
  const mark = await markReleased(deps, { incidentId, status: options.expectedStatus }, steps, options.actor);
  steps.push(mark);
  if (mark.status !== 'done') {
    return {
      status: 'failed',
      incidentId,
      released: false,
      reason: `the images were restored, but the incident was not marked RELEASED (it may no longer be ${options.expectedStatus}): ${mark.detail ?? 'unknown error'}`,
      steps,
    };
  }
  return { status: 'done', incidentId, released: true, steps };
}

function reasonOf(steps: readonly ReleaseStep[]): string {
  return steps.map((s) => `${s.target}: ${s.status}${s.detail ? ` (${s.detail})` : ''}`).join('; ');
}
