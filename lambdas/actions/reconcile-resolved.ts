/**
 * "Resolved" for an image incident, observed by the reconciliation sweep: the services that ran the
 * quarantined digest now run another digest whose Inspector scan is complete with none of the incident's
 * vulnerabilities ACTIVE. Observed, notified once with the release command, and recorded; never acted
 * on: nothing is un-archived and the status stays, because only a person releases a quarantine.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTasksCommand, type ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import {
  type CoveredResource,
  type Finding,
  type Inspector2Client,
  ListCoverageCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-inspector2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { awsErrorName } from '../core/errors';
import {
  type DigestScan,
  decideResolution,
  INSPECTOR_PAGE,
  type ServiceObservation,
} from '../core/reconcile';
import { renderResolvedNotification } from '../core/render';
import { findTasksRunningImage } from './exposure';
import {
  type IncidentItem,
  quarantinedImageIncidents,
  recordResolutionNotification,
  recordResolutionObserved,
} from './incident-store';
import { publishNotification } from './notify';

export interface ResolutionDeps {
  readonly inspector2: Inspector2Client;
  readonly ecs: ECSClient;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly table: string;
  readonly topicArn: string;
  readonly region: string;
  readonly settings: { readonly pageBudget: number };
  readonly now: number;
}

export interface ResolutionReport {
  /** Quarantined image incidents looked at. */
  readonly checked: number;
  /** Incidents newly observed resolved and notified, with whether the message was published. */
  readonly notified: { readonly incidentId: string; readonly published: boolean }[];
  /** Incidents not (yet) resolved, with the first reason. */
  readonly pending: { readonly incidentId: string; readonly reason: string }[];
  readonly truncated: boolean;
}

const DESCRIBE_BATCH = 100;
/** Tasks scanned for a still-running quarantined digest: the exposure scan's bound. */
const MAX_TASKS = 1000;

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface RecordedServices {
  readonly services: { readonly clusterArn: string; readonly serviceName: string }[];
  readonly complete: boolean;
}

/** The services recorded by the notify step at quarantine time (`exposedServices`), if any. */
function recordedServices(item: Record<string, unknown>): RecordedServices | undefined {
  const parsed = parseJson(item.exposedServices);
  if (!isRecord(parsed) || !Array.isArray(parsed.services)) return undefined;
  const services = parsed.services.flatMap((s) =>
    isRecord(s) && typeof s.clusterArn === 'string' && typeof s.serviceName === 'string'
      ? [{ clusterArn: s.clusterArn, serviceName: s.serviceName }]
      : [],
  );
  return { services, complete: parsed.complete === true };
}

