/**
 * The sandbox's stand-in for the AWS Signer root: a certificate authority generated with @peculiar/x509
 * (root → intermediate → code-signing leaf, ECDSA P-384 like Signer's Notation platform), and real Notation
 * envelopes (JWS with `jose`, COSE_Sign1 with `cbor` + node:crypto) signed by its leaf. Offline verification
 * trusts this root instead of AWS's.
 */
import 'reflect-metadata';
import { KeyObject, sign, webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import cbor from 'cbor';
import { FlattenedSign } from 'jose';
import {
  ATTR_AUTHENTIC_SIGNING_TIME,
  ATTR_EXPIRY,
  ATTR_PROFILE_VERSION,
  ATTR_SIGNING_JOB,
  ATTR_SIGNING_SCHEME,
  ATTR_VERIFICATION_PLUGIN,
  NOTATION_PAYLOAD_TYPE,
  SIGNING_AUTHORITY_SCHEME,
} from '../../lambdas/core/signing/envelope';

const EC = { name: 'ECDSA', namedCurve: 'P-384' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-384' } as const;
const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';
const DAY = 86_400_000;

export interface SandboxCa {
  /** DER of the root: the sandbox trust store. */
  readonly rootDer: Uint8Array;
  /** DER chain, signing certificate first (as in `x5c`). */
  readonly chainDer: readonly Uint8Array[];
  readonly leafKey: webcrypto.CryptoKey;
}

async function keys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
}

/** A CA valid from `notBefore` for ten years; the leaf's validity can be narrowed for expiry tests. */
export async function createSandboxCa(options: {
  notBefore: Date;
  leafNotAfter?: Date;
  name?: string;
}): Promise<SandboxCa> {
  const name = options.name ?? 'shield-right sandbox';
  const notBefore = new Date(options.notBefore.getTime() - DAY);
  const notAfter = new Date(notBefore.getTime() + 3650 * DAY);
  const rootKeys = await keys();
  const root = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name} Signer Root,O=shield-right sandbox`,
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new BasicConstraintsExtension(true, 1, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true),
    ],
  });
  const intermediateKeys = await keys();
  const intermediate = await X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${name} Signer Intermediate,O=shield-right sandbox`,
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign, true),
    ],
  });
  const leafKeys = await keys();
  const leaf = await X509CertificateGenerator.create({
    serialNumber: '03',
    subject: `CN=${name} signing,O=shield-right sandbox`,
    issuer: intermediate.subject,
    notBefore,
    notAfter: options.leafNotAfter ?? notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: intermediateKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([CODE_SIGNING_EKU], true),
    ],
  });
  return {
    rootDer: new Uint8Array(root.rawData),
    chainDer: [leaf, intermediate, root].map((c) => new Uint8Array(c.rawData)),
    leafKey: leafKeys.privateKey,
  };
}

export interface SignatureRequest {
  readonly format: 'jws' | 'cose';
  /** The digest the payload names (the image's, or another for a tampered signature). */
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly profileVersionArn: string;
  readonly jobArn: string;
  readonly signedAt: Date;
  readonly expiry: Date;
}

function payloadOf(request: SignatureRequest): Uint8Array {
  const descriptor = {
    targetArtifact: { mediaType: request.mediaType, digest: request.digest, size: request.size },
  };
  return new TextEncoder().encode(JSON.stringify(descriptor));
}

const CRITICAL = [
  ATTR_SIGNING_SCHEME,
  ATTR_AUTHENTIC_SIGNING_TIME,
  ATTR_EXPIRY,
  ATTR_PROFILE_VERSION,
  ATTR_SIGNING_JOB,
];

