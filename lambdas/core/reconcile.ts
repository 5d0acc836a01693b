/**
 * The reconciliation sweep's decisions, pure: which window of GuardDuty findings to read, the filters it
 * sends, which findings the event path has already handled, the execution names, and when an image
 * incident looks resolved. EventBridge delivery is best effort; the sweep closes that gap.
 */
import type { InspectorSeverity } from '../../definitions/config';

/** Each sweep re-reads this much before the previous one started: a finding can become listable late. */
export const OVERLAP_MS = 15 * 60_000;
/**
 * Findings updated this recently are left to their event (GuardDuty publishes a new finding to
 * EventBridge within about 5 minutes); the next sweep's overlap still covers them.
 */
export const SETTLE_MS = 5 * 60_000;
/** The window of a first sweep (no watermark yet) when the schedule is off. */
export const DEFAULT_LOOKBACK_MINUTES = 60;
/** GuardDuty `GetFindings` takes at most 50 ids (botocore `FindingIds`: max 50). */
export const GET_FINDINGS_BATCH = 50;
/** GuardDuty `ListFindings`/`ListDetectors` `MaxResults` maximum (botocore `MaxResults`: 1-50). */
export const GUARDDUTY_PAGE = 50;
/** Inspector `ListFindings` `maxResults` maximum (botocore `ListFindingsMaxResults`: 1-100). */
export const INSPECTOR_PAGE = 100;

export const RECONCILE_PREFIX = 'reconcile-';

/** Where this sweep starts reading GuardDuty findings (epoch ms): the last sweep's start, less the overlap. */
export function sweepSince(lastSweepAt: string | undefined, now: number, everyMinutes: number): number {
  const last = lastSweepAt === undefined ? Number.NaN : Date.parse(lastSweepAt);
  const previous = Number.isNaN(last)
    ? now - (everyMinutes > 0 ? everyMinutes : DEFAULT_LOOKBACK_MINUTES) * 60_000
    : Math.min(last, now);
  return previous - OVERLAP_MS;
}

/**
 * GuardDuty `ListFindings` criteria, using only attributes the API documents for FindingCriteria
 * (botocore guardduty `ListFindingsRequest.FindingCriteria`): `resource.resourceType`, `updatedAt` (epoch
 * milliseconds), `severity`, `service.archived`. `service.featureName` is not among them, so Runtime
 * Monitoring is checked on the findings themselves (isRuntimeMonitoringFinding).
 */
