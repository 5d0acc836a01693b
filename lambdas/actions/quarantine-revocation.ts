/**
 * After a quarantine, `signing.revokeOnQuarantine`: the Signer signing jobs of every digest the quarantine
 * applied (status done or already-done; never a spared, failed or skipped image) are revoked
 * (revoke-signatures.ts), each revoked job is recorded in the incident's evidence (`revocation/<job>.json`,
 * which `release` reads to say the revocation cannot be undone), and the result goes with the quarantine result
 * into the incident outcome and the notification. A revocation failure is reported, never thrown: the
 * containment stands whatever Signer answers.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SigningConfig } from '../../definitions/signing-config';
import { errorMessage } from '../core/errors';
import type { QuarantineResult, SignatureRevocation, SignatureRevocationJob } from '../core/outcome';
import { noTrustAnchorReason, partitionOfRegion, trustAnchorsFor } from '../core/signing/trust-store';
import type { SigningClients } from '../core/signing/verify-image';
import { evidenceKey, putOriginalState } from './evidence';
import { jobIdOf, type RevocationContext, revokeDigestSignatures } from './revoke-signatures';

export const REVOCATION_EVIDENCE_PREFIX = 'revocation/';

/** What `release` reads back: one revoked signing job of a quarantined digest. */
export interface RevocationRecord {
  readonly jobArn: string;
  readonly profileVersionArn: string;
  readonly repository: string;
  readonly registryId: string;
  readonly digest: string;
  readonly revokedBy: string;
}

export interface QuarantineRevocationDeps {
  readonly clients: SigningClients;
  /**
   * Organization mode: the ECR of an image's registry account (the quarantine's, lambdas/actions/
   * quarantine-accounts.ts); without it every image's signatures are read with `clients.ecr`.
   */
  readonly ecrOf?: (registryId: string) => Promise<SigningClients['ecr']>;
  readonly s3: S3Client;
  readonly evidenceBucket: string;
}

/** The RevokeSignature reason: names the incident (1-500 characters). */
export function revocationReason(incidentId: string): string {
  return `quarantined by shield-right incident ${incidentId}`.slice(0, 500);
}

export async function revokeQuarantinedImages(
  deps: QuarantineRevocationDeps,
  incidentId: string,
  result: QuarantineResult,
  context: Omit<RevocationContext, 'reason'>,
): Promise<SignatureRevocation | undefined> {
  const applied = result.images.filter(
    (img): img is typeof img & { digest: string } =>
      (img.status === 'done' || img.status === 'already-done') && img.digest !== undefined,
  );
  if (applied.length === 0) return undefined;
  const jobs: SignatureRevocationJob[] = [];
  const notes: string[] = [];
  let unreadable = false;
  for (const img of applied) {
    const where = { repository: img.repository, registryId: img.registryId, digest: img.digest };
    try {
      const clients = deps.ecrOf ? { ...deps.clients, ecr: await deps.ecrOf(img.registryId) } : deps.clients;
      const out = await revokeDigestSignatures(
        { registryId: img.registryId, repositoryName: img.repository, digest: img.digest },
        { ...context, reason: revocationReason(incidentId) },
        clients,
      );
      for (const job of out.jobs) jobs.push({ ...where, ...job });
      for (const skip of out.skipped) notes.push(`${img.repository}@${img.digest}: ${skip.reason}`);
      if (out.jobs.length === 0 && out.skipped.length === 0)
        notes.push(`${img.repository}@${img.digest}: no Notation signature to revoke`);
    } catch (err) {
      unreadable = true;
      notes.push(`${img.repository}@${img.digest}: the signatures could not be read: ${errorMessage(err)}`);
    }
  }
  for (const job of jobs.filter((j) => j.status !== 'failed')) {
    const record: RevocationRecord = {
      jobArn: job.jobArn,
      profileVersionArn: job.profileVersionArn,
      repository: job.repository,
      registryId: job.registryId,
      digest: job.digest,
      revokedBy: incidentId,
    };
    try {
      await putOriginalState(
        deps.s3,
        deps.evidenceBucket,
        evidenceKey(incidentId, `${REVOCATION_EVIDENCE_PREFIX}${jobIdOf(job.jobArn)}.json`),
        record,
      );
    } catch (err) {
      notes.push(`revocation of ${job.jobArn} not recorded in the evidence: ${errorMessage(err)}`);
    }
  }
  const statuses = new Set(jobs.map((j) => j.status));
  const status =
    unreadable || statuses.has('failed')
      ? 'failed'
      : statuses.has('revoked')
        ? 'done'
        : statuses.has('already-revoked')
          ? 'already-done'
          : 'skipped';
  return { status, jobs, ...(notes.length > 0 ? { notes: notes.slice(0, 20) } : {}) };
}

/**
 * The revocation a quarantine result calls for under the policy: none unless `signing.revokeOnQuarantine`, never
 * in observe mode; a partition without a trust anchor is reported (nothing can be shown authentic, so nothing
 * is revoked).
 */
export async function revokeAfterQuarantine(
  deps: QuarantineRevocationDeps,
  request: { readonly incidentId: string; readonly result: QuarantineResult },
  policy: {
    readonly mode: string;
    readonly signing: SigningConfig;
    readonly region: string;
  },
): Promise<SignatureRevocation | undefined> {
  if (!policy.signing.revokeOnQuarantine || policy.mode === 'observe') return undefined;
  const partition = partitionOfRegion(policy.region);
  const anchors = trustAnchorsFor(policy.signing, partition);
  if (!anchors) return { status: 'failed', jobs: [], notes: [noTrustAnchorReason(partition)] };
  return revokeQuarantinedImages(deps, request.incidentId, request.result, {
    trustedRoots: anchors.trustedRoots,
    trustedRootFingerprints: anchors.trustedRootFingerprints,
    trustedProfiles: policy.signing.trustedProfiles,
    partition,
  });
}
