/**
 * ValidateFinding: schema-check the EventBridge event and return the normalized, bounded finding (the state the
 * workflow carries from here on; the raw event is kept as evidence). No AWS calls.
 */
import * as v from 'valibot';
import type { AccountScope } from '../core/accounts';
import { InvalidFindingError } from '../core/errors';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../core/finding';
import { boundRuntimeFinding, boundVulnerabilityFinding } from '../core/finding-bounds';
import { EventSourceSchema } from '../core/schemas/fields';
import { normalizeVulnerabilityFinding, type VulnerabilityFinding } from '../core/vulnerability';
import { policySettings } from '../shared/env';
import { logger } from '../shared/logger';

// Accounts whose resources may be acted on besides the event's own (empty: same-account response only).
const listedAccounts = (process.env.ALLOWED_ACCOUNTS ?? '').split(',').filter((a) => /^\d{12}$/.test(a));

/** The accounts acted in: ALLOWED_ACCOUNTS, and with a member role the configured `accounts` (lambdas/core/accounts.ts). */
function accountScope(): AccountScope {
  const policy = process.env.SHIELD_RIGHT_POLICY ? policySettings() : undefined;
  const role = policy?.memberAccountRoleName;
  const configured = role ? policy.accounts : [];
  return {
    allowedAccounts: configured === 'all' ? 'all' : [...listedAccounts, ...configured],
    protectedAccounts: policy?.protectedAccounts ?? [],
    ...(role ? { memberRoleName: role } : {}),
    ...(process.env.AWS_REGION ? { deploymentRegion: process.env.AWS_REGION } : {}),
    regions: policy?.regions ?? [],
  };
}

function accountNames(): Readonly<Record<string, string>> {
  return process.env.SHIELD_RIGHT_POLICY ? policySettings().accountNames : {};
}

export const handler = async (event: unknown): Promise<RuntimeFinding | VulnerabilityFinding> => {
  const source = v.is(EventSourceSchema, event) ? event.source : undefined;
  try {
    const scope = accountScope();
    const normalized =
      source === 'aws.inspector2'
        ? boundVulnerabilityFinding(normalizeVulnerabilityFinding(event, scope))
        : boundRuntimeFinding(normalizeRuntimeFinding(event, scope));
    // The configured name of the finding's account (operators' text, from the configuration; no API call).
    const accountName = accountNames()[normalized.accountId];
    const finding = accountName ? { ...normalized, accountName } : normalized;
    logger.info('finding validated', { incidentId: finding.incidentId, kind: finding.kind });
    return finding;
  } catch (err) {
    logger.warn('finding rejected', {
      error: err instanceof Error ? err.message : String(err),
      source: String(source),
    });
    if (err instanceof Error) throw err;
    throw new InvalidFindingError('event', String(err));
  }
};
