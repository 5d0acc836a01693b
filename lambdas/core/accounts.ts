/**
 * Which accounts a deployment may act in: its own, and, with `memberAccountRoleName` (organization-wide
 * response), the member accounts listed in `accounts` ("all" by default) except `protectedAccounts`. A
 * finding about any other account is refused before anything is called, and the refusal says what to set.
 */
import { CrossAccountFindingError } from './errors';

export interface AccountScope {
  /** Accounts acted in besides the event's own: a list, or every member account ("all"). */
  readonly allowedAccounts?: readonly string[] | 'all';
  /** Never acted in, whatever else allows them. */
  readonly protectedAccounts?: readonly string[];
  /** The member role; without it no other account is acted in. */
  readonly memberRoleName?: string;
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
