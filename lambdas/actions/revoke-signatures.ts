/**
 * `signing.revokeOnQuarantine`: revokes the AWS Signer signing jobs of a quarantined digest (RevokeSignature), so
 * every verifier that checks revocation refuses it, in every account of the partition. Irreversible: the only way
 * back is to rebuild and re-sign. Only jobs named by authentic signatures are revoked (the envelope verifies, its
 * chain leads to the Signer root, its payload names this digest): a forged envelope naming someone else's job
 * cannot make shield-right revoke it. Not wired into the quarantine yet (the ImageTrust workflow is not built).
 */
import { RevokeSignatureCommand } from '@aws-sdk/client-signer';
import { verifyChain } from '../core/signing/certificates';
import { checkAuthentic } from '../core/signing/notation';
import { SignatureCheckError } from '../core/signing/outcome';
import {
  type ImageToVerify,
  listSignatures,
  readEnvelope,
  type SigningClients,
} from '../core/signing/verify-image';

export interface RevocationResult {
  readonly revokedJobs: readonly string[];
  /** Signatures not revoked, with why (not authentic, or the call failed). */
  readonly skipped: readonly { readonly signature: string; readonly reason: string }[];
}

/** The job id RevokeSignature takes, from a signing job ARN. */
export function jobIdOf(jobArn: string): string {
  return jobArn.slice(jobArn.lastIndexOf('/') + 1);
}

export async function revokeDigestSignatures(
  image: ImageToVerify,
  context: {
    readonly trustedRoots: readonly Uint8Array[];
    readonly partition: string;
    readonly reason: string;
  },
  clients: SigningClients,
): Promise<RevocationResult> {
  const revokedJobs: string[] = [];
  const skipped: { signature: string; reason: string }[] = [];
  for (const referrer of await listSignatures(clients, image, image.digest)) {
    const signature = referrer.digest ?? 'unknown';
    let jobArn: string;
    try {
      const envelope = await readEnvelope(clients, image, referrer, image.digest);
      const facts = checkAuthentic(envelope, { digest: image.digest, partition: context.partition });
      await verifyChain(envelope.chain, context.trustedRoots, facts.signedAt);
      jobArn = facts.signingJobArn;
    } catch (error) {
      if (!(error instanceof SignatureCheckError)) throw error;
      skipped.push({
        signature,
        reason: `not an authentic Signer signature of the digest: ${error.message}`,
      });
      continue;
    }
    if (revokedJobs.includes(jobArn)) continue;
    // RevokeSignature of a job already revoked succeeds again (sandbox; AWS not confirmed): a retry is harmless.
    const jobOwner = /^arn:[^:]+:signer:[^:]*:(\d{12}):/.exec(jobArn)?.[1];
    await clients.signer.send(
      new RevokeSignatureCommand({
        jobId: jobIdOf(jobArn),
        reason: context.reason.slice(0, 500),
        ...(jobOwner ? { jobOwner } : {}),
      }),
    );
    revokedJobs.push(jobArn);
  }
  return { revokedJobs, skipped };
}
