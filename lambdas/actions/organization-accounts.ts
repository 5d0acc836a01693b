/**
 * The organization's accounts, for the blast-radius scan in organization mode: `ListAccounts`
 * (callable only in the management account or a delegated administrator) page by page until no
 * `NextToken` (a page may be empty while more follow). Every account is kept but those known to run
 * nothing: SUSPENDED (closed: its resources are not available), CLOSED and PENDING_ACTIVATION (none yet;
 * docs/aws-behaviours.md X15). An account whose state is missing or new to this code is kept (scanned, and a
 * refused role leaves it unscanned): never dropped on a guess. Listed on every scan,
 * not cached: an account that joined a minute ago may already run the image, and a stale list would leave
 * it out without saying so. A listing that fails or stops early is an answer too: the accounts are then
 * unknown, which spares every image (lambdas/core/accounts.ts accountsToScan).
 */
import { ListAccountsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { MemberListing } from '../core/accounts';
import { awsErrorName, errorMessage } from '../core/errors';

const RUNS_NOTHING: ReadonlySet<string> = new Set(['SUSPENDED', 'CLOSED', 'PENDING_ACTIVATION']);

/** The most pages read (20 accounts each): 5,000 accounts, past any organization's default quota. */
export const MAX_PAGES = 250;

export async function listActiveAccounts(
  client: OrganizationsClient,
  bounds: { readonly deadline: number; readonly now: () => number; readonly maxPages?: number },
): Promise<MemberListing> {
  const maxPages = bounds.maxPages ?? MAX_PAGES;
  const accounts: string[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; ; page += 1) {
      if (page >= maxPages || bounds.now() >= bounds.deadline) {
        const bound = page >= maxPages ? `${maxPages} pages` : 'its time bound';
        return {
          ok: false,
          reason: `organizations:ListAccounts stopped at ${bound} after ${accounts.length} account(s)`,
        };
      }
      const out = await client.send(
        new ListAccountsCommand({ MaxResults: 20, ...(token ? { NextToken: token } : {}) }),
      );
      for (const account of out.Accounts ?? []) {
        // State replaces the deprecated Status; an older answer may carry Status only.
        const state = account.State ?? account.Status;
        if (account.Id && !(state && RUNS_NOTHING.has(state))) accounts.push(account.Id);
      }
      token = out.NextToken;
      if (!token) return { ok: true, accounts };
    }
  } catch (err) {
    return {
      ok: false,
      reason: `organizations:ListAccounts failed (${awsErrorName(err)}: ${errorMessage(err)}); it answers only in the management account or a delegated administrator, with organizations:ListAccounts allowed`,
    };
  }
}
