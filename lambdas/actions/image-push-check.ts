/**
 * CheckImagePush: what the incident holding a pushed digest recorded (incident table, quarantine evidence)
 * and what the image is now (DescribeImages, any status), then the pure verdict of core/image-push.ts.
 * Reads only: the re-quarantine is the QuarantineImage function the incident used.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ImageQuarantineStrategy } from '../../definitions/config';
import { awsErrorName } from '../core/errors';
import {
  decideImagePush,
  type Hold,
  type ImageNow,
  type ImagePush,
  isReleaseInProgress,
  type PushVerdict,
  whyNotHeld,
} from '../core/image-push';
import { isObject } from '../core/read';
import { evidenceKey, getEvidence } from './evidence';
import { QUARANTINE_EVIDENCE_PREFIX } from './image-quarantine';
import { type IncidentItem, loadIncident } from './incident-store';

export interface PushCheckDeps {
  readonly ecr: ECRClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly table: string;
  readonly evidenceBucket: string;
  readonly strategy: ImageQuarantineStrategy;
  /** The response mode: only `contain` quarantines again. */
  readonly act: boolean;
}

export type PushCheck = PushVerdict & {
  /** False in observe mode: a bypass is notified, the image is not quarantined again. */
  readonly act: boolean;
  readonly incidentId: string;
  readonly push: ImagePush;
  readonly image?: ImageNow;
};

/** What the incident's recorded outcome says its quarantine did to this digest. */
function outcomeFor(incident: IncidentItem, digest: string): Pick<Hold, 'archived' | 'movedFrom'> {
  const quarantine = incident.outcome?.quarantine;
  const images = isObject(quarantine) && Array.isArray(quarantine.images) ? quarantine.images : [];
  const image = images.find((i): i is Record<string, unknown> => isObject(i) && i.digest === digest);
  if (!image) return {};
  const moved = Array.isArray(image.movedTags) ? image.movedTags : [];
  return {
    archived: image.archived === true,
    movedFrom: moved.flatMap((m) => (isObject(m) && typeof m.from === 'string' ? [m.from] : [])),
  };
}

/** The quarantine record the incident saved for this digest before changing it; undefined if none. */
async function quarantineRecord(deps: PushCheckDeps, incidentId: string, push: ImagePush) {
  const key = evidenceKey(
    incidentId,
    `${QUARANTINE_EVIDENCE_PREFIX}${push.repository.replace(/\//g, '_')}/${push.digest}.json`,
  );
  try {
    const record = await getEvidence<unknown>(deps.s3, deps.evidenceBucket, key);
    if (!isObject(record) || !Array.isArray(record.originalTags) || typeof record.quarantineTag !== 'string')
      return undefined;
    // The key flattens `/` to `_`: `team/app` and `team_app` share it, so the record must name this repository.
    if (record.repository !== push.repository) return undefined;
    return {
      originalTags: record.originalTags.filter((t): t is string => typeof t === 'string'),
      quarantineTag: record.quarantineTag,
    };
  } catch (err) {
    if (awsErrorName(err) === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function imageNow(deps: PushCheckDeps, push: ImagePush): Promise<ImageNow | undefined> {
  try {
    const out = await deps.ecr.send(
      new DescribeImagesCommand({
        registryId: push.registryId,
        repositoryName: push.repository,
        imageIds: [{ imageDigest: push.digest }],
        // Only ACTIVE images are described unless asked (DescribeImagesFilter.imageStatus).
        filter: { imageStatus: 'ANY' },
      }),
    );
    const detail = out.imageDetails?.[0];
    return detail
      ? { ...(detail.imageStatus ? { status: detail.imageStatus } : {}), tags: detail.imageTags ?? [] }
      : undefined;
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return undefined;
    throw err;
  }
}

/** Whether the push lifted the hold of `incidentId` (named by the digest's image claim). */
export async function checkImagePush(
  deps: PushCheckDeps,
  incidentId: string,
  push: ImagePush,
): Promise<PushCheck> {
  const incident = await loadIncident(deps.dynamodb, deps.table, incidentId);
  if (!incident)
    return { bypass: false, act: deps.act, reason: `no incident ${incidentId}`, incidentId, push };
  const base = {
    incidentId,
    status: incident.status,
    releaseStarted: isReleaseInProgress(incident.item.releaseStartedAt, push.time),
    ...outcomeFor(incident, push.digest),
  };
  // Nothing more to read when the incident holds nothing now (released, being released, never contained).
  const notHeld = whyNotHeld(base, deps.strategy);
  if (notHeld) return { bypass: false, act: deps.act, reason: notHeld, incidentId, push };
  const record = await quarantineRecord(deps, incidentId, push);
  const image = record ? await imageNow(deps, push) : undefined;
  const verdict = decideImagePush(push, { ...base, ...(record ? { record } : {}) }, image, deps.strategy);
  return { ...verdict, act: deps.act, incidentId, push, ...(image ? { image } : {}) };
}
