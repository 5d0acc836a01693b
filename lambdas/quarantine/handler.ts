/**
 * QuarantineImage: retag and archive the image digests named by the plan (both workflows). In the runtime
 * workflow the blast radius comes with the request: digests that other workloads run, or whose users are
 * not fully known, are spared (lambdas/core/blast-radius.ts).
 */
import { quarantineInAccounts } from '../actions/quarantine-accounts';
import { spareTargets } from '../core/blast-radius';
import type { QuarantineResult } from '../core/outcome';
import { QuarantineInputSchema, stepInput } from '../core/schemas';
import { s3 } from '../shared/clients/s3';
import { environment } from '../shared/env';
import { logger } from '../shared/logger';
import { clientsFor } from '../shared/member-clients';

const env = environment('EVIDENCE_BUCKET');

export const handler = async (input: unknown): Promise<QuarantineResult> => {
  const request = stepInput('QuarantineImage', QuarantineInputSchema, input);
  const { enrichment } = request;
  const sparing = enrichment
    ? spareTargets(request.targets, request.blastRadius, {
        clusterArn: enrichment.clusterArn ?? '',
        ...(enrichment.service ? { serviceName: enrichment.service.name } : {}),
      })
    : { targets: [...request.targets], spared: [] };
  // Each target is quarantined in the account that owns its repository, through the role the plan gave it
  // (lambdas/core/accounts.ts registryAccess); a plan without per-target roles acts in the finding's account.
  const fallbackRole = request.finding?.deploymentAccountId ? undefined : request.finding?.memberRoleArn;
  const result =
    sparing.targets.length > 0
      ? await quarantineInAccounts(
          {
            ecrFor: async (roleArn) => (await clientsFor(roleArn)).ecr,
            s3,
            evidenceBucket: env().EVIDENCE_BUCKET,
          },
          { ...request, targets: sparing.targets },
          fallbackRole,
        )
      : { status: 'skipped' as const, images: [] };
  logger.info('quarantine', {
    incidentId: request.incidentId,
    status: result.status,
    images: result.images.length,
    spared: sparing.spared.length,
  });
  return sparing.spared.length > 0 ? { ...result, spared: sparing.spared } : result;
};
