/** What a Notation signature envelope says once its signature has been checked, whichever format it was. */

export const NOTATION_PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export const SIGNING_AUTHORITY_SCHEME = 'notary.x509.signingAuthority';
export const ATTR_SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
export const ATTR_SIGNING_TIME = 'io.cncf.notary.signingTime';
export const ATTR_AUTHENTIC_SIGNING_TIME = 'io.cncf.notary.authenticSigningTime';
export const ATTR_EXPIRY = 'io.cncf.notary.expiry';
export const ATTR_VERIFICATION_PLUGIN = 'io.cncf.notary.verificationPlugin';
export const ATTR_VERIFICATION_PLUGIN_MIN_VERSION = 'io.cncf.notary.verificationPluginMinVersion';
export const ATTR_PROFILE_VERSION = 'com.amazonaws.signer.signingProfileVersion';
export const ATTR_SIGNING_JOB = 'com.amazonaws.signer.signingJob';

/** The critical attributes this verifier understands; any other critical attribute fails the signature. */
export const UNDERSTOOD_CRITICAL = [
  ATTR_SIGNING_SCHEME,
  ATTR_AUTHENTIC_SIGNING_TIME,
  ATTR_SIGNING_TIME,
  ATTR_EXPIRY,
  ATTR_VERIFICATION_PLUGIN,
  ATTR_VERIFICATION_PLUGIN_MIN_VERSION,
  ATTR_PROFILE_VERSION,
  ATTR_SIGNING_JOB,
] as const;

export const ENVELOPE_MEDIA_TYPES = { jws: 'application/jose+json', cose: 'application/cose' } as const;

export interface VerifiedEnvelope {
  readonly format: 'jws' | 'cose';
  /** The signed payload bytes (the Notation payload JSON). */
  readonly payload: Uint8Array;
  /** The content type the protected header declares. */
  readonly contentType: string | undefined;
  readonly signingScheme: string | undefined;
  readonly authenticSigningTime: Date | undefined;
  readonly expiry: Date | undefined;
  readonly profileVersionArn: string | undefined;
  readonly signingJobArn: string | undefined;
  /** DER certificates, signing certificate first. */
  readonly chain: readonly Uint8Array[];
}
