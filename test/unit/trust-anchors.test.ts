import { AWS_SIGNER_ROOTS } from '../../definitions/signing-config';
import {
  certificateFingerprint,
  normalizeFingerprint,
  verifyChain,
} from '../../lambdas/core/signing/certificates';
import { partitionOfRegion, trustAnchorsFor } from '../../lambdas/core/signing/trust-store';
import { createSandboxCa } from '../../local/sandbox/signing-ca';

jest.setTimeout(30_000);
const AT = new Date('2026-06-01T00:00:00Z');
const AWS_ROOT = '90a87d0543c3f094dbff9589b6649affe2f3d6e0f308799be2258461c686473f';
const NONE = { trustedRootCertificates: [], trustedRootFingerprints: [] };

describe('trust anchors by fingerprint', () => {
  it('anchors a chain whose self-signed root has a pinned SHA-256 fingerprint', async () => {
    const ca = await createSandboxCa({ notBefore: AT });
    const pinned = certificateFingerprint(ca.rootDer);
    await expect(verifyChain(ca.chainDer, [], AT, [pinned])).resolves.toHaveLength(ca.chainDer.length);
    // The colon-separated upper-case form `openssl x509 -fingerprint -sha256` prints is accepted too.
    const colons = (pinned.toUpperCase().match(/../g) ?? []).join(':');
    expect(normalizeFingerprint(colons)).toBe(pinned);
    await expect(verifyChain(ca.chainDer, [], AT, [colons])).resolves.toBeDefined();
  });

  it('refuses a chain whose root has another fingerprint (the sandbox CA is not AWS Signer)', async () => {
    const ca = await createSandboxCa({ notBefore: AT });
    await expect(verifyChain(ca.chainDer, [], AT, [AWS_ROOT])).rejects.toMatchObject({
      outcome: 'untrusted-signer',
    });
    const other = await createSandboxCa({ notBefore: AT, name: 'another' });
    await expect(
      verifyChain(ca.chainDer, [], AT, [certificateFingerprint(other.rootDer)]),
    ).rejects.toMatchObject({ outcome: 'untrusted-signer' });
  });

  it('refuses a chain cut short at a pinned certificate that is not self-signed', async () => {
    const ca = await createSandboxCa({ notBefore: AT });
    const withoutRoot = ca.chainDer.slice(0, -1);
    const last = withoutRoot[withoutRoot.length - 1] as Uint8Array;
    await expect(verifyChain(withoutRoot, [], AT, [certificateFingerprint(last)])).rejects.toMatchObject({
      outcome: 'untrusted-signer',
    });
  });
});

describe('trustAnchorsFor', () => {
  it('defaults to the AWS Signer root, pinned by fingerprint, in the aws partition', () => {
    expect(AWS_SIGNER_ROOTS.aws).toEqual([AWS_ROOT]);
    expect(trustAnchorsFor(NONE, 'aws')).toEqual({
      trustedRoots: [],
      trustedRootFingerprints: [AWS_ROOT],
      source: 'built-in',
    });
  });

  it('has no built-in root for GovCloud or China: configuration is needed there', () => {
    expect(trustAnchorsFor(NONE, 'aws-us-gov')).toBeUndefined();
    expect(trustAnchorsFor(NONE, 'aws-cn')).toBeUndefined();
    expect(partitionOfRegion('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOfRegion('cn-north-1')).toBe('aws-cn');
    expect(partitionOfRegion('eu-west-1')).toBe('aws');
  });

  it('a configured list replaces the default', async () => {
    const ca = await createSandboxCa({ notBefore: AT });
    const pinned = certificateFingerprint(ca.rootDer).toUpperCase();
    const anchors = trustAnchorsFor({ ...NONE, trustedRootFingerprints: [pinned] }, 'aws');
    expect(anchors).toEqual({
      trustedRoots: [],
      trustedRootFingerprints: [pinned.toLowerCase()],
      source: 'configured',
    });
    expect(anchors?.trustedRootFingerprints).not.toContain(AWS_ROOT);
  });
});
