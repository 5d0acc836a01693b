/** EnrichAndDecide (vulnerable image): describe the image and where it runs, then decide the plan. */
import { enrichVulnerableImage } from '../actions/enrich-image';
import { InvalidFindingError } from '../core/errors';
import { isObject } from '../core/read';
import {
  decideImageResponse,
  type ImageEnrichment,
  type ImagePlan,
  type VulnerabilityFinding,
} from '../core/vulnerability';
import { ecr } from '../shared/clients/ecr';
import { ecs } from '../shared/clients/ecs';
import { decisionTime, policySettings } from '../shared/env';
import { logger } from '../shared/logger';

policySettings();

export const handler = async (input: {
  finding?: unknown;
  now?: unknown;
}): Promise<{ enrichment: ImageEnrichment; plan: ImagePlan }> => {
  if (!isObject(input.finding) || input.finding.kind !== 'vulnerability') {
    throw new InvalidFindingError('finding', 'EnrichAndDecide expects a normalized vulnerability finding');
  }
  const finding = input.finding as unknown as VulnerabilityFinding;
  const settings = policySettings();
  const enrichment = await enrichVulnerableImage({ ecr, ecs }, finding);
  const plan = decideImageResponse(
    finding,
    enrichment,
    settings,
    decisionTime(input.now),
    settings.incidentRetentionDays,
  );
  logger.info('image response decided', {
    incidentId: plan.incidentId,
    disposition: plan.disposition,
    exposed: enrichment.runningTasks.length,
  });
  return { enrichment, plan };
};
