/**
 * The verdict of an image signature check. Only `trusted` lets a task run undisturbed in enforce mode;
 * `error` (could not verify) is never treated as trusted.
 */

export const TRUST_OUTCOMES = [
  'trusted',
  'unsigned',
  'untrusted-signer',
  'tampered',
  'revoked',
  'expired',
  'error',
] as const;

export type TrustOutcome = (typeof TRUST_OUTCOMES)[number];

export interface TrustVerdict {
  readonly outcome: TrustOutcome;
  /** One sentence for the operator: what was checked and what failed. */
  readonly reason: string;
  /** The digest that was verified (the one the task runs, or the index that lists it). */
  readonly digest: string;
  /** Set when a signature was read: the Signer identity and job it names. */
  readonly signingProfileVersionArn?: string;
  readonly signingJobArn?: string;
  /** The authentic signing time and the signature's expiry, ISO 8601. */
  readonly signedAt?: string;
  readonly expiresAt?: string;
}

/** When several signatures fail, the verdict reports the most telling failure first. */
const FAILURE_ORDER: readonly TrustOutcome[] = [
  'tampered',
  'revoked',
  'expired',
  'untrusted-signer',
  'error',
  'unsigned',
];

/** The verdict of a digest with several signatures: trusted if any is, else the most telling failure. */
export function combineVerdicts(digest: string, verdicts: readonly TrustVerdict[]): TrustVerdict {
  const trusted = verdicts.find((v) => v.outcome === 'trusted');
  if (trusted) return trusted;
  for (const outcome of FAILURE_ORDER) {
    const found = verdicts.find((v) => v.outcome === outcome);
    if (found) return found;
  }
  return { outcome: 'unsigned', reason: 'no Notation signature references this digest', digest };
}

/** A failure of one check, carried up to the verdict. Thrown by the envelope and chain checks. */
export class SignatureCheckError extends Error {
  readonly outcome: Exclude<TrustOutcome, 'trusted'>;
  constructor(outcome: Exclude<TrustOutcome, 'trusted'>, message: string) {
    super(message);
    this.name = 'SignatureCheckError';
    this.outcome = outcome;
  }
}
