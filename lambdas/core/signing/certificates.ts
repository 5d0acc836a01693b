/**
 * X.509 for Notation signatures: the chain from the signing certificate to the partition's AWS Signer root,
 * checked at the authentic signing time, and the certificate hashes Signer's GetRevocationStatus takes.
 * Parsing and signature checks use @peculiar/x509; the raw TBS bytes come from asn1js (the DER element as it
 * was encoded, like `openssl asn1parse -strparse 4`), never from a re-encoding.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { fromBER, Sequence } from 'asn1js';
import { SignatureCheckError } from './outcome';

const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const EXTENDED_KEY_USAGE = '2.5.29.37';

export function parseCertificate(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new SignatureCheckError('tampered', `a certificate of the chain does not parse: ${String(error)}`);
  }
}

/** The DER bytes of a certificate's tbsCertificate, exactly as encoded. */
export function tbsBytes(der: Uint8Array): Uint8Array {
  const parsed = fromBER(der);
  const root = parsed.result;
  if (parsed.offset === -1 || !(root instanceof Sequence))
    throw new SignatureCheckError('tampered', 'certificate is not DER');
  const tbs = root.valueBlock.value[0];
  if (!tbs) throw new SignatureCheckError('tampered', 'certificate has no tbsCertificate');
  return new Uint8Array(tbs.valueBeforeDecodeView);
}

function tbsHash(der: Uint8Array): string {
  return createHash('sha384').update(tbsBytes(der)).digest('hex');
}

/**
 * Signer's certificate identifiers: for each certificate, hex SHA-384 of its TBS followed by hex SHA-384 of
 * its issuer's TBS; the root is its own issuer (GetRevocationStatus `certificateHashes`).
 */
export function revocationCertificateHashes(chain: readonly Uint8Array[]): string[] {
  const hashes = chain.map(tbsHash);
  return hashes.map((hash, i) => hash + (hashes[i + 1] ?? hash));
}

function isCa(cert: X509Certificate): boolean {
  const ext = cert.getExtension(BASIC_CONSTRAINTS);
  return ext !== null && 'ca' in ext && ext.ca === true;
}

function hasCodeSigning(cert: X509Certificate): boolean {
  const ext = cert.getExtension(EXTENDED_KEY_USAGE);
  return (
    ext !== null && 'usages' in ext && Array.isArray(ext.usages) && ext.usages.includes(CODE_SIGNING_EKU)
  );
}

function validAt(cert: X509Certificate, at: Date): boolean {
  return cert.notBefore.getTime() <= at.getTime() && at.getTime() <= cert.notAfter.getTime();
}

function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

/** Hex SHA-256 of a certificate's DER: the fingerprint a pinned root is known by (`signing.trustedRootFingerprints`). */
export function certificateFingerprint(der: Uint8Array | ArrayBuffer): string {
  return createHash('sha256').update(new Uint8Array(der)).digest('hex');
}

/** `AA:BB:…` or `aabb…` to lower-case hex without separators. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, '').toLowerCase();
}

/**
 * Checks the chain (leaf first, as in `x5c`/`x5chain`) up to a trust anchor, each link's signature and every
 * certificate's validity at `signedAt`. The envelope carries the root itself, so an anchor is either a trusted
 * root certificate (DER) or the SHA-256 fingerprint of one: the last certificate must be self-signed, verify
 * with its own key, and be one of `trustedRoots` or have a fingerprint in `trustedFingerprints`.
 * Throws SignatureCheckError('untrusted-signer') otherwise.
 */
export async function verifyChain(
  chainDer: readonly Uint8Array[],
  trustedRoots: readonly Uint8Array[],
  signedAt: Date,
  trustedFingerprints: readonly string[] = [],
): Promise<X509Certificate[]> {
  if (chainDer.length === 0)
    throw new SignatureCheckError('tampered', 'the envelope carries no certificate chain');
  const chain = chainDer.map(parseCertificate);
  const roots = trustedRoots.map(parseCertificate);
  const leaf = chain[0] as X509Certificate;
  if (!hasCodeSigning(leaf)) {
    throw new SignatureCheckError(
      'untrusted-signer',
      'the signing certificate is not a code-signing certificate',
    );
  }
  for (const [i, cert] of chain.entries()) {
    if (!validAt(cert, signedAt)) {
      throw new SignatureCheckError(
        'untrusted-signer',
        `certificate ${cert.subject} was not valid at the signing time ${signedAt.toISOString()}`,
      );
    }
    const issuer = chain[i + 1];
    if (!issuer) break;
    if (!isCa(issuer) || issuer.subject !== cert.issuer) {
      throw new SignatureCheckError(
        'untrusted-signer',
        `certificate ${cert.subject} is not issued by the next one of the chain`,
      );
    }
    if (!(await cert.verify({ publicKey: issuer, signatureOnly: true }))) {
      throw new SignatureCheckError(
        'untrusted-signer',
        `the signature on certificate ${cert.subject} does not verify`,
      );
    }
  }
  const last = chain[chain.length - 1] as X509Certificate;
  const pinned = new Set(trustedFingerprints.map(normalizeFingerprint));
  const anchored =
    roots.some((root) => sameCertificate(root, last)) ||
    (pinned.size > 0 && pinned.has(certificateFingerprint(last.rawData)));
  const selfSigned = last.subject === last.issuer;
  if (!anchored || !selfSigned || !(await last.verify({ publicKey: last, signatureOnly: true }))) {
    throw new SignatureCheckError(
      'untrusted-signer',
      'the certificate chain does not end at the AWS Signer root of this partition',
    );
  }
  return chain;
}
