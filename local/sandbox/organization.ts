/**
 * Several sandbox accounts of one AWS Organization: the account shield-right is deployed in (the delegated
 * administrator) and the member accounts its findings are about, created on first use with the same region,
 * clock and fault settings. Calls are answered by the account of the caller's credentials: the sandbox's
 * static credentials are the deployment account's own roles; credentials from the sandbox STS (`AssumeRole`)
 * act in the account and role they were issued for (local/sandbox/transport.ts asks `accountForCredentials`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { SandboxAccount, type SandboxOptions } from './account';
import type { AccountState, OrganizationAccount, OrganizationsDirectory } from './organizations';
import type { IssuedCredentials, Principal, SandboxRole, StsDirectory } from './sts';
import { AwsError } from './types';

export const SANDBOX_ORG_ID = 'o-sandbox0001';

const organizations = new WeakMap<SandboxAccount, SandboxOrganization>();
const principal = new AsyncLocalStorage<string>();

/** Runs `fn` as the IAM role `roleArn` (a Lambda function's or a state machine's execution role). */
export function asPrincipal<T>(roleArn: string, fn: () => Promise<T>): Promise<T> {
  return principal.run(roleArn, fn);
}

/** The role the current call runs as (asPrincipal), if any. */
export function currentPrincipal(): string | undefined {
  return principal.getStore();
}

/** The organization an account belongs to, if it was created by one. */
export function organizationOf(account: SandboxAccount): SandboxOrganization | undefined {
  return organizations.get(account);
}

export class SandboxOrganization implements StsDirectory, OrganizationsDirectory {
  readonly orgId = SANDBOX_ORG_ID;
  private readonly accounts = new Map<string, SandboxAccount>();
  /** Accounts whose Organizations state is not ACTIVE (a scenario's suspended or closed account). */
  private readonly states = new Map<string, AccountState>();
  private readonly joinedAt = new Map<string, number>();
  /** Whether the deployment account may list the organization (management account or delegated administrator). */
  listsAccounts = true;
  private management: string | undefined;
  private readonly credentials = new Map<string, IssuedCredentials>();

  constructor(
    /** The account shield-right is deployed in. */
    readonly home: SandboxAccount,
    private readonly options: SandboxOptions = {},
  ) {
    this.adopt(home);
  }

  private adopt(account: SandboxAccount): void {
    this.accounts.set(account.accountId, account);
    this.joinedAt.set(account.accountId, this.home.now());
    organizations.set(account, this);
    account.sts.connect(this);
    account.organizations.connect(this);
  }

  /**
   * The organization's management account: the deployment account unless a scenario names another (the
   * recommended layout deploys shield-right in a delegated administrator, not in the management account).
   */
  get managementAccountId(): string {
    return this.management ?? this.home.accountId;
  }

  /** Makes `accountId` the management account (created if new), as a scenario's `organization.managementAccount`. */
  setManagementAccount(accountId: string): void {
    this.account(accountId);
    this.management = accountId === this.home.accountId ? undefined : accountId;
  }

  /**
   * The management account and the deployment account (a delegated administrator, unless a scenario says
   * not) may list the organization's accounts; any other member is refused.
   */
  mayList(accountId: string): boolean {
    // `listsAccounts` false: the deployment account is neither the management account nor a delegated administrator.
    return accountId === this.management || (this.listsAccounts && accountId === this.home.accountId);
  }

  /** Every account so far with its Organizations state (ACTIVE unless a scenario set another). */
  organizationAccounts(): OrganizationAccount[] {
    return [...this.accounts.keys()].map((id) => ({
      id,
      state: this.states.get(id) ?? 'ACTIVE',
      joinedAt: this.joinedAt.get(id) ?? 0,
    }));
  }

  /** Sets the Organizations state of `accountId` (created if new): a suspended or closed member account. */
  setAccountState(accountId: string, state: AccountState): void {
    this.account(accountId);
    if (state === 'ACTIVE') this.states.delete(accountId);
    else this.states.set(accountId, state);
  }

  /** The sandbox account `accountId`, created empty on first use. */
  account(accountId: string): SandboxAccount {
    const existing = this.accounts.get(accountId);
    if (existing) return existing;
    const account = new SandboxAccount({ ...this.options, accountId, region: this.home.region });
    this.adopt(account);
    return account;
  }

  /** Every account so far, the deployment account first. */
  all(): SandboxAccount[] {
    return [...this.accounts.values()];
  }

  role(accountId: string, name: string): SandboxRole | undefined {
    return this.accounts.get(accountId)?.sts.getRole(name);
  }

  caller(): Principal {
    const arn = principal.getStore() ?? `arn:${this.home.partition}:iam::${this.home.accountId}:root`;
    const accountId = /:(\d{12}):/.exec(arn)?.[1] ?? this.home.accountId;
    return { arn, accountId, orgId: this.orgId };
  }

  issue(credentials: IssuedCredentials): void {
    this.credentials.set(credentials.accessKeyId, credentials);
  }

  /**
   * The account a call made with `accessKeyId` acts in: the one its credentials were issued for (expired
   * ones are refused as STS-issued credentials are), or `fallback` for the sandbox's own static credentials.
   */
  accountForCredentials(accessKeyId: string | undefined, fallback: SandboxAccount): SandboxAccount {
    const issued = accessKeyId ? this.credentials.get(accessKeyId) : undefined;
    // Temporary credentials this organization's STS never issued are refused, never answered by another account.
    if (!issued && accessKeyId?.startsWith('ASIA')) {
      throw new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', {
        statusCode: 403,
      });
    }
    if (!issued) return fallback;
    if (this.home.now() >= issued.expiresAt) {
      throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired');
    }
    return this.account(issued.accountId);
  }

  /** The role ARN the credentials `accessKeyId` were issued for (undefined for the static ones). */
  roleOfCredentials(accessKeyId: string | undefined): string | undefined {
    return accessKeyId ? this.credentials.get(accessKeyId)?.roleArn : undefined;
  }

  snapshot(): Record<string, unknown> {
    return Object.fromEntries(
      this.all()
        .filter((a) => a !== this.home)
        .map((a) => [a.accountId, a.snapshot()]),
    );
  }

  restore(members: Record<string, unknown>): void {
    for (const [accountId, state] of Object.entries(members))
      if (/^\d{12}$/.test(accountId) && typeof state === 'object' && state !== null)
        this.account(accountId).restore(state as Record<string, unknown>);
  }
}

/**
 * The account that answers a client's call: the one its credentials act in (the active one by default),
 * and the role those credentials were issued for (a call made with a role's credentials is that role's,
 * so an AssumeRole made with them is checked against the next role's trust as that role).
 */
export async function answeringAccount(
  active: SandboxAccount,
  credentials: unknown,
): Promise<{ account: SandboxAccount; roleArn?: string }> {
  const organization = organizations.get(active);
  if (!organization) return { account: active };
  const resolved: unknown = typeof credentials === 'function' ? await credentials() : credentials;
  const accessKeyId =
    typeof resolved === 'object' && resolved !== null && 'accessKeyId' in resolved
      ? String(resolved.accessKeyId)
      : undefined;
  const account = organization.accountForCredentials(accessKeyId, active);
  const roleArn = organization.roleOfCredentials(accessKeyId);
  return roleArn ? { account, roleArn } : { account };
}
