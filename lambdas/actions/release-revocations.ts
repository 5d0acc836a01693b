/**
 * What a release says about the signing jobs revoked on quarantine (signing.revokeOnQuarantine): AWS Signer has
 * no way to restore a revoked signature, so the release undoes the quarantine but not the revocation, and says
 * what to do instead. A `skipped` step: nothing is left to redo, the release can finish.
 */
import type { RevocationRecord } from './quarantine-revocation';
import type { ReleaseStep } from './release-step';

export const REVOCATION_CANNOT_BE_UNDONE =
  'revoked by AWS Signer when the image was quarantined: a revocation cannot be undone, and every verifier that checks revocation keeps refusing this signature; to deploy this code again, rebuild the image and sign it anew (a new signing job), then deploy the new digest';

export function revocationSteps(records: readonly RevocationRecord[]): ReleaseStep[] {
  return records.map((r) => ({
    action: 'signature-revoked',
    target: `${r.repository}@${r.digest} signing job ${r.jobArn}`,
    status: 'skipped',
    detail: REVOCATION_CANNOT_BE_UNDONE,
  }));
}
