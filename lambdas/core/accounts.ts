/**
 * Which accounts a deployment may act in: its own, and, with `memberAccountRoleName` (organization-wide
 * response), the member accounts listed in `accounts` ("all" by default) except `protectedAccounts`. A
 * finding about any other account is refused before anything is called, and the refusal says what to set.
 */
import { CrossAccountFindingError, InvalidFindingError } from './errors';

export interface AccountScope {
  /** Accounts acted in besides the event's own: a list, or every member account ("all"). */
  readonly allowedAccounts?: readonly string[] | 'all';
  /** Never acted in, whatever else allows them. */
  readonly protectedAccounts?: readonly string[];
  /** The member role; without it no other account is acted in. */
  readonly memberRoleName?: string;
  /** The Region this deployment runs in (AWS_REGION): a finding of another Region is not acted on here. */
  readonly deploymentRegion?: string;
  /** The Regions shield-right is deployed in (configuration `regions`), to say where such a finding goes. */
  readonly regions?: readonly string[];
}

/**
 * Throws InvalidFindingError unless `region` is the deployment's own: findings are Regional, and so are
 * the calls a response makes (a Task's Credentials.RoleArn cannot cross Regions).
 */
export function requireDeploymentRegion(scope: AccountScope, region: string, path: string): void {
  const home = scope.deploymentRegion;
  if (!home || region === home) return;
  const regions = scope.regions ?? [];
  const listed = regions.length > 0 ? ` (regions: ${regions.join(', ')})` : '';
  const where = regions.includes(region)
    ? `the shield-right deployment in ${region} responds to it`
    : `deploy shield-right in ${region} and add it to regions to respond there`;
  throw new InvalidFindingError(
    path,
    `is ${region}, but this deployment acts in ${home} only${listed}: findings and responses are Regional; ${where}; nothing was done`,
  );
}

/** Throws CrossAccountFindingError (naming `path`, the account and the fix) unless `owner` may be acted in. */
export function requireAllowedAccount(
  scope: AccountScope,
  eventAccount: string,
  owner: string,
  path: string,
): void {
  if (scope.protectedAccounts?.includes(owner)) {
    throw new CrossAccountFindingError(
      `${path}: account ${owner} is in protectedAccounts; shield-right does not act there (remove it from protectedAccounts to respond)`,
    );
  }
  if (owner === eventAccount) return;
  const allowed = scope.allowedAccounts;
  if (allowed === 'all' || allowed?.includes(owner)) return;
  if (!scope.memberRoleName) {
    throw new CrossAccountFindingError(
      `${path}: the finding is about account ${owner}, not ${eventAccount}; cross-account response is not configured (set memberAccountRoleName and deploy the ShieldRightMemberRole in account ${owner}); nothing was called in account ${owner}`,
    );
  }
  throw new CrossAccountFindingError(
    `${path}: account ${owner} is not in the configured accounts; add it to accounts (or set accounts to "all") to respond there; nothing was called in account ${owner}`,
  );
}

/** The ARN of the member role in `accountId` (the same name in every member account, from the StackSet). */
export function memberRoleArnFor(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The account of a role ARN (`arn:aws:iam::123456789012:role/…`). */
export function accountOfRoleArn(roleArn: string): string | undefined {
  return /^arn:[a-z-]+:iam::(\d{12}):role\//.exec(roleArn)?.[1];
}

/** Where a repository's quarantine runs: through `roleArn` (none: the deployment's own account), or refused. */
export type RegistryAccess =
  | { readonly ok: true; readonly roleArn?: string }
  | { readonly ok: false; readonly reason: string };

/** The accounts around a finding: the deployment's own (organization mode) and the finding's. */
export interface FindingAccounts {
  readonly partition: string;
  readonly findingAccount: string;
  /** The finding's member role, when its account is not the deployment's. */
  readonly findingRoleArn?: string;
  /** Set in organization mode only: the account shield-right is deployed in. */
  readonly deploymentAccount?: string;
}

/**
 * Whether the repository of registry account `registry` (from the image URI ECS describes) may be
 * quarantined, and through which role: the finding's account as today; in organization mode any other
 * account that `accounts` allows and `protectedAccounts` does not name, through its member role.
 */
export function registryAccess(
  scope: AccountScope,
  around: FindingAccounts,
  registry: string,
): RegistryAccess {
  if (registry === around.findingAccount) {
    return around.findingRoleArn ? { ok: true, roleArn: around.findingRoleArn } : { ok: true };
  }
  if (!scope.memberRoleName || !around.deploymentAccount) {
    return {
      ok: false,
      reason: `is in registry ${registry}, not this account's (quarantining in another account needs memberAccountRoleName)`,
    };
  }
  if (scope.protectedAccounts?.includes(registry)) {
    return {
      ok: false,
      reason: `is in registry account ${registry}, which is in protectedAccounts: the quarantine there is refused`,
    };
  }
  if (registry === around.deploymentAccount) return { ok: true };
  const allowed = scope.allowedAccounts;
  if (allowed !== 'all' && !allowed?.includes(registry)) {
    return {
      ok: false,
      reason: `is in registry account ${registry}, which is not in the configured accounts: the quarantine there is refused (add it to accounts)`,
    };
  }
  return { ok: true, roleArn: memberRoleArnFor(around.partition, registry, scope.memberRoleName) };
}

/** The organization's accounts that may run workloads (organizations:ListAccounts), or why they are not known. */
export type MemberListing =
  | { readonly ok: true; readonly accounts: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * The accounts a blast-radius scan covers in organization mode: the deployment's, the finding's and every
 * account shield-right may assume its member role in (the `accounts` list, or with `accounts: "all"` every
 * account `members` lists: lambdas/actions/organization-accounts.ts). Any account it may not or cannot scan
 * is reported unscanned, which keeps every image out of quarantine, because its workloads may pull the
 * image: a protected account (the central roles are denied sts:AssumeRole there) and, with an `accounts`
 * list, every account of the organization outside it. Without a listing (`members` missing or failed)
 * `unlisted` says why the organization's other accounts stay unknown, which spares every image too.
 */
export function accountsToScan(
  scope: AccountScope,
  deploymentAccount: string,
  findingAccount: string,
  members?: MemberListing,
): { accounts: string[]; unscanned: { accountId: string; reason: string }[]; unlisted?: string } {
  const allowed = scope.allowedAccounts === 'all' ? undefined : (scope.allowedAccounts ?? []);
  const organization = members?.ok ? members.accounts : [];
  const protectedAccounts = new Set(scope.protectedAccounts ?? []);
  const all = [
    ...new Set([
      deploymentAccount,
      findingAccount,
      ...(allowed ?? []),
      ...organization,
      ...protectedAccounts,
    ]),
  ];
  const mayScan = (a: string) =>
    !protectedAccounts.has(a) &&
    (allowed === undefined || a === deploymentAccount || a === findingAccount || allowed.includes(a));
  const accounts = all.filter(mayScan);
  const unscanned = all
    .filter((a) => !mayScan(a))
    .map((accountId) => ({
      accountId,
      reason: protectedAccounts.has(accountId)
        ? 'in protectedAccounts: shield-right never assumes a role there, so its workloads are not scanned'
        : 'in the organization but not in `accounts`: shield-right may not assume a role there, so its workloads are not scanned',
    }));
  if (members?.ok) return { accounts, unscanned };
  const why = members ? members.reason : "the organization's accounts were not listed";
  return {
    accounts,
    unscanned,
    unlisted: `the organization's accounts are not known: ${why}; their workloads are not scanned, so no image is quarantined`,
  };
}