export function guardDutyCriteria(sinceMs: number, minimumSeverity: number) {
  return {
    Criterion: {
      'resource.resourceType': { Equals: ['ECSCluster'] },
      updatedAt: { GreaterThanOrEqual: Math.floor(sinceMs) },
      // Archived findings (suppression rules) are not sent to EventBridge either.
      'service.archived': { Equals: ['false'] },
      // A Long in the model: the floor of the configured severity, refined on each finding.
      ...(minimumSeverity > 0 ? { severity: { GreaterThanOrEqual: Math.floor(minimumSeverity) } } : {}),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the RuntimeThreatRule's pattern checks (definitions/patterns.ts), on a finding in the event's shape. */
export function isRuntimeMonitoringFinding(
  detail: Record<string, unknown>,
  minimumSeverity: number,
): boolean {
  const resource = isRecord(detail.resource) ? detail.resource : {};
  const service = isRecord(detail.service) ? detail.service : {};
  return (
    resource.resourceType === 'ECSCluster' &&
    service.featureName === 'RuntimeMonitoring' &&
    typeof detail.severity === 'number' &&
    detail.severity >= minimumSeverity
  );
}

/**
 * Inspector `ListFindings` criteria for one severity: ACTIVE findings on ECR images (the
 * VulnerableImageRule's pattern). One severity per call, so the sweep does not depend on how Inspector
 * combines several filters of one field.
 */
export function inspectorCriteria(severity: InspectorSeverity) {
  return {
    findingStatus: [{ comparison: 'EQUALS' as const, value: 'ACTIVE' }],
    resourceType: [{ comparison: 'EQUALS' as const, value: 'AWS_ECR_CONTAINER_IMAGE' }],
    severity: [{ comparison: 'EQUALS' as const, value: severity }],
  };
}

/** A finding's update time in epoch ms (ISO text in the event shape), NaN when absent. */
export function updatedAtMs(detail: Record<string, unknown>): number {
  return typeof detail.updatedAt === 'string' ? Date.parse(detail.updatedAt) : Number.NaN;
}

/** Too recent to call lost: its event may still be on its way. */
export function isSettling(detail: Record<string, unknown>, now: number): boolean {
  const at = updatedAtMs(detail);
  return !Number.isNaN(at) && now - at < SETTLE_MS;
}

/**
 * `reconcile-<finding>-<update time>`: visible as the sweep's in `shield-right executions`, and the same
 * finding version always gets the same name, so a second start of it is refused by Step Functions
 * (`ExecutionAlreadyExists`) even if its incident was never written.
 */
export function reconcileExecutionName(findingKey: string, detail: Record<string, unknown>): string {
  const at = updatedAtMs(detail);
  const version = Number.isNaN(at) ? '0' : Math.floor(at / 1000).toString(36);
  // An Inspector finding ARN's id is its last segment; a GuardDuty finding id has none.
  const safe = (findingKey.split('/').pop() ?? '').replace(/[^0-9A-Za-z_-]/g, '');
  const room = 80 - RECONCILE_PREFIX.length - version.length - 1;
  return `${RECONCILE_PREFIX}${safe.slice(-room) || 'finding'}-${version}`;
}

/** The ECR image an Inspector finding (event shape) is about. */
export function inspectorImage(
  detail: Record<string, unknown>,
): { readonly repository: string; readonly digest: string } | undefined {
  const resources = Array.isArray(detail.resources) ? detail.resources : [];
  for (const resource of resources) {
    if (!isRecord(resource) || resource.type !== 'AWS_ECR_CONTAINER_IMAGE') continue;
    const details = isRecord(resource.details) ? resource.details : {};
    const ecr = isRecord(details.awsEcrContainerImage) ? details.awsEcrContainerImage : {};
    if (typeof ecr.repositoryName === 'string' && typeof ecr.imageHash === 'string') {
      return { repository: ecr.repositoryName, digest: ecr.imageHash };
    }
  }
  return undefined;
}

/** Whether the image incident already lists this finding (the workflow's RecordIncident/AppendFinding). */
export function incidentHasFinding(item: Record<string, unknown>, findingArn: string): boolean {
  const arns = item.findingArns;
  if (arns instanceof Set) return arns.has(findingArn);
  return Array.isArray(arns) && arns.includes(findingArn);
}

// --- "Resolved" for an image incident -------------------------------------------------------------

/** What the sweep observed of one service that ran the quarantined digest. */
export interface ServiceObservation {
  readonly clusterArn: string;
  readonly serviceName: string;
  /** Digests its running tasks use for the quarantined image's repository. */
  readonly digests: readonly string[];
  /** Running tasks of the service, all repositories. */
  readonly runningTasks: number;
}

/** Inspector's view of a digest a service now runs. */
export interface DigestScan {
  /** `ACTIVE` with reason `SUCCESSFUL` and a `lastScannedAt` (inspector2 `CoveredResource.scanStatus`). */
  readonly complete: boolean;
  readonly status: string;
  /** ACTIVE findings on the digest for the incident's vulnerabilities. */
  readonly activeVulnerabilities: readonly string[];
}

export interface ResolutionInput {
  readonly digest: string;
  readonly vulnerabilityIds: readonly string[];
  /** The services recorded at quarantine time; undefined when the incident predates the record. */
  readonly recorded?: { readonly services: readonly unknown[]; readonly complete: boolean };
  readonly services: readonly ServiceObservation[];
  /** Running tasks that still use the quarantined digest, and whether that scan was complete. */
  readonly stillRunning: { readonly tasks: number; readonly truncated: boolean };
  readonly scans: Readonly<Record<string, DigestScan>>;
}

export interface Resolution {
  readonly resolved: boolean;
  /** Why, one line per service or condition: shown in the notification and the CLI. */
  readonly reasons: string[];
  readonly newDigests: string[];
}

/**
 * "Resolved": every service that ran the quarantined digest now runs a different digest of the image
 * whose Inspector scan is complete, with no ACTIVE finding for the incident's vulnerabilities, and no
 * running task still uses the quarantined digest. A CLOSED finding plays no part: Inspector closes the
 * findings of an image it stops scanning (an archived one), and a digest never changes.
 */
export function decideResolution(input: ResolutionInput): Resolution {
  const reasons: string[] = [];
  const blockers: string[] = [];
  if (!input.recorded) {
    blockers.push(
      'the services that ran the digest were not recorded at quarantine time (incident from an earlier version)',
    );
  } else if (!input.recorded.complete) {
    blockers.push('the task scan at quarantine time was truncated: some service may be missing');
  } else if (input.services.length === 0) {
    blockers.push('no service ran the digest at quarantine time: nothing shows a rebuilt image replaced it');
  }
  if (input.vulnerabilityIds.length === 0) {
    blockers.push("the incident's vulnerabilities could not be read from Inspector");
  }
  if (input.stillRunning.tasks > 0) {
    blockers.push(`${input.stillRunning.tasks} running task(s) still use ${input.digest}`);
  } else if (input.stillRunning.truncated) {
    blockers.push('the scan for tasks still running the digest was truncated');
  }
  const newDigests = new Set<string>();
  for (const service of input.services) {
    const name = `${service.serviceName} (${service.clusterArn.split('/').pop() ?? service.clusterArn})`;
    if (service.digests.includes(input.digest)) {
      blockers.push(`${name} still runs ${input.digest}`);
      continue;
    }
    if (service.runningTasks === 0) {
      reasons.push(`${name} runs no task`);
      continue;
    }
    if (service.digests.length === 0) {
      reasons.push(`${name} no longer runs this repository`);
      continue;
    }
    for (const digest of service.digests) {
      newDigests.add(digest);
      const scan = input.scans[digest];
      if (!scan?.complete) {
        blockers.push(
          `${name} runs ${digest}, whose Inspector scan is not complete (${scan?.status ?? 'no coverage'})`,
        );
      } else if (scan.activeVulnerabilities.length > 0) {
        blockers.push(`${name} runs ${digest}, still ACTIVE for ${scan.activeVulnerabilities.join(', ')}`);
      } else {
        reasons.push(`${name} runs ${digest}: scan complete, none of the vulnerabilities ACTIVE`);
      }
    }
  }
  return blockers.length === 0
    ? { resolved: true, reasons, newDigests: [...newDigests] }
    : { resolved: false, reasons: blockers, newDigests: [...newDigests] };
}
