/**
 * AWS Organizations, as far as shield-right depends on it: `ListAccounts`, which the blast-radius scan calls
 * with `accounts: "all"` to know the organization's member accounts (docs/aws-behaviours.md X14–X16).
 * Answered only in the account shield-right is deployed in (the sandbox organization's delegated
 * administrator): AWS answers it only in the management account or a delegated administrator, refuses it
 * elsewhere in the organization with AccessDeniedException, and outside an organization with
 * AWSOrganizationsNotInUseException. Pages hold at most `MaxResults` (1–20) accounts.
 */
import { op } from './shared';
import { type AccountContext, AwsError, type SandboxService } from './types';

export type AccountState = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface OrganizationAccount {
  readonly id: string;
  readonly state: AccountState;
  /** When the account joined, ms since epoch. */
  readonly joinedAt: number;
}

/** What Organizations needs of the sandbox organization: who may list, and its accounts. */
export interface OrganizationsDirectory {
  /** Whether `accountId` is the management account or a delegated administrator. */
  mayList(accountId: string): boolean;
  /** Every account of the organization, in the order they joined. */
  organizationAccounts(): readonly OrganizationAccount[];
  readonly orgId: string;
  readonly managementAccountId: string;
}

interface ListAccountsInput {
  NextToken?: string;
  MaxResults?: number;
}

const PAGE_MAX = 20;

export class OrganizationsService implements SandboxService {
  readonly name = 'organizations' as const;
  readonly operations;
  private directory: OrganizationsDirectory | undefined;

  constructor(private readonly ctx: AccountContext) {
    this.operations = { ListAccounts: op<ListAccountsInput>((input) => this.listAccounts(input)) };
  }

  /** Joins this account to an organization (local/sandbox/organization.ts). */
  connect(directory: OrganizationsDirectory): void {
    this.directory = directory;
  }

  private listAccounts(input: ListAccountsInput): unknown {
    const directory = this.directory;
    if (!directory) {
      throw new AwsError(
        'AWSOrganizationsNotInUseException',
        'Your account is not a member of an organization.',
      );
    }
    if (!directory.mayList(this.ctx.accountId)) {
      throw new AwsError('AccessDeniedException', "You don't have permissions to access this resource.");
    }
    const size = Math.min(input.MaxResults ?? PAGE_MAX, PAGE_MAX);
    const start = input.NextToken === undefined ? 0 : this.pageStart(input.NextToken, directory);
    const all = directory.organizationAccounts();
    const page = all.slice(start, start + size);
    const next = start + size;
    return {
      Accounts: page.map((account) => ({
        Id: account.id,
        Arn: `arn:${this.ctx.partition}:organizations::${directory.managementAccountId}:account/${directory.orgId}/${account.id}`,
        Email: `aws+${account.id}@example.com`,
        Name: `account-${account.id}`,
        State: account.state,
        // The deprecated Status has no PENDING_ACTIVATION or CLOSED: AWS still returns it beside State.
        ...(account.state === 'ACTIVE' || account.state === 'SUSPENDED' || account.state === 'PENDING_CLOSURE'
          ? { Status: account.state }
          : {}),
        JoinedMethod: 'CREATED',
        JoinedTimestamp: new Date(account.joinedAt),
      })),
      ...(next < all.length ? { NextToken: `accounts-${next}` } : {}),
    };
  }

  private pageStart(token: string, directory: OrganizationsDirectory): number {
    const start = /^accounts-(\d+)$/.exec(token)?.[1];
    if (start === undefined || Number(start) > directory.organizationAccounts().length) {
      throw new AwsError('InvalidInputException', 'You provided an invalid value for NextToken.');
    }
    return Number(start);
  }

  // The organization's state lives in SandboxOrganization, not in an account.
  snapshot(): unknown {
    return {};
  }

  restore(): void {}
}
