/**
 * The Notation and AWS Signer rules a verified envelope must satisfy, pure: content type, signing scheme,
 * authentic signing time, the payload naming the image's digest, a trusted signing profile of this
 * partition, and expiry. The envelope's own signature and chain are checked before (envelope-*.ts,
 * certificates.ts); revocation after (verify-image.ts).
 */
import { NOTATION_PAYLOAD_TYPE, SIGNING_AUTHORITY_SCHEME, type VerifiedEnvelope } from './envelope';
import { SignatureCheckError } from './outcome';

const PROFILE_ARN = /^arn:(aws[a-z-]*):signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}$/;
const PROFILE_VERSION_ARN =
  /^arn:(aws[a-z-]*):signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}\/[A-Za-z0-9]{10}$/;

/** A configured trusted identity: a signing profile ARN (any version) or one profile version ARN. */
export function isTrustedIdentity(value: string): boolean {
  return PROFILE_ARN.test(value) || PROFILE_VERSION_ARN.test(value);
}

/** The partition of a Signer ARN (`aws`, `aws-us-gov`, `aws-cn`), or undefined. */
export function partitionOf(arn: string): string | undefined {
  return PROFILE_VERSION_ARN.exec(arn)?.[1] ?? PROFILE_ARN.exec(arn)?.[1];
}

/**
 * Whether the signature's profile version matches a trusted identity, as the AWS Signer Notation plugin
 * matches it: a profile ARN trusts its every version; a version ARN only itself.
 */
export function matchesTrustedProfile(
  profileVersionArn: string,
  trustedProfiles: readonly string[],
): string | undefined {
  const version = profileVersionArn.toLowerCase();
  const profile = version.slice(0, version.lastIndexOf('/'));
  return trustedProfiles.find((identity) => {
    const id = identity.toLowerCase();
    return PROFILE_VERSION_ARN.test(identity) ? id === version : id === profile;
  });
}

/**
 * The trusted identity a signing profile ARN (no version: what ECR managed signing reports) matches: only
 * an identity naming the whole profile, never a single version of it.
 */
export function matchesTrustedProfileArn(
  profileArn: string,
  trustedProfiles: readonly string[],
): string | undefined {
  const profile = profileArn.toLowerCase();
  return trustedProfiles.find(
    (identity) => !PROFILE_VERSION_ARN.test(identity) && identity.toLowerCase() === profile,
  );
}

export interface SignatureFacts {
  readonly profileVersionArn: string;
  readonly signingJobArn: string;
  readonly signedAt: Date;
  readonly expiresAt?: Date;
}

interface TargetArtifact {
  readonly digest?: unknown;
}

function targetDigest(payload: Uint8Array): unknown {
  try {
    const json = JSON.parse(Buffer.from(payload).toString('utf8')) as {
      targetArtifact?: TargetArtifact;
    } | null;
    return json?.targetArtifact?.digest;
  } catch {
    throw new SignatureCheckError('tampered', 'the signed payload is not the Notation payload JSON');
  }
}

/**
 * The rules that make a verified envelope an AWS Signer signature of `digest` in this partition, whoever the
 * profile and whatever the expiry: content type, payload digest, signing scheme, authentic time, profile
 * version and job. Throws SignatureCheckError with the outcome of the first that fails.
 */
export function checkAuthentic(
  envelope: VerifiedEnvelope,
  expected: { digest: string; partition: string },
): SignatureFacts {
  if (envelope.contentType !== NOTATION_PAYLOAD_TYPE) {
    throw new SignatureCheckError(
      'tampered',
      `the payload content type is ${envelope.contentType ?? 'missing'}`,
    );
  }
  const digest = targetDigest(envelope.payload);
  if (digest !== expected.digest) {
    throw new SignatureCheckError(
      'tampered',
      `the signature names ${String(digest)}, not the image's digest`,
    );
  }
  if (envelope.signingScheme !== SIGNING_AUTHORITY_SCHEME) {
    throw new SignatureCheckError(
      'untrusted-signer',
      `signing scheme ${envelope.signingScheme ?? 'missing'} is not AWS Signer's`,
    );
  }
  if (!envelope.authenticSigningTime) {
    throw new SignatureCheckError('untrusted-signer', 'the signature has no authentic signing time');
  }
  const { profileVersionArn, signingJobArn } = envelope;
  if (!profileVersionArn || !signingJobArn || !PROFILE_VERSION_ARN.test(profileVersionArn)) {
    throw new SignatureCheckError(
      'untrusted-signer',
      'the signature names no AWS Signer signing profile version and job',
    );
  }
  if (partitionOf(profileVersionArn) !== expected.partition) {
    throw new SignatureCheckError(
      'untrusted-signer',
      `the signing profile is in another partition than ${expected.partition}`,
    );
  }
  return {
    profileVersionArn,
    signingJobArn,
    signedAt: envelope.authenticSigningTime,
    ...(envelope.expiry ? { expiresAt: envelope.expiry } : {}),
  };
}

/** Applies every rule, trusted profile and expiry included; throws SignatureCheckError with the first failure. */
export function checkSignature(
  envelope: VerifiedEnvelope,
  expected: { digest: string; trustedProfiles: readonly string[]; partition: string; now: Date },
): SignatureFacts {
  const facts = checkAuthentic(envelope, expected);
  const { profileVersionArn } = facts;
  if (!matchesTrustedProfile(profileVersionArn, expected.trustedProfiles)) {
    throw new SignatureCheckError(
      'untrusted-signer',
      `signing profile ${profileVersionArn} is not a trusted profile`,
    );
  }
  if (envelope.expiry && envelope.expiry.getTime() <= expected.now.getTime()) {
    throw new SignatureCheckError('expired', `the signature expired at ${envelope.expiry.toISOString()}`);
  }
  return facts;
}
