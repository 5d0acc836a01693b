/**
 * QuarantineImage: retag and archive the image digests named by the plan (every workflow). In the runtime and
 * image trust workflows the blast radius comes with the request: digests that other workloads run, or whose users are
 * not fully known, are spared (lambdas/core/blast-radius.ts).
 */

import { quarantineInAccounts, registryRoles } from '../actions/quarantine-accounts';
import { revokeAfterQuarantine } from '../actions/quarantine-revocation';
import { spareTargets } from '../core/blast-radius';
import type { QuarantineResult } from '../core/outcome';
import { QuarantineInputSchema, stepInput } from '../core/schemas';
import { layerDownload } from '../shared/clients/layer-download';
import { s3 } from '../shared/clients/s3';
import { signer } from '../shared/clients/signer';
import { environment, policySettings } from '../shared/env';
import { logger } from '../shared/logger';
import { clientsFor } from '../shared/member-clients';

const env = environment('EVIDENCE_BUCKET');

export const handler = async (input: unknown): Promise<QuarantineResult> => {
  const request = stepInput('QuarantineImage', QuarantineInputSchema, input);
  const { enrichment } = request;
  // The runtime workflow names the finding's task (enrichment), the image trust workflow the stopped task's
  // workload; the Inspector workflow neither (its finding is about the image itself).
  const workload = enrichment
    ? {
        clusterArn: enrichment.clusterArn ?? '',
        ...(enrichment.service ? { serviceName: enrichment.service.name } : {}),
      }
    : request.workload;
  const sparing = workload
    ? spareTargets(request.targets, request.blastRadius, workload)
    : { targets: [...request.targets], spared: [] };
  // Each target is quarantined in the account that owns its repository, through the role the plan gave it
  // (lambdas/core/accounts.ts registryAccess); a plan without per-target roles acts in the finding's account.
  const fallbackRole = request.finding?.deploymentAccountId ? undefined : request.finding?.memberRoleArn;
  const ecrFor = async (roleArn: string | undefined) => (await clientsFor(roleArn)).ecr;
  const roles = registryRoles(sparing.targets, fallbackRole);
  const result =
    sparing.targets.length > 0
      ? await quarantineInAccounts(
          {
            ecrFor,
            s3,
            evidenceBucket: env().EVIDENCE_BUCKET,
          },
          { ...request, targets: sparing.targets },
          fallbackRole,
        )
      : { status: 'skipped' as const, images: [] };
  // signing.revokeOnQuarantine: after the quarantine applied, never instead of it; a failure is reported.
  const config = policySettings();
  const revocation = await revokeAfterQuarantine(
    {
      // The signatures are read in each image's registry account, through the role it was quarantined with.
      clients: { ecr: await ecrFor(undefined), signer, download: (url) => layerDownload.get(url) },
      ecrOf: async (registryId) => ecrFor(roles.has(registryId) ? roles.get(registryId) : fallbackRole),
      s3,
      evidenceBucket: env().EVIDENCE_BUCKET,
    },
    { incidentId: request.incidentId, result },
    { mode: config.mode, signing: config.signing, region: process.env.AWS_REGION ?? 'us-east-1' },
  );
  logger.info('quarantine', {
    incidentId: request.incidentId,
    status: result.status,
    images: result.images.length,
    spared: sparing.spared.length,
    ...(revocation ? { revocation: revocation.status } : {}),
  });
  return {
    ...result,
    ...(sparing.spared.length > 0 ? { spared: sparing.spared } : {}),
    ...(revocation ? { revocation } : {}),
  };
};
