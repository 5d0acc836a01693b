/**
 * MeasureBlastRadius / FindExposure: running tasks on the same image digests, with the guard's verdicts. In
 * organization mode every account shield-right can see is scanned through its member role
 * (lambdas/actions/exposure-accounts.ts); an account left unscanned keeps every image out of quarantine.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { type ExposureQuery, findTasksRunningImage } from '../actions/exposure';
import { scanAccounts } from '../actions/exposure-accounts';
import { listActiveAccounts } from '../actions/organization-accounts';
import { accountsToScan, memberRoleArnFor } from '../core/accounts';
import type { BlastRadius } from '../core/outcome';
import { scopeOf } from '../core/policy';
import { ExposureInputSchema, parseStepInput } from '../core/schemas';
import { organizations } from '../shared/clients/organizations';
import { policySettings } from '../shared/env';
import { clientsFor } from '../shared/member-clients';

/** How long the scan may start accounts for: well inside the state's 120 s timeout. */
export const SCAN_SECONDS = 60;

export const handler = async (input: unknown): Promise<BlastRadius> => {
  const { digests, clusters, excludeTaskArns, maxTasks, guard, finding } = parseStepInput(
    'MeasureBlastRadius',
    ExposureInputSchema,
    input,
  );
  const settings = policySettings();
  const query: ExposureQuery = {
    digests,
    ...(clusters ? { clusters } : {}),
    ...(excludeTaskArns ? { excludeTaskArns } : {}),
    ...(maxTasks ? { maxTasks } : {}),
    ...(guard ? { guard: settings } : {}),
  };
  const roleName = settings.memberAccountRoleName;
  const deployment = finding?.deploymentAccountId;
  if (roleName && deployment && finding?.accountId && finding.partition && !clusters) {
    const { partition } = finding;
    const deadline = Date.now() + SCAN_SECONDS * 1000;
    // The organization's accounts as Organizations lists them now (never a stale copy): with `accounts: "all"`
    // they are scanned, with a list those outside it are reported unscanned (they may pull the image too).
    const members = await listActiveAccounts(organizations, { deadline, now: Date.now });
    const plan = accountsToScan(scopeOf(settings), deployment, finding.accountId, members);
    const ecsFor = async (accountId: string): Promise<ECSClient> =>
      (
        await clientsFor(
          accountId === deployment ? undefined : memberRoleArnFor(partition, accountId, roleName),
        )
      ).ecs;
    return scanAccounts({ ecsFor, now: Date.now }, { ...plan, deadline }, query);
  }
  const { ecs } = await clientsFor(finding?.memberRoleArn);
  const radius = await findTasksRunningImage(ecs, query);
  // Organization mode without the deployment's account known: only this account was scanned.
  return roleName ? { ...radius, otherAccountsUnscanned: true } : radius;
};
