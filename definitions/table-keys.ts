/**
 * Partition-key prefixes of the incident table's items, as `lambdas/core/incident.ts` builds the keys.
 * IAM grants item writes only under the prefixes a role uses (`dynamodb:LeadingKeys`), so a key with a
 * new prefix needs its grant here too: `test/infra/table-keys.test.ts` checks every key builder.
 */
export const TABLE_KEY_PREFIXES = {
  /** `INCIDENT#<incidentId>`: one item per finding. */
  incident: 'INCIDENT#',
  /** `CLAIM#TASK#<task or cluster ARN>#stop|isolate`: a task's containment claim. */
  taskClaim: 'CLAIM#TASK#',
  /** `CLAIM#IMAGE#<digest>`: an image digest's quarantine claim (the hold). */
  imageClaim: 'CLAIM#IMAGE#',
  /** `CAP#…`: blast-radius counters. */
  cap: 'CAP#',
  /** `CAPNOTICE#<cluster ARN or account>`: when the last "limit reached" notice of a scope went out. */
  capNotice: 'CAPNOTICE#',
  /** `TRUST#<digest>#<policy hash>`: a digest's cached signature verdict and its verification lease. */
  trust: 'TRUST#',
  /** `SWEEP#reconcile`: the reconciliation sweep's watermark. */
  sweep: 'SWEEP#',
} as const;

export type TableKeyPrefix = keyof typeof TABLE_KEY_PREFIXES;

/** The `dynamodb:LeadingKeys` condition allowing only keys under `prefixes`. */
export function leadingKeysCondition(
  prefixes: readonly TableKeyPrefix[],
): Record<string, Record<string, string[]>> {
  return {
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${TABLE_KEY_PREFIXES[p]}*`) },
  };
}
