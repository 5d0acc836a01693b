/**
 * Release of a containment, from the evidence saved before it was made: security-group rules or the
 * container instance's groups restored (network-isolation.ts), the image un-archived and its tags moved back
 * (image-quarantine.ts), the service tag removed (service-tag.ts), the incident marked RELEASED
 * (incident-store.ts) and the release notified. Every step is idempotent, so a release that stopped half way
 * (an image still activating, a failed call) is finished by running it again; the incident is marked
 * RELEASED only when nothing is left to undo. A stopped task is never restarted: its service has replaced it.
 * A person runs it (`shield-right release`): no Lambda lifts a containment on its own, since a CLOSED
 * Inspector finding is not a fix. SDK clients are passed in, so tests and the sandbox swap the transport.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ReleaseRefusedError } from '../core/errors';
import { INCIDENT_ID, isIncidentStatus, RELEASABLE_STATUSES } from '../core/incident';
import { renderReleaseNotification } from '../core/render';
import { plannedImageRestore } from './image-quarantine';
import { loadIncident, markReleased, markReleaseStarted } from './incident-store';
import { plannedIsolationRestore, restoreIsolation } from './network-isolation';
import { type PublishOutcome, publishNotification } from './notify';
import { loadEvidence, type ReleaseEvidence } from './release-evidence';
import { releaseHeldImages } from './release-holds';
import { revocationSteps } from './release-revocations';
import { resolveInSecurityHub } from './release-security-hub';
import { FINISHED, type ReleaseStep } from './release-step';
import { plannedServiceTagRemoval, restoreServiceTag } from './service-tag';

export interface ReleaseDeps {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  /** Resolves the incident's Security Hub finding when the response reached it (release-security-hub.ts). */
  readonly securityhub?: SecurityHubClient;
  readonly evidenceBucket: string;
  readonly table: string;
  readonly topicArn: string;
  readonly region: string;
  readonly now: () => number;
  /** Told what is about to happen, for progress on a terminal. */
  readonly onStep?: (text: string) => void;
  /** Organization mode: ECR in a registry account through its member role (lambdas/actions/release-holds.ts). */
  readonly ecrFor?: (roleArn: string) => Promise<ECRClient>;
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
  // Signing jobs revoked on quarantine stay revoked: said in the dry run, the CLI and the notification.
  const revoked = revocationSteps(evidence.revocations);
  if (request.dryRun) return { ...base, released: false, dryRun: true, steps: [...planned, ...revoked] };

  // Marked before anything is undone: the re-push below restores the image, ECR reports that push like any
  // other, and the push check (core/image-push.ts) must read the hold as lifted, not as bypassed.
  const started = await markReleaseStarted(deps, incident, request.actor ?? 'shield-right');
  if (started) return { ...base, released: false, dryRun: false, steps: [started] };
  const steps: ReleaseStep[] = [];
  const isolation = evidence.isolation ? restoreIsolation(deps, evidence.isolation) : undefined;
  if (isolation) steps.push(await isolation);
  // One hold per digest: an image another open incident holds stays quarantined, and the step says who holds it.
  steps.push(...(await releaseHeldImages(deps, incidentId, evidence.quarantines)));
  for (const arn of evidence.serviceArns) {
    deps.onStep?.(`untagging ${arn}`);
    steps.push(await restoreServiceTag(deps.ecs, arn, incidentId));
  }
  steps.push(...revoked);
  const complete = steps.every((s) => FINISHED.has(s.status));
  if (!complete) return { ...base, released: false, dryRun: false, steps };

  deps.onStep?.('marking the incident released');
  const mark = await markReleased(deps, incident, steps, request.actor ?? 'shield-right');
  steps.push(mark);
  if (mark.status !== 'done') return { ...base, released: false, dryRun: false, steps };
  steps.push(...(await resolveInSecurityHub(deps, incident, request.actor ?? 'shield-right')));
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
