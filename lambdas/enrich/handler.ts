/** EnrichAndDecide: describe the task, its service and cluster, then decide the response plan. */
import { enrichRuntimeFinding } from '../actions/enrich';
import { decideRuntimeResponse, type ResponsePlan, type TaskEnrichment } from '../core/policy';
import { EnrichInputSchema, RuntimeFindingSchema, stepInput } from '../core/schemas';
import { decisionTime, policySettings } from '../shared/env';
import { logger } from '../shared/logger';
import { clientsFor } from '../shared/member-clients';

policySettings();

const InputSchema = EnrichInputSchema(RuntimeFindingSchema);

export interface EnrichOutput {
  readonly enrichment?: TaskEnrichment;
  readonly plan: ResponsePlan;
}

export const handler = async (input: unknown): Promise<EnrichOutput> => {
  const { finding, now } = stepInput('EnrichAndDecide', InputSchema, input);
  const settings = policySettings();
  // A member account's task is described through its member role (lambdas/shared/member-clients.ts).
  const { ecs } = await clientsFor(finding.memberRoleArn);
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
