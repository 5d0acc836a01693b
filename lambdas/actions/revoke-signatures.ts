/**
 * `signing.revokeOnQuarantine`: revokes the AWS Signer signing jobs of a quarantined digest (RevokeSignature), so
 * every verifier that checks revocation refuses it, in every account of the partition. Irreversible: the only way
 * back is to rebuild and re-sign. The jobs come from the digest's own signatures (ECR referrers, the job ARN in
 * each envelope's signed attributes; ListSigningJobs cannot filter by image). Only jobs named by authentic
 * signatures of a trusted signing profile are revoked (the envelope verifies, its chain leads to a trust anchor,
 * its payload names this digest, its profile is one of `trustedProfiles`): a forged envelope naming someone
 * else's job cannot make shield-right revoke it.
 *
 * Whether RevokeSignature of a job already revoked succeeds is not confirmed, so it is never asked: Signer's
 * GetRevocationStatus says first whether the job is revoked (`already-revoked`), and a RevokeSignature that fails
 * is checked the same way before it is reported as failed. AWS errors are returned per job, never thrown.
 */
import { GetRevocationStatusCommand, RevokeSignatureCommand } from '@aws-sdk/client-signer';
import { awsErrorName, errorMessage } from '../core/errors';
import { revocationCertificateHashes, verifyChain } from '../core/signing/certificates';
import { checkAuthentic, matchesTrustedProfile } from '../core/signing/notation';
import { SignatureCheckError } from '../core/signing/outcome';
import {
  type ImageToVerify,
  listSignatures,
  NOTATION_PLATFORM_ID,
  readEnvelope,
  type SigningClients,
} from '../core/signing/verify-image';

export type JobRevocationStatus = 'revoked' | 'already-revoked' | 'failed';

export interface JobRevocation {
  readonly jobArn: string;
  readonly profileVersionArn: string;
  readonly status: JobRevocationStatus;
  readonly reason?: string;
}

export interface RevocationResult {
  readonly jobs: readonly JobRevocation[];
  /** Signatures not revoked, with why (not authentic, or not of a trusted profile). */
  readonly skipped: readonly { readonly signature: string; readonly reason: string }[];
}

export interface RevocationContext {
  readonly trustedRoots: readonly Uint8Array[];
  readonly trustedRootFingerprints: readonly string[];
  readonly trustedProfiles: readonly string[];
  readonly partition: string;
  /** RevokeSignature `reason` (1-500 characters): names the incident. */
  readonly reason: string;
}

/** The job id RevokeSignature takes, from a signing job ARN. */
export function jobIdOf(jobArn: string): string {
  return jobArn.slice(jobArn.lastIndexOf('/') + 1);
}

interface AuthenticJob {
  readonly jobArn: string;
  readonly profileVersionArn: string;
  readonly signedAt: Date;
  readonly certificateHashes: string[];
}

async function isRevoked(clients: SigningClients, job: AuthenticJob): Promise<boolean> {
  const out = await clients.signer.send(
    new GetRevocationStatusCommand({
      signatureTimestamp: job.signedAt,
      platformId: NOTATION_PLATFORM_ID,
      profileVersionArn: job.profileVersionArn,
      jobArn: job.jobArn,
      certificateHashes: job.certificateHashes,
    }),
  );
  return (out.revokedEntities ?? []).includes(job.jobArn);
}

async function revokeJob(clients: SigningClients, job: AuthenticJob, reason: string): Promise<JobRevocation> {
  const base = { jobArn: job.jobArn, profileVersionArn: job.profileVersionArn };
  try {
    if (await isRevoked(clients, job)) return { ...base, status: 'already-revoked' };
  } catch (err) {
    return {
      ...base,
      status: 'failed',
      reason: `GetRevocationStatus: ${awsErrorName(err)}: ${errorMessage(err)}`,
    };
  }
  const jobOwner = /^arn:[^:]+:signer:[^:]*:(\d{12}):/.exec(job.jobArn)?.[1];
  try {
    await clients.signer.send(
      new RevokeSignatureCommand({
        jobId: jobIdOf(job.jobArn),
        reason: reason.slice(0, 500) || 'quarantined by shield-right',
        ...(jobOwner ? { jobOwner } : {}),
      }),
    );
    return { ...base, status: 'revoked' };
  } catch (err) {
    // Revoked meanwhile (a concurrent response): the job is revoked, which is what was asked.
    const revokedNow = await isRevoked(clients, job).catch(() => false);
    if (revokedNow) return { ...base, status: 'already-revoked' };
    return {
      ...base,
      status: 'failed',
      reason: `RevokeSignature: ${awsErrorName(err)}: ${errorMessage(err)}`,
    };
  }
}

export async function revokeDigestSignatures(
  image: ImageToVerify,
  context: RevocationContext,
  clients: SigningClients,
): Promise<RevocationResult> {
  const jobs: JobRevocation[] = [];
  const skipped: { signature: string; reason: string }[] = [];
  for (const referrer of await listSignatures(clients, image, image.digest)) {
    const signature = referrer.digest ?? 'unknown';
    let job: AuthenticJob;
    try {
      const envelope = await readEnvelope(clients, image, referrer, image.digest);
      const facts = checkAuthentic(envelope, { digest: image.digest, partition: context.partition });
      await verifyChain(
        envelope.chain,
        context.trustedRoots,
        facts.signedAt,
        context.trustedRootFingerprints,
      );
      job = {
        jobArn: facts.signingJobArn,
        profileVersionArn: facts.profileVersionArn,
        signedAt: facts.signedAt,
        certificateHashes: revocationCertificateHashes(envelope.chain),
      };
    } catch (error) {
      if (!(error instanceof SignatureCheckError)) throw error;
      skipped.push({
        signature,
        reason: `not an authentic Signer signature of the digest: ${error.message}`,
      });
      continue;
    }
    if (!matchesTrustedProfile(job.profileVersionArn, context.trustedProfiles)) {
      skipped.push({
        signature,
        reason: `signed by ${job.profileVersionArn}, not one of signing.trustedProfiles: left alone`,
      });
      continue;
    }
    if (jobs.some((j) => j.jobArn === job.jobArn)) continue;
    jobs.push(await revokeJob(clients, job, context.reason));
  }
  return { jobs, skipped };
}
