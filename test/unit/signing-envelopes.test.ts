import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { revocationCertificateHashes, verifyChain } from '../../lambdas/core/signing/certificates';
import type { VerifiedEnvelope } from '../../lambdas/core/signing/envelope';
import { verifyCoseEnvelope } from '../../lambdas/core/signing/envelope-cose';
import { verifyJwsEnvelope } from '../../lambdas/core/signing/envelope-jws';
import { checkSignature, matchesTrustedProfile } from '../../lambdas/core/signing/notation';
import { SignatureCheckError } from '../../lambdas/core/signing/outcome';
import {
  createSandboxCa,
  type SandboxCa,
  signNotation,
  tamperEnvelope,
} from '../../local/sandbox/signing-ca';

const NOW = new Date('2026-06-01T12:00:00Z');
const PROFILE = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/release';
const VERSION = `${PROFILE}/Ab12Cd34Ef`;
const JOB = 'arn:aws:signer:us-east-1:111122223333:/signing-jobs/1b2c3d4e-0000-4000-8000-000000000001';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

let ca: SandboxCa;
let otherCa: SandboxCa;
beforeAll(async () => {
  ca = await createSandboxCa({ notBefore: new Date('2026-01-01T00:00:00Z') });
  otherCa = await createSandboxCa({ notBefore: new Date('2026-01-01T00:00:00Z'), name: 'impostor' });
});

const request = (format: 'jws' | 'cose', overrides: Partial<Parameters<typeof signNotation>[1]> = {}) => ({
  format,
  digest: DIGEST,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 1234,
  profileVersionArn: VERSION,
  jobArn: JOB,
  signedAt: new Date('2026-05-01T00:00:00Z'),
  expiry: new Date('2027-05-01T00:00:00Z'),
  ...overrides,
});

const verifyEnvelope = (format: 'jws' | 'cose', bytes: Uint8Array) =>
  format === 'jws' ? verifyJwsEnvelope(bytes) : verifyCoseEnvelope(bytes);

async function outcomeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'trusted';
  } catch (error) {
    if (error instanceof SignatureCheckError) return error.outcome;
    throw error;
  }
}

const policy = { digest: DIGEST, trustedProfiles: [PROFILE], partition: 'aws', now: NOW };

async function fullCheck(format: 'jws' | 'cose', bytes: Uint8Array, roots: Uint8Array[]): Promise<void> {
  const envelope: VerifiedEnvelope = await verifyEnvelope(format, bytes);
  const facts = checkSignature(envelope, policy);
  await verifyChain(envelope.chain, roots, facts.signedAt);
}

describe.each(['jws', 'cose'] as const)('Notation %s envelope', (format) => {
  it('a signature of a trusted profile over the digest, chained to the trust store, is trusted', async () => {
    const bytes = await signNotation(ca, request(format));
    const envelope = await verifyEnvelope(format, bytes);
    expect(envelope.profileVersionArn).toBe(VERSION);
    expect(envelope.signingJobArn).toBe(JOB);
    expect(envelope.authenticSigningTime?.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(await outcomeOf(() => fullCheck(format, bytes, [ca.rootDer]))).toBe('trusted');
  });

  it('a changed payload no longer verifies: tampered', async () => {
    const bytes = tamperEnvelope(format, await signNotation(ca, request(format)));
    expect(await outcomeOf(() => fullCheck(format, bytes, [ca.rootDer]))).toBe('tampered');
  });

  it('a valid signature that names another digest: tampered', async () => {
    const bytes = await signNotation(ca, request(format, { digest: OTHER }));
    expect(await outcomeOf(() => fullCheck(format, bytes, [ca.rootDer]))).toBe('tampered');
  });

  it('a signing profile that is not trusted: untrusted-signer', async () => {
    const bytes = await signNotation(
      ca,
      request(format, { profileVersionArn: `${PROFILE}-other/Ab12Cd34Ef` }),
    );
    expect(await outcomeOf(() => fullCheck(format, bytes, [ca.rootDer]))).toBe('untrusted-signer');
  });

  it('a chain to another root than the trust store: untrusted-signer', async () => {
    const bytes = await signNotation(otherCa, request(format));
    expect(await outcomeOf(() => fullCheck(format, bytes, [ca.rootDer]))).toBe('untrusted-signer');
  });

  it('a signature past its expiry: expired', async () => {
    const bytes = await signNotation(ca, request(format, { expiry: new Date('2026-05-15T00:00:00Z') }));
    expect(await outcomeOf(() => fullCheck(format, bytes, [ca.rootDer]))).toBe('expired');
  });

  it('a signing time outside the certificates validity: untrusted-signer', async () => {
    const bytes = await signNotation(
      ca,
      request(format, {
        signedAt: new Date('2040-01-01T00:00:00Z'),
        expiry: new Date('2041-01-01T00:00:00Z'),
      }),
    );
    expect(await outcomeOf(() => fullCheck(format, bytes, [ca.rootDer]))).toBe('untrusted-signer');
  });

  it('a profile of another partition: untrusted-signer', async () => {
    const gov = 'arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-profiles/release';
    const bytes = await signNotation(ca, request(format, { profileVersionArn: `${gov}/Ab12Cd34Ef` }));
    const envelope = await verifyEnvelope(format, bytes);
    expect(() => checkSignature(envelope, { ...policy, trustedProfiles: [gov] })).toThrow(
      /another partition/,
    );
  });
});

it('an envelope that is not JSON or CBOR is tampered, not an exception', async () => {
  expect(await outcomeOf(() => verifyJwsEnvelope(new TextEncoder().encode('not json')))).toBe('tampered');
  expect(await outcomeOf(() => verifyCoseEnvelope(new Uint8Array([0xff, 0x00])))).toBe('tampered');
});

it('trusted identities match as the AWS Signer plugin matches them: profile ARN = any version, version ARN = itself', () => {
  expect(matchesTrustedProfile(VERSION, [PROFILE])).toBe(PROFILE);
  expect(matchesTrustedProfile(VERSION, [VERSION])).toBe(VERSION);
  expect(matchesTrustedProfile(VERSION, [`${PROFILE}/Zz99Yy88Xx`])).toBeUndefined();
  expect(matchesTrustedProfile(`${PROFILE}2/Ab12Cd34Ef`, [PROFILE])).toBeUndefined();
});

it('revocation certificate hashes are SHA-384 of each TBS followed by its issuer TBS; the root is its own issuer', () => {
  const tbsHash = (der: Uint8Array) =>
    createHash('sha384')
      .update(Buffer.from(AsnConvert.serialize(AsnConvert.parse(der, Certificate).tbsCertificate)))
      .digest('hex');
  const [leaf, intermediate, root] = ca.chainDer.map(tbsHash) as [string, string, string];
  expect(revocationCertificateHashes(ca.chainDer)).toEqual([
    leaf + intermediate,
    intermediate + root,
    root + root,
  ]);
});
