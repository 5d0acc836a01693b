/**
 * A release resolves the Security Hub copy of the incident's finding: RESOLVED (forward only: a person's
 * SUPPRESSED stays), with a note saying who released it. Only when the response reached that finding
 * (`securityHubFinding` on the incident, written with `securityHub: "on"`) and the caller has a Security Hub
 * client; a failure is reported as a failed step and recorded on the incident, never undoing the release.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import * as v from 'valibot';
import { summaryFor } from '../core/security-hub';
import type { IncidentItem } from './incident-store';
import { failure, type ReleaseStep } from './release-step';
import { updateSecurityHubFinding } from './security-hub';
import { describeResult, recordSecurityHub, type SecurityHubResult } from './security-hub-step';

const FindingRefSchema = v.object({
  source: v.picklist(['guardduty', 'inspector2']),
  Id: v.string(),
  ProductArn: v.string(),
  accountId: v.string(),
  partition: v.string(),
  region: v.string(),
});

export interface ReleaseSecurityHubDeps {
  readonly securityhub?: SecurityHubClient;
  readonly dynamodb: DynamoDBClient;
  readonly table: string;
  readonly now: () => number;
}

function findingRef(item: Record<string, unknown>) {
  if (typeof item.securityHubFinding !== 'string') return undefined;
  try {
    const parsed = v.safeParse(FindingRefSchema, JSON.parse(item.securityHubFinding));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** The step resolving the finding in Security Hub, or none when the response never reached it. */
export async function resolveInSecurityHub(
  deps: ReleaseSecurityHubDeps,
  incident: IncidentItem,
  actor: string,
): Promise<ReleaseStep[]> {
  const ref = findingRef(incident.item);
  if (!ref || !deps.securityhub) return [];
  let result: SecurityHubResult;
  try {
    const update = await updateSecurityHubFinding(deps.securityhub, {
      source: ref.source,
      findingArn: ref.Id,
      accountId: ref.accountId,
      partition: ref.partition,
      region: ref.region,
      incidentId: incident.incidentId,
      incidentStatus: 'RELEASED',
      summary: `${summaryFor('released')} by ${actor}`,
    });
    result = { status: 'updated', update };
  } catch (err) {
    result = {
      status: 'failed',
      error: err instanceof Error ? err.name : 'Error',
      message: failure('security hub', err),
    };
  }
  const at = new Date(deps.now()).toISOString();
  try {
    await recordSecurityHub(deps, incident.incidentId, describeResult(result, at));
  } catch {
    // The step below reports the outcome; the incident keeps its earlier Security Hub line.
  }
  return [
    {
      action: 'resolve-security-hub-finding',
      target: ref.Id,
      status: result.status === 'updated' ? 'done' : 'failed',
      ...(result.status === 'updated'
        ? { detail: `workflow status ${result.update.status ?? `${result.update.previousStatus} kept`}` }
        : result.status === 'failed'
          ? { detail: result.message }
          : {}),
    },
  ];
}
