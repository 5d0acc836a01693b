/**
 * Notation COSE envelopes (`COSE_Sign1_Tagged`, `application/cose`). CBOR is decoded and the Sig_structure
 * encoded by the `cbor` package; the signature is checked by node:crypto with the signing certificate's key,
 * whose algorithm must be the one the protected `alg` names.
 */
import { constants, X509Certificate as NodeCertificate, verify } from 'node:crypto';
import cbor from 'cbor';
import {
  ATTR_AUTHENTIC_SIGNING_TIME,
  ATTR_EXPIRY,
  ATTR_PROFILE_VERSION,
  ATTR_SIGNING_JOB,
  ATTR_SIGNING_SCHEME,
  UNDERSTOOD_CRITICAL,
  type VerifiedEnvelope,
} from './envelope';
import { SignatureCheckError } from './outcome';

const COSE_SIGN1_TAG = 18;
const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CONTENT_TYPE = 3;
const LABEL_X5CHAIN = 33;

/** COSE algorithm identifiers (IANA) Notation allows, with the hash and the key each requires. */
const ALGORITHMS = new Map<number, { hash: string; curve?: string; pss?: boolean }>([
  [-7, { hash: 'sha256', curve: 'prime256v1' }],
  [-35, { hash: 'sha384', curve: 'secp384r1' }],
  [-36, { hash: 'sha512', curve: 'secp521r1' }],
  [-37, { hash: 'sha256', pss: true }],
  [-38, { hash: 'sha384', pss: true }],
  [-39, { hash: 'sha512', pss: true }],
]);

function decode(bytes: Uint8Array, what: string): unknown {
  try {
    return cbor.decodeFirstSync(Buffer.from(bytes), { preferMap: true });
  } catch {
    throw new SignatureCheckError('tampered', `the COSE ${what} is not CBOR`);
  }
}

function asMap(value: unknown, what: string): Map<unknown, unknown> {
  if (!(value instanceof Map)) throw new SignatureCheckError('tampered', `the COSE ${what} is not a map`);
  return value;
}

function bytesOf(value: unknown, what: string): Buffer {
  if (!Buffer.isBuffer(value))
    throw new SignatureCheckError('tampered', `the COSE ${what} is not a byte string`);
  return value;
}

function dateOf(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  throw new SignatureCheckError('tampered', `${name} is not a CBOR date/time`);
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export async function verifyCoseEnvelope(bytes: Uint8Array): Promise<VerifiedEnvelope> {
  const tagged = decode(bytes, 'envelope');
  if (!(tagged instanceof cbor.Tagged) || tagged.tag !== COSE_SIGN1_TAG || !Array.isArray(tagged.value)) {
    throw new SignatureCheckError('tampered', 'the COSE envelope is not a COSE_Sign1_Tagged structure');
  }
  const [protectedBytes, unprotectedValue, payloadValue, signatureValue] = tagged.value as unknown[];
  const protectedRaw = bytesOf(protectedBytes, 'protected header');
  const headers = asMap(decode(protectedRaw, 'protected header'), 'protected header');
  const unprotected = asMap(unprotectedValue, 'unprotected header');
  const payload = bytesOf(payloadValue, 'payload');
  const signature = bytesOf(signatureValue, 'signature');

  const x5chain = headers.get(LABEL_X5CHAIN) ?? unprotected.get(LABEL_X5CHAIN);
  const chainItems = Buffer.isBuffer(x5chain) ? [x5chain] : x5chain;
  if (!Array.isArray(chainItems) || chainItems.length === 0 || !chainItems.every((c) => Buffer.isBuffer(c))) {
    throw new SignatureCheckError('tampered', 'the COSE envelope has no x5chain certificate chain');
  }
  const chain = chainItems.map((c: Buffer) => new Uint8Array(c));

  const crit = headers.get(LABEL_CRIT);
  if (!Array.isArray(crit) || !crit.includes(ATTR_SIGNING_SCHEME)) {
    throw new SignatureCheckError('tampered', 'the COSE protected header lacks the critical signing scheme');
  }
  const understood: readonly unknown[] = UNDERSTOOD_CRITICAL;
  const unknown = crit.filter((name) => !understood.includes(name));
  if (unknown.length > 0) {
    throw new SignatureCheckError(
      'untrusted-signer',
      `unsupported critical attribute(s): ${unknown.join(', ')}`,
    );
  }
  const missing = crit.filter((name) => !headers.has(name));
  if (missing.length > 0)
    throw new SignatureCheckError('tampered', `critical attribute(s) missing: ${missing.join(', ')}`);

  const alg = ALGORITHMS.get(Number(headers.get(LABEL_ALG)));
  if (!alg) throw new SignatureCheckError('untrusted-signer', 'the COSE signature algorithm is not allowed');
  let key: NodeCertificate['publicKey'];
  try {
    key = new NodeCertificate(Buffer.from(chain[0] as Uint8Array)).publicKey;
  } catch {
    throw new SignatureCheckError('tampered', 'the signing certificate does not parse');
  }
  const details = key.asymmetricKeyDetails;
  const keyMatches = alg.pss ? key.asymmetricKeyType === 'rsa' : details?.namedCurve === alg.curve;
  if (!keyMatches)
    throw new SignatureCheckError(
      'tampered',
      'the COSE alg does not match the signing key (algorithm substitution)',
    );

  const toBeSigned = cbor.encode(['Signature1', protectedRaw, Buffer.alloc(0), payload]);
  const ok = alg.pss
    ? verify(
        alg.hash,
        toBeSigned,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      )
    : verify(alg.hash, toBeSigned, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!ok)
    throw new SignatureCheckError(
      'tampered',
      'the COSE signature does not verify with its signing certificate',
    );

  return {
    format: 'cose',
    payload: new Uint8Array(payload),
    contentType: textOf(headers.get(LABEL_CONTENT_TYPE)),
    signingScheme: textOf(headers.get(ATTR_SIGNING_SCHEME)),
    authenticSigningTime: dateOf(headers.get(ATTR_AUTHENTIC_SIGNING_TIME), ATTR_AUTHENTIC_SIGNING_TIME),
    expiry: dateOf(headers.get(ATTR_EXPIRY), ATTR_EXPIRY),
    profileVersionArn: textOf(headers.get(ATTR_PROFILE_VERSION)),
    signingJobArn: textOf(headers.get(ATTR_SIGNING_JOB)),
    chain,
  };
}
