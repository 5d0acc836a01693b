/** QuarantineImage: retag and archive the image digests named by the plan (both workflows). */
import type { ImageQuarantineStrategy } from '../../definitions/config';
import { type QuarantineRequest, quarantineImages } from '../actions/image-quarantine';
import { InvalidFindingError } from '../core/errors';
import type { QuarantineResult } from '../core/outcome';
import type { QuarantineTarget } from '../core/policy';
import { isObject } from '../core/read';
import { ecr } from '../shared/clients/ecr';
import { s3 } from '../shared/clients/s3';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';

const env = environment('EVIDENCE_BUCKET');
const STRATEGIES: readonly string[] = ['both', 'retag', 'archive', 'none'];

function parse(input: unknown): QuarantineRequest {
  if (!isObject(input)) throw new InvalidFindingError('input', 'expected an object');
  const { incidentId, strategy, quarantineTag, targets } = input;
  if (typeof incidentId !== 'string' || typeof quarantineTag !== 'string') {
    throw new InvalidFindingError('input', 'incidentId and quarantineTag are required');
  }
  if (typeof strategy !== 'string' || !STRATEGIES.includes(strategy)) {
    throw new InvalidFindingError('input.strategy', `expected one of ${STRATEGIES.join(', ')}`);
  }
  if (
    !Array.isArray(targets) ||
    !targets.every((t) => isObject(t) && typeof t.repository === 'string' && typeof t.registryId === 'string')
  ) {
    throw new InvalidFindingError('input.targets', 'expected a list of { repository, registryId, digest? }');
  }
  return {
    incidentId,
    strategy: strategy as ImageQuarantineStrategy,
    quarantineTag,
    targets: targets as unknown as QuarantineTarget[],
  };
}

export const handler = async (input: unknown): Promise<QuarantineResult> => {
  const request = parse(input);
  const result = await quarantineImages({ ecr, s3, evidenceBucket: env().EVIDENCE_BUCKET }, request);
  logger.info('quarantine', {
    incidentId: request.incidentId,
    status: result.status,
    images: result.images.length,
  });
  return result;
};
