/** EnrichAndDecide (vulnerable image): describe the image and where it runs, then decide the plan. */
import { enrichVulnerableImage } from '../actions/enrich-image';
import { EnrichInputSchema, stepInput, VulnerabilityFindingSchema } from '../core/schemas';
import { decideImageResponse, type ImageEnrichment, type ImagePlan } from '../core/vulnerability';
import { decisionTime, policySettings } from '../shared/env';
import { logger } from '../shared/logger';
import { clientsFor } from '../shared/member-clients';

policySettings();

const InputSchema = EnrichInputSchema(VulnerabilityFindingSchema);

export const handler = async (input: unknown): Promise<{ enrichment: ImageEnrichment; plan: ImagePlan }> => {
  const { finding, now } = stepInput('EnrichAndDecide', InputSchema, input);
  const settings = policySettings();
  // A member account's image and tasks through its member role (MemberRoleError when it cannot be assumed).
  const { ecr, ecs } = await clientsFor(finding.memberRoleArn);
  const enrichment = await enrichVulnerableImage({ ecr, ecs, guard: settings }, finding);
  const plan = decideImageResponse(
    finding,
    enrichment,
    settings,
    decisionTime(now),
    settings.incidentRetentionDays,
  );
  logger.info('image response decided', {
    incidentId: plan.incidentId,
    disposition: plan.disposition,
    exposed: enrichment.runningTasks.length,
  });
  return { enrichment, plan };
};
