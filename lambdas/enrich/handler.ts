/** EnrichAndDecide: describe the task, its service and cluster, then decide the response plan. */
import { enrichRuntimeFinding } from '../actions/enrich';
import { InvalidFindingError } from '../core/errors';
import type { RuntimeFinding } from '../core/finding';
import { decideRuntimeResponse, type ResponsePlan, type TaskEnrichment } from '../core/policy';
import { isObject } from '../core/read';
import { ecs } from '../shared/clients/ecs';
import { decisionTime, policySettings } from '../shared/env';
import { logger } from '../shared/logger';

policySettings();

export interface EnrichOutput {
  readonly enrichment?: TaskEnrichment;
  readonly plan: ResponsePlan;
}

export const handler = async (input: { finding?: unknown; now?: unknown }): Promise<EnrichOutput> => {
  const finding = input.finding;
  if (!isObject(finding) || finding.kind !== 'runtime') {
    throw new InvalidFindingError('finding', 'EnrichAndDecide expects a normalized runtime finding');
  }
  const runtime = finding as unknown as RuntimeFinding;
  const settings = policySettings();
  const enrichment = await enrichRuntimeFinding(ecs, runtime);
  const plan = decideRuntimeResponse(
    runtime,
    enrichment,
    settings,
    decisionTime(input.now),
    settings.incidentRetentionDays,
  );
  logger.info('response decided', {
    incidentId: plan.incidentId,
    disposition: plan.disposition,
    stop: plan.stop,
  });
  return { ...(enrichment ? { enrichment } : {}), plan };
};
