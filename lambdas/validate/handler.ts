/** ValidateFinding: schema-check the EventBridge event and return the normalized finding. No AWS calls. */
import * as v from 'valibot';
import { InvalidFindingError } from '../core/errors';
import { normalizeRuntimeFinding, type RuntimeFinding } from '../core/finding';
import { EventSourceSchema } from '../core/schemas/fields';
import { normalizeVulnerabilityFinding, type VulnerabilityFinding } from '../core/vulnerability';
import { logger } from '../shared/logger';

// Accounts whose resources may be acted on besides the event's own (empty: same-account response only).
const allowedAccounts = (process.env.ALLOWED_ACCOUNTS ?? '').split(',').filter((a) => /^\d{12}$/.test(a));

export const handler = async (event: unknown): Promise<RuntimeFinding | VulnerabilityFinding> => {
  const source = v.is(EventSourceSchema, event) ? event.source : undefined;
  try {
    const finding =
      source === 'aws.inspector2'
        ? normalizeVulnerabilityFinding(event, { allowedAccounts })
        : normalizeRuntimeFinding(event, { allowedAccounts });
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
