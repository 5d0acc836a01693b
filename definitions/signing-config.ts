/** The `signing` section of the configuration: signed images only (issue 15). No AWS or CDK imports here. */

export type SigningMode = 'off' | 'observe' | 'enforce';
export type SigningVerification = 'managed' | 'notation' | 'both';

export interface SigningConfig {
  /** `off` (default): no rule; `observe`: verify and notify only; `enforce`: stop the task and quarantine the digest. */
  readonly mode: SigningMode;
  /** AWS Signer signing profile ARNs (every version) or profile version ARNs: the trusted identities. */
  readonly trustedProfiles: readonly string[];
  /**
   * `notation`: a verified Notation signature of a trusted profile; `managed`: ECR managed signing status
   * COMPLETE for a trusted profile and a verified signature; `both`: a verified signature, with the managed
   * status read and reported when none verifies.
   */
  readonly verification: SigningVerification;
  /** ECR repositories whose images may run unsigned (notified as allowed, never stopped). */
  readonly allowUnsignedRepositories: readonly string[];
  /** Registries outside this account's ECR whose images are allowed (e.g. `public.ecr.aws`); others are untrusted. */
  readonly allowRegistries: readonly string[];
  /** Minutes a verdict per digest is reused; a revocation is seen within this time. */
  readonly cacheMinutes: number;
  /** On quarantine, revoke the digest's Signer signing jobs (irreversible, organization-wide). */
  readonly revokeOnQuarantine: boolean;
  /**
   * PEM certificates of the AWS Signer root for Notation (the trust store that `notation` installs with the
   * AWS Signer plugin). With `trustedRootFingerprints`, replaces the built-in default root of the partition.
   */
  readonly trustedRootCertificates: readonly string[];
  /**
   * Hex SHA-256 fingerprints (of the DER) of trusted self-signed roots; a chain is anchored when its last
   * certificate is self-signed, verifies, and has one of these fingerprints. Empty, with
   * `trustedRootCertificates` empty too: the AWS Signer root of the `aws` partition (AWS_SIGNER_ROOTS);
   * GovCloud and China have no built-in root and need one of the two lists.
   */
  readonly trustedRootFingerprints: readonly string[];
}

export const DEFAULT_SIGNING: SigningConfig = {
  mode: 'off',
  trustedProfiles: [],
  verification: 'notation',
  allowUnsignedRepositories: [],
  allowRegistries: [],
  cacheMinutes: 15,
  revokeOnQuarantine: false,
  trustedRootCertificates: [],
  trustedRootFingerprints: [],
};

/**
 * The built-in trust anchors, per partition: the SHA-256 fingerprint of the DER of `CN=AWS Signer Code Signing
 * Root CA G1,OU=Cryptography,O=AWS,ST=WA,C=US` (self-signed, expires 2122-10-27), as public `notation inspect`
 * outputs of AWS Signer signatures show it; AWS publishes the certificate at
 * https://d2hvyiie56hcat.cloudfront.net/aws-signer-notation-root.cert (Signer developer guide, image signing
 * prerequisites). Not confirmed for aws-us-gov and aws-cn: those need configuration.
 */
export const AWS_SIGNER_ROOTS: Readonly<Record<string, readonly string[]>> = {
  aws: ['90a87d0543c3f094dbff9589b6649affe2f3d6e0f308799be2258461c686473f'],
};

/** A SHA-256 fingerprint: 64 hex digits, optionally in colon-separated pairs. */
export const SHA256_FINGERPRINT = /^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){31})$/;

/** A Signer signing profile ARN or profile version ARN (the identities the AWS Signer Notation plugin accepts). */
export const SIGNING_PROFILE_ARN =
  /^arn:aws[a-z-]*:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}(?:\/[A-Za-z0-9]{10})?$/;
