/** EnrichAndDecide: describe the task, its service and cluster, then decide the response plan. */
import { enrichRuntimeFinding } from '../actions/enrich';
import { decideRuntimeResponse, type ResponsePlan, type TaskEnrichment } from '../core/policy';
import { EnrichInputSchema, RuntimeFindingSchema, stepInput } from '../core/schemas';
import { ecs } from '../shared/clients/ecs';
import { decisionTime, policySettings } from '../shared/env';
import { logger } from '../shared/logger';

policySettings();

const InputSchema = EnrichInputSchema(RuntimeFindingSchema);

export interface EnrichOutput {
  readonly enrichment?: TaskEnrichment;
  readonly plan: ResponsePlan;
}

export const handler = async (input: unknown): Promise<EnrichOutput> => {
  const { finding, now } = stepInput('EnrichAndDecide', InputSchema, input);
  const settings = policySettings();
  const enrichment = await enrichRuntimeFinding(ecs, finding);
  const plan = decideRuntimeResponse(
    finding,
    enrichment,
    settings,
    decisionTime(now),
    settings.incidentRetentionDays,
  );
  logger.info('response decided', {
    incidentId: plan.incidentId,
    disposition: plan.disposition,
    stop: plan.stop,
  });
  return { ...(enrichment ? { enrichment } : {}), plan };
};
