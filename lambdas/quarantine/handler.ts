/** QuarantineImage: retag and archive the image digests named by the plan (both workflows). */
import { quarantineImages } from '../actions/image-quarantine';
import type { QuarantineResult } from '../core/outcome';
import { QuarantineInputSchema, stepInput } from '../core/schemas';
import { s3 } from '../shared/clients/s3';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';
import { clientsFor } from '../shared/member-clients';

const env = environment('EVIDENCE_BUCKET');

export const handler = async (input: unknown): Promise<QuarantineResult> => {
  const request = stepInput('QuarantineImage', QuarantineInputSchema, input);
  // Targets are in the finding's account (lambdas/core/policy.ts): a member's through its member role.
  const { ecr } = await clientsFor(request.finding?.memberRoleArn);
  const result = await quarantineImages({ ecr, s3, evidenceBucket: env().EVIDENCE_BUCKET }, request);
  logger.info('quarantine', {
    incidentId: request.incidentId,
    status: result.status,
    images: result.images.length,
  });
  return result;
};
