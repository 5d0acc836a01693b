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
