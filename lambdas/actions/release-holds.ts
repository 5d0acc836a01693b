/**
 * The image part of a release under one hold per digest (lambdas/core/image-holds.ts): a digest another open
 * incident holds is left quarantined, and the step says which incidents hold it; the last holder's release
 * restores the image from the first quarantine's record (the one that saw it ACTIVE and saved its manifest)
 * with every tag any holder moved away, then removes each holder's quarantine tag.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsErrorName, MemberRoleError } from '../core/errors';
import { heldDigests, otherHolders, stillHeldDetail } from '../core/image-holds';
import { evidenceKey, getEvidence } from './evidence';
import { QUARANTINE_EVIDENCE_PREFIX, type QuarantineRecord, restoreImage } from './image-quarantine';
import { type IncidentItem, recordedIncidents } from './incident-store';
import type { ReleaseStep } from './release-step';

/** Incident pages read to find the other holders; an unfinished read lifts nothing. */
export const HOLD_PAGES = 50;

export interface HoldDeps {
  readonly ecr: ECRClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly evidenceBucket: string;
  readonly table: string;
  readonly onStep?: (text: string) => void;
  /**
   * Organization mode: the ECR client of a registry account, through the member role the quarantine
   * recorded (QuarantineRecord.roleArn). Without it such an image is not released (a failed step says why).
   */
  readonly ecrFor?: (roleArn: string) => Promise<ECRClient>;
}

/** The ECR client of the record's registry account, or why there is none. */
async function ecrOfRecord(deps: HoldDeps, record: QuarantineRecord): Promise<ECRClient | string> {
  if (!record.roleArn) return deps.ecr;
  if (!deps.ecrFor) {
    return `the image is in registry account ${record.registryId}, quarantined through ${record.roleArn}: this release cannot assume that role, so the image stays quarantined`;
  }
  try {
    return await deps.ecrFor(record.roleArn);
  } catch (err) {
    if (!(err instanceof MemberRoleError)) throw err;
    return `${err.message}; the image stays quarantined`;
  }
}

async function recordOf(
  deps: HoldDeps,
  incidentId: string,
  record: QuarantineRecord,
): Promise<QuarantineRecord | undefined> {
  const name = `${QUARANTINE_EVIDENCE_PREFIX}${record.repository.replace(/\//g, '_')}/${record.digest}.json`;
  try {
    const other = await getEvidence<QuarantineRecord>(
      deps.s3,
      deps.evidenceBucket,
      evidenceKey(incidentId, name),
    );
    return other.repository === record.repository && Array.isArray(other.originalTags) ? other : undefined;
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** Restores the image as the last holder: from the first quarantine's record, with every holder's tags. */
async function restoreAsLastHolder(
  deps: HoldDeps,
  record: QuarantineRecord,
  earlier: readonly IncidentItem[],
): Promise<ReleaseStep[]> {
  const others = (await Promise.all(earlier.map((i) => recordOf(deps, i.incidentId, record)))).filter(
    (r): r is QuarantineRecord => r !== undefined,
  );
  if (others.length === 0) return [await restoreImage(deps.ecr, record)];
  const sources = [...others, record];
  const first = sources.find((r) => r.imageStatusBefore !== 'ARCHIVED' && r.manifest) ?? record;
  const originalTags = [...new Set(sources.flatMap((r) => r.originalTags))];
  const steps = [await restoreImage(deps.ecr, { ...first, originalTags })];
  for (const source of sources) {
    if (source.quarantineTag === first.quarantineTag) continue;
    steps.push(await restoreImage(deps.ecr, { ...source, originalTags }));
  }
  return steps;
}

/** The release steps of the incident's quarantined images, honouring the other incidents' holds. */
export async function releaseHeldImages(
  deps: HoldDeps,
  incidentId: string,
  records: readonly QuarantineRecord[],
): Promise<ReleaseStep[]> {
  if (records.length === 0) return [];
  deps.onStep?.('reading which other incidents hold the images');
  const { incidents, truncated } = await recordedIncidents(deps.dynamodb, deps.table, HOLD_PAGES);
  const holders = otherHolders(
    incidentId,
    records.map((r) => r.digest),
    incidents,
  );
  const steps: ReleaseStep[] = [];
  for (const record of records) {
    const target = `${record.repository}@${record.digest}`;
    if (truncated) {
      steps.push({
        action: 'restore-image',
        target,
        status: 'failed',
        detail: `the incident table was read for ${HOLD_PAGES} pages without an end: whether another incident holds the image is unknown, so it stays quarantined; run the release again`,
      });
      continue;
    }
    const others = holders.get(record.digest) ?? [];
    if (others.length > 0) {
      steps.push({ action: 'restore-image', target, status: 'skipped', detail: stillHeldDetail(others) });
      continue;
    }
    deps.onStep?.(`restoring ${target}`);
    const earlier = incidents.filter(
      (i) => i.incidentId !== incidentId && heldDigests(i.outcome).includes(record.digest),
    );
    const ecr = await ecrOfRecord(deps, record);
    if (typeof ecr === 'string') {
      steps.push({ action: 'restore-image', target, status: 'failed', detail: ecr });
      continue;
    }
    steps.push(...(await restoreAsLastHolder({ ...deps, ecr }, record, earlier)));
  }
  return steps;
}
