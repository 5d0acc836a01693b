/**
 * Both Security Hub copies of a finding: CSPM's (./security-hub.ts) and the OCSF one's
 * (./security-hub-v2.ts), each updated where AWS holds it. Which Security Hub the account has enabled is
 * decided from AWS's answers, never configured: "not enabled" there is a state of that copy, not a failure
 * (lambdas/core/security-hub-copies.ts decides what the step does with the two).
 */
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { awsErrorName, errorMessage } from '../core/errors';
import type { Copies, CopyState } from '../core/security-hub-copies';
import { describeRef, type OcsfFindingRef, statusCaption } from '../core/security-hub-v2';
import {
  FindingNotInSecurityHubError,
  SecurityHubNotEnabledError,
  type SecurityHubUpdateRequest,
  updateSecurityHubFinding,
} from './security-hub';
import { securityHubV2Enabled, updateSecurityHubV2Finding } from './security-hub-v2';

/** The identifiers of the copies an update reached, kept on the incident for the release. */
export interface ReachedCopies {
  readonly cspm?: { readonly Id: string; readonly ProductArn: string };
  readonly v2?: OcsfFindingRef;
}

export interface CopiesOutcome {
  readonly copies: Copies;
  readonly reached: ReachedCopies;
}

function refused(err: unknown): CopyState {
  if (err instanceof FindingNotInSecurityHubError) return { status: 'not-found', message: err.message };
  if (err instanceof SecurityHubNotEnabledError) return { status: 'not-enabled', reason: err.message };
  return { status: 'failed', error: awsErrorName(err), message: errorMessage(err).slice(0, 500) };
}

async function cspmCopy(
  client: SecurityHubClient,
  request: SecurityHubUpdateRequest,
): Promise<{ state: CopyState; reached?: ReachedCopies['cspm'] }> {
  try {
    const update = await updateSecurityHubFinding(client, request);
    return {
      state: {
        status: 'updated',
        held: update.status ?? update.previousStatus,
        kept: update.status === undefined,
        target: update.Id,
      },
      reached: { Id: update.Id, ProductArn: update.ProductArn },
    };
  } catch (err) {
    return { state: refused(err) };
  }
}

async function v2Copy(
  client: SecurityHubClient,
  request: SecurityHubUpdateRequest,
  reached?: OcsfFindingRef,
): Promise<{ state: CopyState; reached?: OcsfFindingRef }> {
  try {
    const update = await updateSecurityHubV2Finding(client, request, reached);
    return {
      state: {
        status: 'updated',
        held: statusCaption(update.statusId ?? update.previousStatusId),
        kept: update.statusId === undefined,
        target: describeRef(update.ref),
      },
      reached: update.ref,
    };
  } catch (err) {
    return { state: refused(err) };
  }
}

/**
 * After a response: looks the finding up in both and updates each copy found. A release passes `only`, the
 * copies the response reached, and touches those alone (found again by their identifiers).
 */
export async function updateCopies(
  client: SecurityHubClient,
  request: SecurityHubUpdateRequest,
  only?: ReachedCopies,
): Promise<CopiesOutcome> {
  const notReached = { state: { status: 'not-reached' } as const };
  // The two Security Hubs are independent: both looked up and updated at once.
  const [cspm, v2] = await Promise.all([
    only
      ? only.cspm
        ? cspmCopy(client, { ...request, findingArn: only.cspm.Id })
        : notReached
      : cspmCopy(client, request),
    only ? (only.v2 ? v2Copy(client, request, only.v2) : notReached) : v2Copy(client, request),
  ]);
  let v2State: CopyState = v2.state;
  // Nothing found anywhere and CSPM not updating it either: an empty GetFindingsV2 answer could also mean
  // "not enabled" (not documented either way), so ask before looking up again with backoff.
  if (
    !only &&
    v2State.status === 'not-found' &&
    (cspm.state.status === 'not-found' || cspm.state.status === 'not-enabled')
  ) {
    const enabled = await securityHubV2Enabled(client).catch(() => true);
    if (!enabled) v2State = { status: 'not-enabled', reason: 'DescribeSecurityHubV2: no hub' };
  }
  return {
    copies: { cspm: cspm.state, v2: v2State },
    reached: {
      ...('reached' in cspm && cspm.reached ? { cspm: cspm.reached } : {}),
      ...('reached' in v2 && v2.reached ? { v2: v2.reached } : {}),
    },
  };
}
