/**
 * Runs a quarantine in the accounts that own the repositories (organization mode: images often live in a
 * central registry account, not the task's): the targets are grouped by the member role the plan gave
 * them (lambdas/core/accounts.ts registryAccess), each group quarantined with its account's ECR client.
 * Evidence stays in the central bucket. A registry account whose role cannot be assumed quarantines
 * nothing there and says so per image; the other accounts' images are still quarantined.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage, MemberRoleError } from '../core/errors';
import type { QuarantinedImage, QuarantineResult } from '../core/outcome';
import type { QuarantineTarget } from '../core/policy';
import { type QuarantineRequest, quarantineImages, quarantineStatus } from './image-quarantine';

export interface AccountQuarantineDeps {
  /** The ECR client acting in the account of `roleArn` (the deployment's own without one). */
  readonly ecrFor: (roleArn: string | undefined) => Promise<ECRClient>;
  readonly s3: S3Client;
  readonly evidenceBucket: string;
}

/**
 * The role each target is quarantined through: its own (set by the plan), or, for a plan made without
 * organization mode's deployment account (no per-target roles), the finding's member role.
 */
export function roleOfTarget(
  target: QuarantineTarget,
  fallbackRoleArn: string | undefined,
): string | undefined {
  return target.roleArn ?? fallbackRoleArn;
}

/** The role each registry account of the targets is quarantined through (undefined: the deployment's own). */
export function registryRoles(
  targets: readonly QuarantineTarget[],
  fallbackRoleArn: string | undefined,
): Map<string, string | undefined> {
  return new Map(targets.map((t) => [t.registryId, roleOfTarget(t, fallbackRoleArn)]));
}

function groupByRole(
  targets: readonly QuarantineTarget[],
  fallbackRoleArn: string | undefined,
): Map<string | undefined, QuarantineTarget[]> {
  const groups = new Map<string | undefined, QuarantineTarget[]>();
  for (const target of targets) {
    const role = roleOfTarget(target, fallbackRoleArn);
    groups.set(role, [...(groups.get(role) ?? []), target]);
  }
  return groups;
}

export async function quarantineInAccounts(
  deps: AccountQuarantineDeps,
  request: QuarantineRequest,
  fallbackRoleArn: string | undefined,
): Promise<QuarantineResult> {
  if (request.strategy === 'none') return { status: 'skipped', images: [] };
  const images: QuarantinedImage[] = [];
  for (const [roleArn, targets] of groupByRole(request.targets, fallbackRoleArn)) {
    let ecr: ECRClient;
    try {
      ecr = await deps.ecrFor(roleArn);
    } catch (err) {
      // Throttled or failed STS keeps its name for the workflow's Retry; a refused role is reported per image.
      if (!(err instanceof MemberRoleError)) throw err;
      for (const target of targets) {
        images.push({
          repository: target.repository,
          registryId: target.registryId,
          ...(target.digest ? { digest: target.digest } : {}),
          status: 'not-possible',
          movedTags: [],
          archived: false,
          reason: `not quarantined in registry account ${target.registryId}: ${errorMessage(err)}`,
        });
      }
      continue;
    }
    // Each record names the role it was quarantined through, so the release undoes it in that account.
    const result = await quarantineImages(
      { ecr, s3: deps.s3, evidenceBucket: deps.evidenceBucket },
      { ...request, targets: roleArn ? targets.map((t) => ({ ...t, roleArn })) : targets },
    );
    images.push(...result.images);
  }
  return { status: quarantineStatus(images), images };
}
