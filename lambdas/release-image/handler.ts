/**
 * ReleaseQuarantine (vulnerable image): every finding that caused the quarantine is closed; with
 * inspector.releaseOnClose the image quarantine is lifted, otherwise nothing is touched.
 */
import { type ImageReleaseResult, releaseImages } from '../actions/release-image';
import { ReleaseImageInputSchema, stepInput } from '../core/schemas';
import { dynamodb } from '../shared/clients/dynamodb';
import { ecr } from '../shared/clients/ecr';
import { s3 } from '../shared/clients/s3';
import { environment, policySettings } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('EVIDENCE_BUCKET', 'INCIDENT_TABLE');
policySettings();

/** The workflow reaches this step only for an incident it has just seen QUARANTINED. */
const EXPECTED_STATUS = 'QUARANTINED';
const ACTOR = 'shield-right (inspector.releaseOnClose)';

export type ReleaseImageOutput = ImageReleaseResult | { readonly status: 'skipped'; readonly reason: string };

export const handler = async (input: unknown): Promise<ReleaseImageOutput> => {
  const { incidentId } = stepInput('ReleaseQuarantine', ReleaseImageInputSchema, input);
  if (!policySettings().inspector.releaseOnClose) {
    logger.info('release skipped', { incidentId, reason: 'inspector.releaseOnClose is off' });
    return { status: 'skipped', reason: 'inspector.releaseOnClose is off' };
  }
  const { EVIDENCE_BUCKET: evidenceBucket, INCIDENT_TABLE: table } = env();
  const result = await releaseImages(
    { ecr, s3, dynamodb, evidenceBucket, table, now: () => Date.now() },
    incidentId,
    { expectedStatus: EXPECTED_STATUS, actor: ACTOR },
  );
  logger.info('release', {
    incidentId,
    status: result.status,
    images: result.steps.filter((s) => s.action === 'restore-image').length,
  });
  return result;
};
