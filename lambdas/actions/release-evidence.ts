/**
 * The evidence a release reads (never writes): the isolation record, the image quarantine records and the
 * services each execution tagged, under `incidents/<id>/` in the evidence bucket.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isObject } from '../core/read';
import { evidenceKey, getEvidence } from './evidence';
import { QUARANTINE_EVIDENCE_PREFIX, type QuarantineRecord } from './image-quarantine';
import type { IncidentItem } from './incident-store';
import { ISOLATION_EVIDENCE, type IsolationRecord } from './network-isolation';
import { REVOCATION_EVIDENCE_PREFIX, type RevocationRecord } from './quarantine-revocation';

export interface ReleaseEvidence {
  readonly isolation?: IsolationRecord;
  readonly quarantines: QuarantineRecord[];
  /** Services the response tagged (from the evidence of each execution), when the tag step succeeded. */
  readonly serviceArns: string[];
  /** Signing jobs revoked on quarantine (signing.revokeOnQuarantine): irreversible, reported, never undone. */
  readonly revocations: RevocationRecord[];
}

/** Every evidence key under `prefix` (ListObjectsV2, paginated). */
export async function listEvidenceKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(ContinuationToken ? { ContinuationToken } : {}),
      }),
    );
    for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
    ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

function isQuarantineRecord(value: unknown): value is QuarantineRecord {
  return (
    isObject(value) &&
    typeof value.repository === 'string' &&
    typeof value.registryId === 'string' &&
    typeof value.digest === 'string' &&
    typeof value.quarantineTag === 'string' &&
    Array.isArray(value.originalTags)
  );
}

function isRevocationRecord(value: unknown): value is RevocationRecord {
  return (
    isObject(value) &&
    typeof value.jobArn === 'string' &&
    typeof value.repository === 'string' &&
    typeof value.digest === 'string'
  );
}

function serviceArnOf(evidence: unknown): string | undefined {
  // The image trust workflow's evidence (image-trust.json) names the stopped task's service in its plan.
  const trust = isObject(evidence) ? evidence.trust : undefined;
  if (isObject(trust) && typeof trust.serviceArn === 'string') return trust.serviceArn;
  const assessment = isObject(evidence) ? evidence.assessment : undefined;
  const enrichment = isObject(assessment) ? assessment.enrichment : undefined;
  const service = isObject(enrichment) ? enrichment.service : undefined;
  return isObject(service) && typeof service.arn === 'string' ? service.arn : undefined;
}

/** The quarantine records among an incident's evidence `keys` (`incidents/<id>/quarantine/….json`), read. */
export async function readQuarantineRecords(
  s3: S3Client,
  bucket: string,
  incidentId: string,
  keys: readonly string[],
): Promise<QuarantineRecord[]> {
  const prefix = evidenceKey(incidentId, QUARANTINE_EVIDENCE_PREFIX);
  const quarantineKeys = keys.filter((k) => k.startsWith(prefix) && k.endsWith('.json'));
  const records = await Promise.all(quarantineKeys.map((key) => getEvidence<unknown>(s3, bucket, key)));
  return records.filter(isQuarantineRecord);
}

/** What the response left to undo for an incident, from its evidence. */
export async function loadEvidence(
  s3: S3Client,
  bucket: string,
  incident: Pick<IncidentItem, 'incidentId' | 'outcome'>,
): Promise<ReleaseEvidence> {
  const prefix = evidenceKey(incident.incidentId, '');
  const keys = await listEvidenceKeys(s3, bucket, prefix);
  const read = (key: string) => getEvidence<unknown>(s3, bucket, key);
  const isolationKey = keys.find((k) => k === `${prefix}${ISOLATION_EVIDENCE}`);
  const tagged = isObject(incident.outcome?.tagService) && incident.outcome.tagService.status === 'done';
  // Each execution's evidence names the service it would tag; only read when the tag was really set.
  const executionKeys = tagged
    ? keys.filter((k) => /^[^/]+\/[^/]+\/[^/]+\/(?:evidence|image-trust)\.json$/.test(k))
    : [];
  const revocationPrefix = evidenceKey(incident.incidentId, REVOCATION_EVIDENCE_PREFIX);
  const revocationKeys = keys.filter((k) => k.startsWith(revocationPrefix) && k.endsWith('.json'));
  const [isolation, quarantines, executions, revocations] = await Promise.all([
    isolationKey ? read(isolationKey) : Promise.resolve(undefined),
    readQuarantineRecords(s3, bucket, incident.incidentId, keys),
    Promise.all(executionKeys.map(read)),
    Promise.all(revocationKeys.map(read)),
  ]);
  return {
    ...(isObject(isolation) && typeof isolation.kind === 'string'
      ? { isolation: isolation as unknown as IsolationRecord }
      : {}),
    quarantines,
    serviceArns: [
      ...new Set(executions.map(serviceArnOf).filter((a): a is string => a !== undefined)),
    ].sort(),
    revocations: revocations.filter(isRevocationRecord),
  };
}
