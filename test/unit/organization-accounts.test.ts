/**
 * The organization's accounts for the blast radius with `accounts: "all"` (lambdas/actions/
 * organization-accounts.ts) against the sandbox Organizations (docs/aws-behaviours.md X14–X16): every page
 * read, only accounts that may run workloads kept, and a refusal or a bound turned into a reason.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { listActiveAccounts } from '../../lambdas/actions/organization-accounts';
import { SandboxAccount } from '../../local/sandbox/account';
import { SandboxOrganization } from '../../local/sandbox/organization';
import { attachSandbox, runInSandbox } from '../../local/sandbox/transport';

const HOME = '111122223333';
const client = new OrganizationsClient({ region: 'eu-west-1' });
attachSandbox(client, 'organizations');

const member = (i: number) => String(200000000000 + i);
const open = { deadline: Number.POSITIVE_INFINITY, now: () => 0 };

function organizationOf(members: number): SandboxOrganization {
  const organization = new SandboxOrganization(new SandboxAccount({ accountId: HOME }));
  for (let i = 0; i < members; i += 1) organization.account(member(i));
  return organization;
}

describe('listActiveAccounts', () => {
  it('reads every page of 20 and keeps the order Organizations answers in', async () => {
    const organization = organizationOf(44);

    const listing = await runInSandbox(organization.home, () => listActiveAccounts(client, open));

    expect(listing).toEqual({
      ok: true,
      accounts: [HOME, ...Array.from({ length: 44 }, (_, i) => member(i))],
    });
  });

  it('keeps ACTIVE and PENDING_CLOSURE accounts, not SUSPENDED or PENDING_ACTIVATION ones', async () => {
    const organization = organizationOf(4);
    organization.setAccountState(member(0), 'SUSPENDED');
    organization.setAccountState(member(1), 'PENDING_CLOSURE');
    organization.setAccountState(member(2), 'PENDING_ACTIVATION');

    const listing = await runInSandbox(organization.home, () => listActiveAccounts(client, open));

    expect(listing).toEqual({ ok: true, accounts: [HOME, member(1), member(3)] });
  });

  it('a deployment account that is neither management nor delegated administrator gets a reason, not an error', async () => {
    const organization = organizationOf(2);
    organization.listsAccounts = false;

    const listing = await runInSandbox(organization.home, () => listActiveAccounts(client, open));

    expect(listing.ok).toBe(false);
    expect(!listing.ok && listing.reason).toContain('AccessDeniedException');
  });

  it('outside an organization: AWSOrganizationsNotInUseException, as a reason', async () => {
    const alone = new SandboxAccount({ accountId: HOME });

    const listing = await runInSandbox(alone, () => listActiveAccounts(client, open));

    expect(!listing.ok && listing.reason).toContain('AWSOrganizationsNotInUseException');
  });

  it('stops at its page bound and says how far it got', async () => {
    const organization = organizationOf(60);

    const listing = await runInSandbox(organization.home, () =>
      listActiveAccounts(client, { ...open, maxPages: 2 }),
    );

    expect(listing).toEqual({
      ok: false,
      reason: 'organizations:ListAccounts stopped at 2 pages after 40 account(s)',
    });
  });

  it('stops at its deadline', async () => {
    const organization = organizationOf(1);

    const listing = await runInSandbox(organization.home, () =>
      listActiveAccounts(client, { deadline: 10, now: () => 10 }),
    );

    expect(!listing.ok && listing.reason).toContain('time bound');
  });
});

describe('sandbox Organizations ListAccounts', () => {
  it('refuses a member account (only the management account or a delegated administrator may list)', async () => {
    const organization = organizationOf(1);
    const memberAccount = organization.account(member(0));

    await expect(memberAccount.call('organizations', 'ListAccounts', {})).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('answers the management account too, and names it in every account ARN', async () => {
    const organization = organizationOf(1);
    organization.setManagementAccount('999900001111');

    const out = (await organization.account('999900001111').call('organizations', 'ListAccounts', {})) as {
      Accounts: { Id: string; Arn: string }[];
    };

    expect(out.Accounts.map((a) => a.Id)).toEqual([HOME, member(0), '999900001111']);
    expect(out.Accounts[0]?.Arn).toMatch(/^arn:aws:organizations::999900001111:account\/o-/);
  });

  it('refuses MaxResults above 20 as the model does, and an unknown NextToken', async () => {
    const organization = organizationOf(1);

    await expect(
      organization.home.call('organizations', 'ListAccounts', { MaxResults: 21 }),
    ).rejects.toMatchObject({
      name: 'InvalidInputException',
    });
    await expect(
      organization.home.call('organizations', 'ListAccounts', { NextToken: 'forged' }),
    ).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});
