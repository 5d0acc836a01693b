/**
 * The trust anchors a Notation signature's chain must end at: the configured roots (PEM certificates and/or
 * SHA-256 fingerprints), or else the built-in AWS Signer root of the partition, pinned by fingerprint
 * (definitions/signing-config.ts AWS_SIGNER_ROOTS). A partition without a built-in root and no configuration
 * has no anchor: the caller reports a configuration error and never acts.
 */
import { AWS_SIGNER_ROOTS, type SigningConfig } from '../../../definitions/signing-config';
import { normalizeFingerprint } from './certificates';
import { rootsFromPem } from './image-trust';

export interface TrustAnchors {
  readonly trustedRoots: readonly Uint8Array[];
  readonly trustedRootFingerprints: readonly string[];
  /** `configured`: from `signing.trustedRoot*`; `built-in`: the partition's AWS Signer root. */
  readonly source: 'configured' | 'built-in';
}

/** The partition of a region: `cn-*` is aws-cn, `us-gov-*` is aws-us-gov, every other region aws. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** The anchors for `partition`; undefined when none is configured and the partition has no built-in root. */
export function trustAnchorsFor(
  signing: Pick<SigningConfig, 'trustedRootCertificates' | 'trustedRootFingerprints'>,
  partition: string,
): TrustAnchors | undefined {
  if (signing.trustedRootCertificates.length > 0 || signing.trustedRootFingerprints.length > 0) {
    return {
      trustedRoots: rootsFromPem(signing.trustedRootCertificates),
      trustedRootFingerprints: signing.trustedRootFingerprints.map(normalizeFingerprint),
      source: 'configured',
    };
  }
  const builtIn = AWS_SIGNER_ROOTS[partition];
  if (!builtIn || builtIn.length === 0) return undefined;
  return { trustedRoots: [], trustedRootFingerprints: builtIn, source: 'built-in' };
}

/** What a missing trust store is reported as (configuration, never acted on). */
export function noTrustAnchorReason(partition: string): string {
  return `no AWS Signer root to verify against in partition ${partition}: shield-right has none built in for it; set signing.trustedRootCertificates or signing.trustedRootFingerprints (configuration)`;
}