/** Inspector findings of one digest (optionally ACTIVE only), within the page budget. */
async function findingsOfDigest(
  deps: ResolutionDeps,
  digest: string,
  activeOnly: boolean,
): Promise<{ readonly findings: Finding[]; readonly truncated: boolean }> {
  const findings: Finding[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await deps.inspector2.send(
      new ListFindingsCommand({
        filterCriteria: {
          ecrImageHash: [{ comparison: 'EQUALS', value: digest }],
          ...(activeOnly ? { findingStatus: [{ comparison: 'EQUALS', value: 'ACTIVE' }] } : {}),
        },
        maxResults: INSPECTOR_PAGE,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    pages += 1;
    findings.push(...(page.findings ?? []));
    nextToken = page.nextToken;
  } while (nextToken && pages < deps.settings.pageBudget);
  // A listing cut short can miss a vulnerability: the caller never calls a partial answer resolved.
  return { findings, truncated: nextToken !== undefined };
}

/** The vulnerabilities of the findings recorded on the incident (whatever their status now). */
async function incidentVulnerabilities(deps: ResolutionDeps, item: Record<string, unknown>, digest: string) {
  const arns = item.findingArns instanceof Set ? item.findingArns : new Set<unknown>();
  const ids = new Set<string>();
  const { findings, truncated } = await findingsOfDigest(deps, digest, false);
  for (const f of findings) {
    const id = f.packageVulnerabilityDetails?.vulnerabilityId;
    if (id && f.findingArn && arns.has(f.findingArn)) ids.add(id);
  }
  return { ids: [...ids], truncated };
}

/** Whether a container image reference names this repository (`…/repo:tag`, `…/repo@sha256:…`). */
function isOfRepository(image: string | undefined, repository: string): boolean {
  if (!image) return false;
  const name = image.split('@')[0]?.replace(/:[^/:]+$/, '') ?? '';
  return name === repository || name.endsWith(`/${repository}`);
}

/** The digests a service's running tasks use for `repository`. */
async function observeService(
  ecs: ECSClient,
  service: { readonly clusterArn: string; readonly serviceName: string },
  repository: string,
): Promise<ServiceObservation> {
  const digests = new Set<string>();
  let runningTasks = 0;
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecs.send(
        new ListTasksCommand({
          cluster: service.clusterArn,
          serviceName: service.serviceName,
          desiredStatus: 'RUNNING',
          maxResults: DESCRIBE_BATCH,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      nextToken = page.nextToken;
      const arns = page.taskArns ?? [];
      if (arns.length === 0) continue;
      const described = await ecs.send(
        new DescribeTasksCommand({ cluster: service.clusterArn, tasks: arns }),
      );
      for (const task of described.tasks ?? []) {
        runningTasks += 1;
        for (const c of task.containers ?? []) {
          if (c.imageDigest && isOfRepository(c.image, repository)) digests.add(c.imageDigest);
        }
      }
    } while (nextToken);
  } catch (err) {
    // A deleted service (or cluster) runs nothing.
    const name = awsErrorName(err);
    if (name !== 'ServiceNotFoundException' && name !== 'ClusterNotFoundException') throw err;
  }
  return { ...service, digests: [...digests], runningTasks };
}

/**
 * Inspector coverage of a repository's images, by digest. The covered resource id of an ECR image is
 * matched by its `…/sha256:…` ending, whether Inspector gives the image ARN or the digest alone.
 */
async function coverageOf(
  deps: ResolutionDeps,
  repository: string,
  cache: Map<string, CoveredResource[]>,
): Promise<CoveredResource[]> {
  const cached = cache.get(repository);
  if (cached) return cached;
  const resources: CoveredResource[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await deps.inspector2.send(
      new ListCoverageCommand({
        filterCriteria: {
          resourceType: [{ comparison: 'EQUALS', value: 'AWS_ECR_CONTAINER_IMAGE' }],
          ecrRepositoryName: [{ comparison: 'EQUALS', value: repository }],
        },
        maxResults: 200,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    pages += 1;
    resources.push(...(page.coveredResources ?? []));
    nextToken = page.nextToken;
  } while (nextToken && pages < deps.settings.pageBudget);
  cache.set(repository, resources);
  return resources;
}

async function scanOf(
  deps: ResolutionDeps,
  repository: string,
  digest: string,
  vulnerabilityIds: readonly string[],
  coverage: Map<string, CoveredResource[]>,
): Promise<DigestScan> {
  const covered = (await coverageOf(deps, repository, coverage)).find(
    (r) => r.resourceId === digest || r.resourceId?.endsWith(`/${digest}`),
  );
  const code = covered?.scanStatus?.statusCode;
  const reason = covered?.scanStatus?.reason;
  // ACTIVE and SUCCESSFUL with a scan time: Inspector has scanned this digest and keeps scanning it.
  const complete = code === 'ACTIVE' && reason === 'SUCCESSFUL' && covered?.lastScannedAt !== undefined;
  const wanted = new Set(vulnerabilityIds);
  const listed = complete ? await findingsOfDigest(deps, digest, true) : { findings: [], truncated: false };
  const active = listed.findings.flatMap((f) => {
    const id = f.packageVulnerabilityDetails?.vulnerabilityId;
    return id && wanted.has(id) ? [id] : [];
  });
  return {
    // Findings listed only in part: the digest is not known to be free of the incident's vulnerabilities.
    complete: complete && !listed.truncated,
    status: `${covered ? `${code ?? '?'}/${reason ?? '?'}` : 'no coverage'}${listed.truncated ? ', findings listing truncated' : ''}`,
    activeVulnerabilities: [...new Set(active)],
  };
}

async function checkIncident(
  deps: ResolutionDeps,
  incident: IncidentItem,
  coverage: Map<string, CoveredResource[]>,
): Promise<{ resolved: boolean; reasons: string[]; newDigests: string[]; vulnerabilityIds: string[] }> {
  const item = incident.item;
  const digest = typeof item.imageDigest === 'string' ? item.imageDigest : '';
  const repository = typeof item.repository === 'string' ? item.repository : '';
  if (!digest || !repository) {
    return {
      resolved: false,
      reasons: ['the incident names no image'],
      newDigests: [],
      vulnerabilityIds: [],
    };
  }
  const recorded = recordedServices(item);
  const { ids: vulnerabilityIds, truncated: vulnerabilitiesTruncated } = await incidentVulnerabilities(
    deps,
    item,
    digest,
  );
  if (vulnerabilitiesTruncated) {
    return {
      resolved: false,
      reasons: ["the incident's findings were listed only in part (reconcile.pageBudget): not judged"],
      newDigests: [],
      vulnerabilityIds,
    };
  }
  const stillRunning = await findTasksRunningImage(deps.ecs, { digests: [digest], maxTasks: MAX_TASKS });
  const services: ServiceObservation[] = [];
  for (const service of recorded?.services ?? []) {
    services.push(await observeService(deps.ecs, service, repository));
  }
  const scans: Record<string, DigestScan> = {};
  for (const d of new Set(services.flatMap((s) => s.digests).filter((d) => d !== digest))) {
    scans[d] = await scanOf(deps, repository, d, vulnerabilityIds, coverage);
  }
  const decision = decideResolution({
    digest,
    vulnerabilityIds,
    ...(recorded ? { recorded } : {}),
    services,
    stillRunning: { tasks: stillRunning.tasks.length, truncated: stillRunning.truncated },
    scans,
  });
  return { ...decision, vulnerabilityIds };
}

/** Looks at every quarantined image incident not yet seen resolved; notifies each newly resolved one once. */
export async function sweepImageResolutions(deps: ResolutionDeps): Promise<ResolutionReport> {
  const { incidents, truncated } = await quarantinedImageIncidents(
    deps.dynamodb,
    deps.table,
    deps.settings.pageBudget,
  );
  const coverage = new Map<string, CoveredResource[]>();
  const notified: ResolutionReport['notified'] = [];
  const pending: ResolutionReport['pending'] = [];
  const at = new Date(deps.now).toISOString();
  for (const incident of incidents) {
    const result = await checkIncident(deps, incident, coverage);
    if (!result.resolved) {
      pending.push({ incidentId: incident.incidentId, reason: result.reasons[0] ?? 'not resolved' });
      continue;
    }
    const detail = {
      reasons: result.reasons,
      newDigests: result.newDigests,
      vulnerabilityIds: result.vulnerabilityIds,
    };
    // Recorded first, conditionally: whoever records it notifies, so nobody notifies twice.
    const first = await recordResolutionObserved(deps.dynamodb, deps.table, {
      incidentId: incident.incidentId,
      status: incident.status,
      at,
      detail,
    });
    if (!first) continue;
    const rendered = renderResolvedNotification({
      incident,
      observedAt: at,
      region: deps.region,
      ...detail,
    });
    const published = await publishNotification(deps.sns, deps.topicArn, rendered);
    await recordResolutionNotification(deps.dynamodb, deps.table, incident.incidentId, published);
    notified.push({ incidentId: incident.incidentId, published: published.published });
  }
  return { checked: incidents.length, notified, pending, truncated };
}