/** RFC 3339 without fractional seconds, as the Notary Project spec asks. */
function rfc3339(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

async function signJws(ca: SandboxCa, request: SignatureRequest): Promise<Uint8Array> {
  const jws = await new FlattenedSign(payloadOf(request))
    .setProtectedHeader({
      alg: 'ES384',
      cty: NOTATION_PAYLOAD_TYPE,
      crit: CRITICAL,
      [ATTR_SIGNING_SCHEME]: SIGNING_AUTHORITY_SCHEME,
      [ATTR_AUTHENTIC_SIGNING_TIME]: rfc3339(request.signedAt),
      [ATTR_EXPIRY]: rfc3339(request.expiry),
      [ATTR_VERIFICATION_PLUGIN]: 'com.amazonaws.signer.notation.plugin',
      [ATTR_PROFILE_VERSION]: request.profileVersionArn,
      [ATTR_SIGNING_JOB]: request.jobArn,
    })
    .setUnprotectedHeader({
      x5c: ca.chainDer.map((der) => Buffer.from(der).toString('base64')),
      'io.cncf.notary.signingAgent': 'shield-right-sandbox/1.0',
    })
    .sign(ca.leafKey, { crit: Object.fromEntries(CRITICAL.map((name) => [name, true])) });
  return new TextEncoder().encode(JSON.stringify(jws));
}

function signCose(ca: SandboxCa, request: SignatureRequest): Uint8Array {
  const epoch = (date: Date) => new cbor.Tagged(1, Math.floor(date.getTime() / 1000));
  const protectedHeader = new Map<number | string, unknown>([
    [1, -35],
    [2, CRITICAL],
    [3, NOTATION_PAYLOAD_TYPE],
    [ATTR_SIGNING_SCHEME, SIGNING_AUTHORITY_SCHEME],
    [ATTR_AUTHENTIC_SIGNING_TIME, epoch(request.signedAt)],
    [ATTR_EXPIRY, epoch(request.expiry)],
    [ATTR_PROFILE_VERSION, request.profileVersionArn],
    [ATTR_SIGNING_JOB, request.jobArn],
  ]);
  const protectedBytes = cbor.encode(protectedHeader);
  const payload = Buffer.from(payloadOf(request));
  const toBeSigned = cbor.encode(['Signature1', protectedBytes, Buffer.alloc(0), payload]);
  const signature = sign('sha384', toBeSigned, {
    key: KeyObject.from(ca.leafKey),
    dsaEncoding: 'ieee-p1363',
  });
  const unprotected = new Map<number, unknown>([[33, ca.chainDer.map((der) => Buffer.from(der))]]);
  return new Uint8Array(cbor.encode(new cbor.Tagged(18, [protectedBytes, unprotected, payload, signature])));
}

/** A Notation envelope signed by the sandbox CA's leaf. */
export async function signNotation(ca: SandboxCa, request: SignatureRequest): Promise<Uint8Array> {
  return request.format === 'jws' ? signJws(ca, request) : signCose(ca, request);
}

/** Flips one byte of the signed payload: the envelope parses and its signature no longer verifies. */
export function tamperEnvelope(format: 'jws' | 'cose', envelope: Uint8Array): Uint8Array {
  if (format === 'jws') {
    const jws = JSON.parse(Buffer.from(envelope).toString('utf8')) as { payload: string };
    const payload = Buffer.from(jws.payload, 'base64url')
      .toString('utf8')
      .replace(/sha256:([0-9a-f])/, (_m, c: string) => `sha256:${c === '0' ? '1' : '0'}`);
    return new TextEncoder().encode(
      JSON.stringify({ ...jws, payload: Buffer.from(payload).toString('base64url') }),
    );
  }
  const tagged = cbor.decodeFirstSync(Buffer.from(envelope), { preferMap: true }) as { value: unknown[] };
  const payload = Buffer.from(tagged.value[2] as Buffer);
  const at = payload.indexOf('sha256:') + 7;
  payload[at] = payload[at] === 0x30 ? 0x31 : 0x30;
  return new Uint8Array(
    cbor.encode(new cbor.Tagged(18, [tagged.value[0], tagged.value[1], payload, tagged.value[3]])),
  );
}
