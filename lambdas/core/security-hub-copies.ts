/**
 * A finding can have two Security Hub copies: Security Hub CSPM's (ASFF) and the newer Security Hub's (OCSF).
 * An account may have enabled either, both or neither. What happened to each copy, what the step then does
 * (recorded, looked up again later, or nothing to do) and the line the incident keeps. Pure.
 */

export type Hub = 'cspm' | 'v2';
export const HUBS: readonly Hub[] = ['cspm', 'v2'];

export const HUB_LABEL: Readonly<Record<Hub, string>> = {
  cspm: 'Security Hub CSPM',
  v2: 'Security Hub (OCSF)',
};

export type CopyState =
  /** `held`: the status the copy holds now; `kept`: shield-right did not move it (note or comment only). */
  | { readonly status: 'updated'; readonly held: string; readonly kept: boolean; readonly target: string }
  | { readonly status: 'not-found'; readonly message: string }
  /** This Security Hub is not enabled in the account and Region (AWS said so): nothing to update there. */
  | { readonly status: 'not-enabled'; readonly reason: string }
  /** A release touches only the copies the response reached. */
  | { readonly status: 'not-reached' }
  | { readonly status: 'failed'; readonly error: string; readonly message: string };

export type Copies = Readonly<Record<Hub, CopyState>>;

/**
 * - `updated`: at least one copy was updated (a copy not found then is not looked up again: the update is
 *   what the response owed, and the record says which copy was missing);
 * - `retry`: none updated, and an enabled Security Hub does not hold the finding yet (the other copy's
 *   failure, if any, is named in the error, so the record kept when the retries run out says both);
 * - `failed`: none updated, none waiting, one failed (AccessDenied, an unprocessed finding…): recorded;
 * - `not-in-use`: neither Security Hub is enabled: recorded as not updated, never retried.
 */
export type Decision = 'updated' | 'failed' | 'retry' | 'not-in-use';

export function decide(copies: Copies): Decision {
  const states = HUBS.map((hub) => copies[hub].status);
  if (states.includes('updated')) return 'updated';
  // A copy not imported yet is looked up again even when the other copy failed: one Security Hub's refusal
  // (or an unconfirmed answer of a disabled one) must not cost the other its update.
  if (states.includes('not-found')) return 'retry';
  if (states.includes('failed')) return 'failed';
  return 'not-in-use';
}

function part(hub: Hub, state: CopyState, decision: Decision): string {
  const name = HUB_LABEL[hub];
  switch (state.status) {
    case 'updated':
      return `${name} ${state.held}${state.kept ? ' (status kept, note updated)' : ''} · ${state.target}`;
    case 'not-found':
      return `${name}: finding not found`;
    case 'not-enabled':
      return `${name} not enabled`;
    case 'not-reached':
      return `${name} not reached by the response`;
    case 'failed':
      // Under a `failed:` head the word is not repeated.
      return `${name}${decision === 'failed' ? '' : ' failed:'} ${state.error}: ${state.message}`;
  }
}

const HEADS: Readonly<Record<Decision, string>> = {
  updated: 'updated',
  failed: 'failed',
  retry: 'not updated',
  'not-in-use':
    'not updated: neither Security Hub CSPM nor Security Hub is enabled in this account and Region',
};

/** One line for the incident item: per copy, the status it now holds, or why it was not updated. */
export function describeCopies(copies: Copies, at: string): string {
  const decision = decide(copies);
  const line = `${HEADS[decision]}: ${HUBS.map((hub) => part(hub, copies[hub], decision)).join(' | ')}`;
  return `${line.slice(0, 900)} · ${at}`;
}

/** The line for a finding that could not be looked up at all (no ARN). */
export function describeSkipped(reason: string, at: string): string {
  return `not updated: ${reason}`.slice(0, 900).concat(` · ${at}`);
}

/** The copies that failed, for the message of a retry (kept on the incident if the retries run out). */
export function failuresOf(copies: Copies): string {
  return HUBS.flatMap((hub) => {
    const state = copies[hub];
    return state.status === 'failed' ? [`${HUB_LABEL[hub]} failed: ${state.error}: ${state.message}`] : [];
  }).join('; ');
}

/** Why the step is looked up again: which enabled Security Hub did not hold the finding. */
export function missingFrom(copies: Copies): string {
  return HUBS.filter((hub) => copies[hub].status === 'not-found')
    .map((hub) => HUB_LABEL[hub])
    .join(' and ');
}
