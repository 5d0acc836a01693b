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
   * PEM certificates of the AWS Signer root for Notation of the stack's partition (the trust store that
   * `notation` installs with the AWS Signer plugin). Not bundled: shield-right could not confirm them offline.
   */
  readonly trustedRootCertificates: readonly string[];
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
};

/** A Signer signing profile ARN or profile version ARN (the identities the AWS Signer Notation plugin accepts). */
export const SIGNING_PROFILE_ARN =
  /^arn:aws[a-z-]*:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}(?:\/[A-Za-z0-9]{10})?$/;
