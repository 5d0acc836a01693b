/**
 * Scenario signatures: an image of a scenario repository may say how it is signed, and the sandbox holds
 * what AWS would: a Signer profile and job, a Notation signature artifact referring to the image (a real
 * envelope signed by the sandbox CA), ECR managed signing status COMPLETE for the profile, and for
 * `revoked` the job revoked in Signer.
 */
import type { SandboxAccount } from './sandbox/account';

export const SIGNATURE_KINDS = [
  'trusted',
  'untrusted-profile',
  'revoked',
  'tampered',
  'expired',
  'none',
] as const;
export type SignatureKind = (typeof SIGNATURE_KINDS)[number];

const DAY = 86_400_000;

export interface ProvisionSignature {
  readonly repository: string;
  readonly digest: string;
  readonly kind: SignatureKind;
  /** The trusted profile of scenarios: the first of `signing.trustedProfiles` (a sandbox profile otherwise). */
  readonly trustedProfile?: string;
  readonly format?: 'jws' | 'cose';
}

export function provisionSignature(account: SandboxAccount, request: ProvisionSignature): void {
  if (request.kind === 'none') return;
  const trusted = request.trustedProfile ?? account.signer.profileArn('shield_right_sandbox');
  const profile =
    request.kind === 'untrusted-profile' ? account.signer.profileArn('untrusted_sandbox') : trusted;
  const profileVersionArn = account.signer.putSigningProfile(profile);
  const jobArn = account.signer.startSigningJob(profileVersionArn);
  if (request.kind === 'revoked') account.signer.revokeJob(jobArn, 'scenario: revoked signature');
  const now = account.now();
  const expired = request.kind === 'expired';
  account.ecr.signatures.addSignature({
    repository: request.repository,
    subject: request.digest,
    subjectMediaType: 'application/vnd.oci.image.manifest.v1+json',
    subjectSize: 1024,
    format: request.format ?? 'jws',
    payloadDigest: request.digest,
    profileVersionArn,
    jobArn,
    signedAt: new Date(now - (expired ? 400 : 1) * DAY).toISOString(),
    expiry: new Date(now + (expired ? -30 : 365) * DAY).toISOString(),
    tamper: request.kind === 'tampered',
  });
  account.ecr.signatures.setSigningStatus(request.repository, request.digest, {
    signingProfileArn: profile,
    status: 'COMPLETE',
  });
}
