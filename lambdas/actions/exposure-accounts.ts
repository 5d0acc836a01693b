/**
 * The blast-radius scan across accounts (organization mode): every account shield-right can see is scanned
 * (lambdas/core/accounts.ts accountsToScan) through its member role, within one budget of described tasks
 * and one deadline for them all. An account that cannot be scanned (its role refused, its listing denied,
 * the budget or the deadline reached before it, a protected account) is reported unscanned, which spares
 * every image (lambdas/core/blast-radius.ts).
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { awsErrorName, errorMessage } from '../core/errors';
import type { BlastRadius, ExposedTask } from '../core/outcome';
import { DEFAULT_MAX_TASKS, type ExposureQuery, findTasksRunningImage } from './exposure';

export interface AccountScanDeps {
  /** The ECS client acting in `accountId` (its member role, or the deployment's own clients). */
  readonly ecsFor: (accountId: string) => Promise<ECSClient>;
  readonly now: () => number;
}

export interface AccountScanPlan {
  readonly accounts: readonly string[];
  /** Accounts known unscanned before the scan starts (protected ones), and why. */
  readonly unscanned: readonly { readonly accountId: string; readonly reason: string }[];
  /** Why the organization's other accounts are not in `accounts` (accounts: "all"), if so. */
  readonly unlisted?: string;
  /** Epoch ms after which no further account is scanned. */
  readonly deadline: number;
}

/** Errors that mean "this account cannot be read with this role", not a transient failure. */
const REFUSED = new Set([
  'MemberRoleError',
  'AccessDenied',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
]);

export async function scanAccounts(
  deps: AccountScanDeps,
  plan: AccountScanPlan,
  query: ExposureQuery,
): Promise<BlastRadius> {
  const maxTasks = query.maxTasks ?? DEFAULT_MAX_TASKS;
  const tasks: ExposedTask[] = [];
  const scannedAccounts: string[] = [];
  const unscannedAccounts: { accountId: string; reason: string }[] = [...plan.unscanned];
  let scanned = 0;
  let truncated = false;
  for (const [index, accountId] of plan.accounts.entries()) {
    if (scanned >= maxTasks || deps.now() >= plan.deadline) {
      const why = scanned >= maxTasks ? `the scan's bound of ${maxTasks} tasks` : "the scan's time bound";
      for (const rest of plan.accounts.slice(index))
        unscannedAccounts.push({ accountId: rest, reason: `not reached within ${why}` });
      truncated = true;
      break;
    }
    try {
      const ecs = await deps.ecsFor(accountId);
      const radius = await findTasksRunningImage(ecs, { ...query, maxTasks: maxTasks - scanned });
      tasks.push(...radius.tasks.map((t) => ({ ...t, accountId })));
      scanned += radius.scannedTasks;
      scannedAccounts.push(accountId);
      if (radius.truncated) truncated = true;
    } catch (err) {
      const name = awsErrorName(err);
      // Throttling and 5xx keep their names for the workflow's Retry; a refusal leaves the account unscanned.
      if (!REFUSED.has(name)) throw err;
      unscannedAccounts.push({ accountId, reason: `${name}: ${errorMessage(err)}` });
    }
  }
  return {
    tasks,
    scannedTasks: scanned,
    truncated,
    scannedAccounts,
    ...(unscannedAccounts.length > 0 ? { unscannedAccounts } : {}),
    ...(unscannedAccounts.length > 0 || plan.unlisted ? { otherAccountsUnscanned: true } : {}),
    ...(plan.unlisted ? { reason: plan.unlisted } : {}),
  };
}
