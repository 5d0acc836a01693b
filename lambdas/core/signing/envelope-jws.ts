/**
 * Notation JWS envelopes (flattened JWS JSON serialization, `application/jose+json`). The signature is checked
 * by `jose` with the public key of the first `x5c` certificate, imported for the header's `alg` so that an
 * algorithm the key does not have is refused (algorithm substitution).
 */
import { errors, flattenedVerify, importX509 } from 'jose';
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

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

interface FlattenedEnvelope {
  payload: string;
  protected: string;
  header?: { x5c?: unknown };
  signature: string;
}

function parseEnvelope(bytes: Uint8Array): FlattenedEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new SignatureCheckError('tampered', 'the JWS envelope is not JSON');
  }
  const e = json as Partial<FlattenedEnvelope> | null;
  if (
    !e ||
    typeof e.payload !== 'string' ||
    typeof e.protected !== 'string' ||
    typeof e.signature !== 'string'
  ) {
    throw new SignatureCheckError('tampered', 'the JWS envelope is not a flattened JWS');
  }
  return e as FlattenedEnvelope;
}

function chainOf(envelope: FlattenedEnvelope): Uint8Array[] {
  const x5c = envelope.header?.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string')) {
    throw new SignatureCheckError('tampered', 'the JWS envelope has no x5c certificate chain');
  }
  return x5c.map((c: string) => new Uint8Array(Buffer.from(c, 'base64')));
}

function toPem(der: Uint8Array): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;
}

function time(value: unknown, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new SignatureCheckError('tampered', `${name} is not an RFC 3339 time`);
  return date;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export async function verifyJwsEnvelope(bytes: Uint8Array): Promise<VerifiedEnvelope> {
  const envelope = parseEnvelope(bytes);
  const chain = chainOf(envelope);
  const leaf = toPem(chain[0] as Uint8Array);
  const crit = Object.fromEntries(UNDERSTOOD_CRITICAL.map((name) => [name, true]));
  let verified: Awaited<ReturnType<typeof flattenedVerify>>;
  try {
    verified = await flattenedVerify(
      { payload: envelope.payload, protected: envelope.protected, signature: envelope.signature },
      async (header) => importX509(leaf, String(header?.alg)),
      { algorithms: ALGORITHMS, crit },
    );
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new SignatureCheckError(
        'tampered',
        'the JWS signature does not verify with its signing certificate',
      );
    }
    if (error instanceof errors.JOSENotSupported || error instanceof errors.JOSEAlgNotAllowed) {
      throw new SignatureCheckError(
        'untrusted-signer',
        `the JWS envelope is not supported: ${(error as Error).message}`,
      );
    }
    throw new SignatureCheckError('tampered', `the JWS envelope is invalid: ${(error as Error).message}`);
  }
  const h = verified.protectedHeader ?? {};
  return {
    format: 'jws',
    payload: verified.payload,
    contentType: text(h.cty),
    signingScheme: text(h[ATTR_SIGNING_SCHEME]),
    authenticSigningTime: time(h[ATTR_AUTHENTIC_SIGNING_TIME], ATTR_AUTHENTIC_SIGNING_TIME),
    expiry: time(h[ATTR_EXPIRY], ATTR_EXPIRY),
    profileVersionArn: text(h[ATTR_PROFILE_VERSION]),
    signingJobArn: text(h[ATTR_SIGNING_JOB]),
    chain,
  };
}
